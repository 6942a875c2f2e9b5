// A prompt's float32 products split over the kernels' threads.
//
// MLX multiplies a prompt's rows with the float32 weights in one BLAS call on its
// stream's thread; the BLAS Punie preloads for decoding is BLIS's serial build (its
// threaded builds spin and fight the sandbox for the cores), so a prompt used one core.
// This product gives each thread of the worker pool its own columns of the output and
// its own serial BLAS call.

#pragma once

#include "mlx/ops.h"
#include "mlx/primitives.h"

namespace punie {

namespace mx = mlx::core;

// y = x @ w.T; x: [..., K] float32, w: [N, K] float32 (nn.Linear's layout).
mx::array dense_matmul(
    const mx::array& x, const mx::array& w, int threads, mx::StreamOrDevice s = {});

class DenseMatmul : public mx::UnaryPrimitive {
 public:
  DenseMatmul(mx::Stream stream, int threads) : mx::UnaryPrimitive(stream), threads_(threads) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override;
  void eval_gpu(const std::vector<mx::array>& inputs, mx::array& out) override;

  const char* name() const override {
    return "DenseMatmul";
  }
  bool is_equivalent(const mx::Primitive& other) const override {
    return threads_ == static_cast<const DenseMatmul&>(other).threads_;
  }

 private:
  int threads_;
};

} // namespace punie
