"""Punie's CPU kernels for MLX.

``quantized_decode_matmul`` multiplies a few float32 rows (a decoding step: the last
token plus its draft tokens) with affine-quantized weights (MLX's packing, 4 or 8 bits,
groups of 32), plus an optional unfused LoRA term. On a CPU, where MLX's own quantized
products run slower than its float32 ones, this reads the packed weights once per step,
splitting the output rows over the given threads (docs/benchmarks.md). CPU only;
x86-64 with AVX2, FMA and F16C (``cpu_supported()``).
"""

import mlx.core  # noqa: F401  (loads libmlx, which the extension links against)

from punie_kernels._kernels import cpu_supported, quantized_decode_matmul

__all__ = ["cpu_supported", "quantized_decode_matmul"]
