"""Punie's CPU kernels for MLX.

- ``quantized_decode_matmul`` multiplies a few float32 rows (a decoding step: the last
  token plus its draft tokens) with affine-quantized weights (MLX's packing, 4 or 8
  bits, groups of 32), plus an optional unfused LoRA term. On a CPU, where MLX's own
  quantized products run slower than its float32 ones, it reads the packed weights once
  per step.
- ``decode_block`` runs a whole llama layer for a decoding step in one call.
- ``dense_matmul``, ``causal_attention`` and ``silu_mul`` run a prompt's products,
  attention and SwiGLU on every core (MLX's CPU versions use one).

All split their work over the given threads (one pool for the process;
docs/benchmarks.md). CPU only; x86-64 with AVX2, FMA and F16C (``cpu_supported()``).
"""

import mlx.core  # noqa: F401  (loads libmlx, which the extension links against)

from punie_kernels._kernels import (
    causal_attention,
    cpu_supported,
    decode_block,
    dense_matmul,
    quantized_decode_matmul,
    silu_mul,
)

__all__ = [
    "causal_attention",
    "cpu_supported",
    "decode_block",
    "dense_matmul",
    "quantized_decode_matmul",
    "silu_mul",
]
