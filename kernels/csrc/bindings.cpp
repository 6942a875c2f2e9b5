// Python bindings of the kernels (nanobind, the binding library MLX itself uses, so an
// mlx.core.array passes in and out as it is).

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include "attention.h"
#include "block.h"
#include "dense.h"
#include "qmatmul.h"

namespace nb = nanobind;
using namespace nb::literals;

NB_MODULE(_kernels, m) {
  m.doc() = "Punie's CPU kernels for MLX.";
  m.def(
      "cpu_supported",
      &punie::cpu_supported,
      "Whether this CPU has the instructions the kernels use (AVX2, FMA, F16C).");
  m.def(
      "allow_avx512",
      &punie::allow_avx512,
      "allowed"_a,
      "Whether the AVX-512 path may be taken where the CPU has it (default: yes).");
  m.def(
      "quantized_decode_matmul",
      &punie::quantized_decode_matmul,
      "x"_a,
      "w"_a,
      "scales"_a,
      "biases"_a,
      "bits"_a,
      "lora_a"_a = nb::none(),
      "lora_b"_a = nb::none(),
      "lora_scale"_a = 0.0f,
      "threads"_a = 2,
      nb::kw_only(),
      "stream"_a = nb::none(),
      "x @ dequantize(w, scales, biases).T (+ lora_scale * (x @ lora_a) @ lora_b), on the CPU.");
  m.def(
      "decode_block",
      &punie::decode_block,
      "h"_a,
      "keys"_a,
      "values"_a,
      "offset"_a,
      "input_norm"_a,
      "post_norm"_a,
      "norm_eps"_a,
      "weights"_a,
      "bits"_a,
      "lora"_a,
      "lora_scale"_a,
      "n_heads"_a,
      "attention_scale"_a,
      "rope_base"_a,
      "rope_scale"_a,
      "rope_traditional"_a,
      "threads"_a,
      nb::kw_only(),
      "stream"_a = nb::none(),
      "One llama-family decoder layer for a decoding step's few rows; returns the "
      "layer's output and the step's keys and values.");
  m.def(
      "dense_matmul",
      &punie::dense_matmul,
      "x"_a,
      "w"_a,
      "threads"_a,
      nb::kw_only(),
      "stream"_a = nb::none(),
      "x @ w.T for float32 x and w, the output's columns split over the threads (each "
      "with its own BLAS call).");
  m.def(
      "causal_attention",
      &punie::causal_attention,
      "queries"_a,
      "keys"_a,
      "values"_a,
      "scale"_a,
      "threads"_a,
      nb::kw_only(),
      "stream"_a = nb::none(),
      "A prompt's causal attention over the cache holding it; returns [1, L, H * D].");
  m.def(
      "silu_mul",
      &punie::silu_mul,
      "gate"_a,
      "up"_a,
      "threads"_a,
      nb::kw_only(),
      "stream"_a = nb::none(),
      "silu(gate) * up, elementwise, float32.");
}
