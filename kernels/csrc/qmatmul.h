// A CPU product of a few float32 rows with affine-quantized weights, plus an optional
// low-rank (LoRA) term, for decoding on CPUs where MLX's own quantized kernels are
// slower than its float32 products (docs/benchmarks.md).

#pragma once

#include <optional>

#include "mlx/ops.h"
#include "mlx/primitives.h"

namespace punie {

namespace mx = mlx::core;

// Whether this CPU has the instructions the kernels are compiled for.
bool cpu_supported();

// Whether the AVX-512 path may be taken where the CPU has it (tests run both paths).
void allow_avx512(bool allowed);

// y = x @ dequantize(w, scales, biases).T  [+ lora_scale * (x @ lora_a) @ lora_b]
// x: [..., K] float32; w: [N, K * bits / 32] uint32 (MLX's packing); scales, biases:
// [N, K / 32] float16 or float32; lora_a: [K, r], lora_b: [r, N] float32.
mx::array quantized_decode_matmul(
    const mx::array& x,
    const mx::array& w,
    const mx::array& scales,
    const mx::array& biases,
    int bits,
    const std::optional<mx::array>& lora_a,
    const std::optional<mx::array>& lora_b,
    float lora_scale,
    int threads,
    mx::StreamOrDevice s = {});

class QuantizedDecodeMatmul : public mx::UnaryPrimitive {
 public:
  QuantizedDecodeMatmul(
      mx::Stream stream, int bits, bool lora, float lora_scale, int threads)
      : mx::UnaryPrimitive(stream),
        bits_(bits),
        lora_(lora),
        lora_scale_(lora_scale),
        threads_(threads) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override;
  void eval_gpu(const std::vector<mx::array>& inputs, mx::array& out) override;

  const char* name() const override {
    return "QuantizedDecodeMatmul";
  }
  bool is_equivalent(const mx::Primitive& other) const override;

 private:
  int bits_;
  bool lora_;
  float lora_scale_;
  int threads_;
};

} // namespace punie
