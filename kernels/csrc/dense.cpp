// The split prompt product (see dense.h).

#include "dense.h"

#include <stdexcept>
#include <vector>

#include "mlx/backend/cpu/encoder.h"
#include "products.h"
#include "workers.h"

// The process's CBLAS: whichever library provides the symbol first (the BLAS preloaded
// for MLX, else the one MLX itself links).
extern "C" void cblas_sgemm(
    int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
    int lda, const float* b, int ldb, float beta, float* c, int ldc);

namespace punie {

namespace {

constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;
// Columns per part, a multiple of BLIS's register blocks, so no part gets a sliver.
constexpr int64_t kColumnBlock = 64;

} // namespace

mx::array dense_matmul(const mx::array& x, const mx::array& w, int threads, mx::StreamOrDevice s) {
  if (x.dtype() != mx::float32 || w.dtype() != mx::float32 || w.ndim() != 2 ||
      x.shape(-1) != w.shape(1)) {
    throw std::invalid_argument("dense_matmul: x [..., K] and w [N, K] must be float32");
  }
  auto shape = x.shape();
  shape.back() = w.shape(0);
  return mx::array(
      shape, mx::float32, std::make_shared<DenseMatmul>(mx::to_stream(s), threads), {x, w});
}

void DenseMatmul::eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) {
  if (!inputs[1].flags().row_contiguous) {
    throw std::invalid_argument("dense_matmul: the weights must be row-contiguous");
  }
  auto keep = task_buffers(stream(), inputs, {out});
  auto& encoder = mx::cpu::get_command_encoder(stream());
  encoder.dispatch([keep = std::move(keep), threads = threads_]() mutable {
    std::vector<float> gathered;
    const float* x = dense_rows(keep[0], gathered);
    const float* w = keep[1].data<float>();
    float* y = keep[2].data<float>();
    const int k = keep[1].shape(1);
    const int n = keep[1].shape(0);
    const int m = static_cast<int>(keep[0].size() / k);
    const int64_t blocks = (n + kColumnBlock - 1) / kColumnBlock;
    parallel_for(blocks, threads, [&](int64_t first, int64_t last) {
      const int n0 = static_cast<int>(first * kColumnBlock);
      const int n1 = static_cast<int>(std::min<int64_t>(n, last * kColumnBlock));
      cblas_sgemm(
          kRowMajor, kNoTrans, kTrans, m, n1 - n0, k, 1.0f, x, k, w + int64_t{n0} * k, k,
          0.0f, y + n0, n);
    });
  });
}

void DenseMatmul::eval_gpu(const std::vector<mx::array>& inputs, mx::array& out) {
  throw std::runtime_error("DenseMatmul runs on the CPU only");
}

} // namespace punie
