// Python bindings of the kernels (nanobind, the binding library MLX itself uses, so an
// mlx.core.array passes in and out as it is).

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/variant.h>

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
}
