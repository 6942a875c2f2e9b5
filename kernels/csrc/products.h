// What the primitives share (not part of the Python API): the packed product on raw
// buffers, and the buffers of a task they hand to MLX's CPU encoder.

#pragma once

#include <cstdint>
#include <vector>

#include "mlx/array.h"

namespace punie {

namespace mx = mlx::core;

// One weight matrix [n, k] in MLX's affine packing, plus an optional LoRA term.
struct PackedMatrix {
  const uint8_t* w = nullptr;
  const void* scales = nullptr;  // [n, k / 32], float16 or float32
  const void* biases = nullptr;
  bool half_scales = true;
  int bits = 4;
  int64_t n = 0;
  int64_t k = 0;
  const float* lora_a = nullptr;  // [k, rank]
  const float* lora_b = nullptr;  // [rank, n]
  int64_t rank = 0;
  float lora_scale = 0.0f;
};

// The buffers of evaluated, row-contiguous arrays as a PackedMatrix.
PackedMatrix packed_matrix(
    const mx::array& w, const mx::array& scales, const mx::array& biases, int bits,
    const mx::array* lora_a, const mx::array* lora_b, float lora_scale);

// y[m, n] = x[m, k] @ dequantize(w).T (+ lora_scale * (x @ a) @ b), over `threads`.
void packed_product(
    const PackedMatrix& matrix, const float* x, int64_t m, float* y, int threads);

// Allocates `outputs`, registers them and `inputs` with the stream's CPU encoder and
// returns weak copies of both (inputs first): the buffers a dispatched task uses, kept
// alive until it has run, as MLX's own CPU kernels keep theirs.
std::vector<mx::array> task_buffers(
    mx::Stream stream, const std::vector<mx::array>& inputs, std::vector<mx::array> outputs);

// The rows of x as one dense block: its own buffer, or a gathered copy in `storage`
// when x is a strided view.
const float* dense_rows(const mx::array& x, std::vector<float>& storage);

} // namespace punie
