"""Layers that run a decoding step's products on packed weights.

A float32 model on a CPU reads all of its weights for every decoding step; the packed
4-bit form of the same weights (a GGUF file's own blocks) is an eighth of that. These
wrappers keep the float32 layer for what it is fast at (a prompt's many rows go to
BLAS) and send steps of at most ``PACKED_ROWS`` rows to ``quantized_decode_matmul``.
A LoRA adapter stays unfused on the packed side (``LowRank``), so the packed base is
exactly the file's and the product is the fused float32 one up to rounding.
"""

import os
from dataclasses import dataclass
from typing import Any

import mlx.core as mx
import mlx.nn as nn

from punie_kernels._kernels import quantized_decode_matmul

# A decoding step feeds the last token plus up to eight draft tokens; a batch of more
# rows than this is a prompt, which BLAS multiplies faster from float32.
PACKED_ROWS = 16


def kernel_threads() -> int:
    """Threads per product: the cores this process may run on, at most eight (past
    that a 135 M model's products are too small to split)."""
    return max(1, min(len(os.sched_getaffinity(0)), 8))


@dataclass(frozen=True)
class Packed:
    """One weight matrix in MLX's affine packing (``mx.quantize``'s output)."""

    weight: mx.array
    scales: mx.array
    biases: mx.array
    bits: int


@dataclass(frozen=True)
class LowRank:
    """An unfused LoRA term: ``scale * (x @ a) @ b``."""

    a: mx.array
    b: mx.array
    scale: float


def _rows(x: mx.array) -> int:
    return x.size // x.shape[-1] if x.ndim else 1


class PackedLinear(nn.Module):
    """``dense`` for prompts; packed weights (plus ``low_rank``) for decoding steps."""

    def __init__(self, dense: nn.Linear, packed: Packed, low_rank: LowRank | None) -> None:
        super().__init__()
        self.dense = dense
        self._packed = packed
        self._low_rank = low_rank
        self._threads = kernel_threads()

    def __call__(self, x: mx.array) -> mx.array:
        if _rows(x) > PACKED_ROWS:
            return self.dense(x)
        return _packed_product(x, self._packed, self._low_rank, self._threads, self.dense)


class PackedEmbedding(nn.Module):
    """A tied embedding whose output projection (``as_linear``) decodes packed."""

    def __init__(self, dense: nn.Embedding, packed: Packed) -> None:
        super().__init__()
        self.dense = dense
        self._packed = packed
        self._threads = kernel_threads()

    def __call__(self, ids: mx.array) -> mx.array:
        return self.dense(ids)

    def as_linear(self, x: mx.array) -> mx.array:
        """The logits of ``x`` against the embedding table."""
        if _rows(x) > PACKED_ROWS:
            return self.dense.as_linear(x)
        return _packed_product(x, self._packed, None, self._threads, None)


def _packed_product(
    x: mx.array, packed: Packed, low_rank: LowRank | None, threads: int, dense: Any
) -> mx.array:
    y = quantized_decode_matmul(
        x,
        packed.weight,
        packed.scales,
        packed.biases,
        packed.bits,
        low_rank.a if low_rank else None,
        low_rank.b if low_rank else None,
        low_rank.scale if low_rank else 0.0,
        threads,
    )
    bias = getattr(dense, "bias", None) if dense is not None else None
    y = y if bias is None else y + bias
    return y.astype(x.dtype)


def install(model: nn.Module, packed: dict[str, Packed], low_rank: dict[str, LowRank]) -> int:
    """Wrap every ``nn.Linear`` / ``nn.Embedding`` of ``model`` named in ``packed`` (by
    module path, ``model.layers.0.mlp.up_proj``), with its ``low_rank`` term if any;
    return how many were wrapped."""
    from mlx.utils import tree_unflatten

    swaps: list[tuple[str, nn.Module]] = []
    for name, module in model.named_modules():
        if name not in packed:
            continue
        if isinstance(module, nn.Linear):
            swaps.append((name, PackedLinear(module, packed[name], low_rank.get(name))))
        elif isinstance(module, nn.Embedding):
            swaps.append((name, PackedEmbedding(module, packed[name])))
    if swaps:
        model.update_modules(tree_unflatten(swaps))
    return len(swaps)
