"""Layers that run a decoding step's products on packed weights.

A float32 model on a CPU reads all of its weights for every decoding step; the packed
4-bit form of the same weights (a GGUF file's own blocks) is an eighth of that. These
wrappers keep the float32 weights for what they are fast at (a prompt's many rows go
to BLAS, split over the threads by ``dense_matmul``, each thread with its own serial
BLAS call) and send steps of at most ``PACKED_ROWS`` rows to ``quantized_decode_matmul``.
A LoRA adapter stays unfused on the packed side (``LowRank``), so the packed base is
exactly the file's and the product is the fused float32 one up to rounding.

``PackedBlock`` goes one step further for mlx-lm's llama layer: a decoding step runs the
whole layer (norms, products, RoPE, attention over the cache, SwiGLU) as one
``decode_block`` call instead of some 25 graph nodes.
"""

import os
from dataclasses import dataclass
from typing import Any

import mlx.core as mx
import mlx.nn as nn

from punie_kernels._kernels import (
    causal_attention,
    decode_block,
    dense_matmul,
    quantized_decode_matmul,
    silu_mul,
)

# A decoding step feeds the last token plus a few draft tokens; a batch of more
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
        if _rows(x) <= PACKED_ROWS:
            return _packed_product(x, self._packed, self._low_rank, self._threads, self.dense)
        if x.dtype != mx.float32 or self.dense.weight.dtype != mx.float32:
            return self.dense(x)
        # A prompt: MLX would make one serial BLAS call; the threads split its columns.
        y = dense_matmul(x, self.dense.weight, self._threads)
        return y + self.dense.bias if "bias" in self.dense else y


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


# The projections of a llama layer, in the order ``decode_block`` takes them.
BLOCK_PROJECTIONS = (
    "self_attn.q_proj",
    "self_attn.k_proj",
    "self_attn.v_proj",
    "self_attn.o_proj",
    "mlp.gate_proj",
    "mlp.up_proj",
    "mlp.down_proj",
)


class PackedBlock(nn.Module):
    """mlx-lm's llama ``TransformerBlock`` on the kernels: a decoding step as one call,
    a prompt on every core.

    ``block``'s seven projections must be bias-free ``PackedLinear`` layers sharing one
    LoRA scale, its RoPE a plain ``nn.RoPE`` over the whole head (``fusable`` says
    whether they are). With a ``cache`` of exactly ``cache_type`` (one sequence, keys
    stored in order) and a causal mask, a step of at most ``PACKED_ROWS`` rows takes
    ``decode_block`` and a longer one (a prompt) the layer's own arithmetic with its
    attention and SwiGLU on the kernels' threads; anything else (a batch cache, an array
    mask) runs ``block`` itself.
    """

    def __init__(self, block: nn.Module, cache_type: type) -> None:
        super().__init__()
        self.block = block
        self.use_sliding = getattr(block, "use_sliding", False)
        self._cache_type = cache_type
        attention = block.self_attn
        layers = [_submodule(block, name) for name in BLOCK_PROJECTIONS]
        self._weights = [a for layer in layers for a in _packed_arrays(layer._packed)]
        self._bits = [layer._packed.bits for layer in layers]
        self._lora = [a for layer in layers for a in _low_rank_arrays(layer._low_rank)]
        self._lora_scale = next((la._low_rank.scale for la in layers if la._low_rank), 0.0)
        self._heads = attention.n_heads
        self._scale = attention.scale
        self._rope = attention.rope
        self._threads = kernel_threads()

    def __call__(self, x: mx.array, mask: Any = None, cache: Any = None) -> mx.array:
        block = self.block
        if (
            type(cache) is not self._cache_type
            or x.shape[0] != 1
            or not (mask is None or (isinstance(mask, str) and mask == "causal"))
            or x.dtype != mx.float32
        ):
            return block(x, mask, cache)
        if x.shape[1] > PACKED_ROWS or cache.keys is None:
            return self._prompt(x, cache)
        out, keys, values = decode_block(
            x,
            cache.keys,
            cache.values,
            cache.offset,
            block.input_layernorm.weight,
            block.post_attention_layernorm.weight,
            block.input_layernorm.eps,
            self._weights,
            self._bits,
            self._lora,
            self._lora_scale,
            self._heads,
            self._scale,
            self._rope.base,
            self._rope.scale,
            self._rope.traditional,
            self._threads,
        )
        cache.update_and_fetch(keys, values)
        return out

    def _prompt(self, x: mx.array, cache: Any) -> mx.array:
        """The layer on a prompt's rows, as mlx-lm's layer computes it, with its
        attention and SwiGLU on the kernels' threads (MLX's own run on one core)."""
        block = self.block
        attention = block.self_attn
        rows = x.shape[1]
        h = block.input_layernorm(x)

        def heads(y: mx.array) -> mx.array:
            return y.reshape(1, rows, -1, attention.head_dim).transpose(0, 2, 1, 3)

        queries = attention.rope(heads(attention.q_proj(h)), offset=cache.offset)
        keys = attention.rope(heads(attention.k_proj(h)), offset=cache.offset)
        keys, values = cache.update_and_fetch(keys, heads(attention.v_proj(h)))
        mixed = causal_attention(queries, keys, values, self._scale, self._threads)
        h = x + attention.o_proj(mixed)
        mlp = block.mlp
        r = block.post_attention_layernorm(h)
        return h + mlp.down_proj(silu_mul(mlp.gate_proj(r), mlp.up_proj(r), self._threads))

    @staticmethod
    def fusable(block: nn.Module) -> bool:
        """Whether ``block`` has what ``PackedBlock`` needs (see the class)."""
        try:
            layers = [_submodule(block, name) for name in BLOCK_PROJECTIONS]
            attention = block.self_attn
            norms = (block.input_layernorm, block.post_attention_layernorm)
        except AttributeError:
            return False
        if not all(isinstance(la, PackedLinear) and "bias" not in la.dense for la in layers):
            return False
        scales = {la._low_rank.scale for la in layers if la._low_rank is not None}
        return (
            len(scales) <= 1
            and type(attention.rope) is nn.RoPE
            and attention.rope.dims == attention.head_dim
            and all(type(norm) is nn.RMSNorm for norm in norms)
            and norms[0].eps == norms[1].eps
        )


def _submodule(module: nn.Module, path: str) -> Any:
    for part in path.split("."):
        module = getattr(module, part)
    return module


def _packed_arrays(packed: Packed) -> list[mx.array]:
    return [packed.weight, packed.scales, packed.biases]


def _low_rank_arrays(low_rank: LowRank | None) -> list[mx.array | None]:
    return [low_rank.a, low_rank.b] if low_rank else [None, None]


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
