"""A CPU model converted from a GGUF file decodes from the file's packed weights.

MLX runs a float32 model fastest on a CPU for prompts (BLAS), but a decoding step then
reads 540 MB of SmolLM2-135M's weights per token, where the GGUF file's own 4-bit
blocks are 67 MB and MLX's quantized CPU products are slower than float32 ones.
``punie_kernels`` multiplies a step's few rows with the packed blocks directly; this
module wires its layers into a loaded model: every linear layer (and the tied output
projection) whose weights the GGUF file holds packed, with the adapter's LoRA terms
unfused beside them (the float32 layer keeps the fused weights for prompts), and every
llama layer whose parts all decode packed as one fused kernel call per step.

Where the kernels cannot run (not x86-64 Linux with AVX2, FMA and F16C, or not built),
the model stays as it is: float32 everywhere, the same answers, slower.
"""

from pathlib import Path
from typing import Any

from punie_training.gguf import GgufFile, packed_width

# GGUF block types MLX reads as 4- or 8-bit affine groups of 32, the kernels' format.
PACKED = frozenset({"Q4_0", "Q4_1", "Q8_0"})

# A LoRA layer's unfused term: (lora_a [in, r], lora_b [r, out], scale).
LowRankTerms = dict[str, tuple[Any, Any, float]]


def kernels_available() -> bool:
    """Whether ``punie_kernels`` is installed and this CPU can run it."""
    try:
        from punie_kernels import cpu_supported
    except ImportError:
        return False
    return cpu_supported()


def low_rank_terms(model: Any) -> LowRankTerms:
    """The LoRA terms of ``model``'s adapter layers by module path, read before the
    adapter is fused into the float32 weights (the packed side keeps them unfused)."""
    return {
        name: (module.lora_a, module.lora_b, float(module.scale))
        for name, module in model.named_modules()
        if hasattr(module, "lora_a") and hasattr(module, "lora_b")
    }


def install_packed_decoding(model: Any, gguf: Path, low_rank: LowRankTerms) -> int:
    """Wrap ``model``'s layers (loaded from ``gguf``, its adapter's ``low_rank`` terms
    fused into the float32 weights) with the file's packed weights and those terms;
    return how many layers decode packed (0 when the kernels are not available or the
    file holds no packed blocks)."""
    if not kernels_available() or not set(GgufFile(gguf).tensor_types().values()) & PACKED:
        return 0
    import mlx.core as mx
    from mlx_lm.models.cache import KVCache
    from mlx_lm.models.llama import TransformerBlock

    from punie_kernels.layers import LowRank, Packed, PackedBlock, install
    from punie_training.model_source import gguf_model_dir

    arrays: Any = mx.load(str(gguf_model_dir(gguf, quantized=True) / "model.safetensors"))
    packed: dict[str, Packed] = {}
    for key, weight in arrays.items():
        name, _, part = key.rpartition(".")
        scales = arrays.get(f"{name}.scales")
        if part != "weight" or scales is None:
            continue
        bits = packed_width(weight, scales)
        if bits in (4, 8):
            packed[name] = Packed(weight, scales, arrays[f"{name}.biases"], bits)
    terms = {name: LowRank(a, b, scale) for name, (a, b, scale) in low_rank.items()}
    count = install(model, packed, terms)
    # Only mlx-lm's llama layer: the fused kernel is that layer's arithmetic.
    layers = getattr(model, "layers", [])
    for i, layer in enumerate(layers):
        if type(layer) is TransformerBlock and PackedBlock.fusable(layer):
            layers[i] = PackedBlock(layer, KVCache)
    return count
