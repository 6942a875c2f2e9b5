"""llama-family GGUF files as mlx-lm model directories.

A GGUF file (llama.cpp's format, and what Ollama and LM Studio store) holds the weights,
the hyper-parameters and the tokenizer in one file. ``convert_gguf`` writes what
``mlx_lm.load`` opens: ``config.json``, ``model.safetensors`` and the tokenizer files
(``gguf_tokenizer``).

Weights: MLX reads F32, F16, Q4_0, Q4_1 and Q8_0 natively, the quantized ones as MLX
affine-quantized arrays (group size 32). Any other tensor type is dequantized by
llama.cpp's own reader (the ``gguf`` package); a type neither can read is refused by
name. Kept quantized for a GPU; dequantized to float32 for the CPU, where MLX runs
float32 products on BLAS and quantized ones several times slower (docs/benchmarks.md).

llama.cpp's converter permutes the rows of ``attn_q`` and ``attn_k`` so that the pairs
rotary embedding turns are adjacent; MLX's *traditional* RoPE turns exactly those
pairs, so the weights are used as they are, with ``rope_traditional: true``.
"""

import json
from collections import Counter
from pathlib import Path
from typing import Any

from punie_training.gguf_tokenizer import write_tokenizer
from punie_training.model_errors import ModelLoadError

SUPPORTED_ARCHITECTURES = ("llama",)
MLX_NATIVE_TYPES = frozenset({"F32", "F16", "Q4_0", "Q4_1", "Q8_0"})
GROUP_SIZE = 32  # every block-quantized type MLX reads natively has 32-element blocks

_LLAMA_LAYER_TENSORS = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
    "attn_norm": "input_layernorm",
    "ffn_norm": "post_attention_layernorm",
}
_LLAMA_GLOBAL_TENSORS = {
    "token_embd": "model.embed_tokens",
    "output_norm": "model.norm",
    "output": "lm_head",
}


class GgufFile:
    """A GGUF file's metadata and tensor list, read with llama.cpp's ``gguf`` reader."""

    def __init__(self, path: Path) -> None:
        from gguf import GGUFReader

        self.path = path
        try:
            self.reader = GGUFReader(path)
        except Exception as error:  # the reader fails in many ways on a damaged file
            raise ModelLoadError(
                f"{path} is not a readable GGUF file, it may be truncated or corrupt "
                f"({type(error).__name__}: {error})"
            ) from error

    def get(self, key: str, default: Any = None) -> Any:
        """The metadata value under ``key``, or ``default``."""
        field = self.reader.fields.get(key)
        return default if field is None else field.contents()

    def require(self, key: str) -> Any:
        """The metadata value under ``key``; a clear error when the file lacks it."""
        value = self.get(key)
        if value is None:
            raise ModelLoadError(f"{self.path.name}: the GGUF metadata has no {key!r}")
        return value

    @property
    def architecture(self) -> str:
        """``general.architecture``, e.g. ``llama``."""
        return str(self.require("general.architecture"))

    def tensor_types(self) -> dict[str, str]:
        """Each tensor's name and GGML type name (``Q4_1``, ``F32``, ``Q6_K``, …)."""
        return {t.name: t.tensor_type.name for t in self.reader.tensors}


def mlx_name(gguf_name: str) -> str | None:
    """The mlx-lm ``llama`` parameter path of a GGUF tensor base name, if it has one."""
    if gguf_name in _LLAMA_GLOBAL_TENSORS:
        return _LLAMA_GLOBAL_TENSORS[gguf_name]
    parts = gguf_name.split(".")
    if len(parts) == 3 and parts[0] == "blk" and parts[1].isdigit():
        target = _LLAMA_LAYER_TENSORS.get(parts[2])
        if target is not None:
            return f"model.layers.{parts[1]}.{target}"
    return None


def convert_gguf(path: Path, out_dir: Path, *, quantized: bool) -> None:
    """Write an mlx-lm model directory for the GGUF file at ``path`` into ``out_dir``.

    ``quantized`` keeps the natively readable quantized tensors as they are (for a GPU);
    otherwise every weight becomes float32 (for the CPU).
    """
    import mlx.core as mx

    gguf = GgufFile(path)
    if gguf.architecture not in SUPPORTED_ARCHITECTURES:
        raise ModelLoadError(
            f"{path.name}: architecture {gguf.architecture!r} is not supported "
            f"(Punie converts llama-family GGUF files: {', '.join(SUPPORTED_ARCHITECTURES)})"
        )
    types = gguf.tensor_types()
    bases = {name.removesuffix(".weight"): name for name in types}
    unknown = sorted(name for name in bases if mlx_name(name) is None)
    if unknown:
        raise ModelLoadError(
            f"{path.name}: tensors {', '.join(unknown[:4])} have no place in a llama model "
            "(a variant such as mixture-of-experts or rope frequency factors, not supported)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_size = write_tokenizer(gguf, out_dir)
    if all(kind in MLX_NATIVE_TYPES for kind in types.values()):
        weights, bits = _native_weights(path, quantized=quantized)
    else:
        weights, bits = _dequantized_weights(gguf, float_dtype="float16" if quantized else None)
    config = _llama_config(gguf, vocab_size=vocab_size, tied="output" not in bases)
    if bits:
        config["quantization"] = _quantization(bits)
    mx.save_safetensors(str(out_dir / "model.safetensors"), weights, metadata={"format": "mlx"})
    (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def _native_weights(path: Path, *, quantized: bool) -> tuple[dict[str, Any], dict[str, int]]:
    """MLX's own GGUF reader; quantized tensors stay packed or become float32."""
    import mlx.core as mx

    try:
        arrays: Any = mx.load(str(path))
    except RuntimeError as error:
        raise ModelLoadError(f"MLX could not read {path.name}: {error}") from error
    weights: dict[str, Any] = {}
    bits: dict[str, int] = {}
    for key, array in arrays.items():
        base, _, part = key.rpartition(".")
        target = mlx_name(base)
        assert target is not None  # checked against the tensor list before
        if part != "weight":
            continue
        scales, biases = arrays.get(f"{base}.scales"), arrays.get(f"{base}.biases")
        if scales is None:
            weights[f"{target}.weight"] = array.astype(mx.float16 if quantized else mx.float32)
            continue
        width = packed_width(array, scales)
        if quantized:
            weights.update(
                {f"{target}.weight": array, f"{target}.scales": scales, f"{target}.biases": biases}
            )
            bits[target] = width
        else:
            full = mx.dequantize(array, scales, biases, group_size=GROUP_SIZE, bits=width)
            weights[f"{target}.weight"] = full.astype(mx.float32)
    return weights, bits


def packed_width(weight: Any, scales: Any) -> int:
    """Bits per value of an MLX-packed matrix: 32-bit words per row against groups of
    ``GROUP_SIZE`` values per row."""
    return weight.shape[-1] * 32 // (scales.shape[-1] * GROUP_SIZE)


def _dequantized_weights(gguf: GgufFile, *, float_dtype: str | None) -> tuple[dict[str, Any], dict]:
    """Every tensor dequantized by llama.cpp's reader (types MLX does not read itself)."""
    import mlx.core as mx
    import numpy as np
    from gguf.quants import dequantize

    dtype = getattr(mx, float_dtype or "float32")
    weights: dict[str, Any] = {}
    for tensor in gguf.reader.tensors:
        try:
            values = dequantize(tensor.data, tensor.tensor_type)
        except NotImplementedError:
            raise ModelLoadError(
                f"{gguf.path.name}: tensor {tensor.name} has type {tensor.tensor_type.name}, "
                "which neither MLX nor llama.cpp's gguf reader can dequantize"
            ) from None
        shape = tuple(int(n) for n in reversed(tensor.shape))
        base = tensor.name.removesuffix(".weight")
        weights[f"{mlx_name(base)}.weight"] = mx.array(
            np.asarray(values, dtype=np.float32).reshape(shape)
        ).astype(dtype)
    return weights, {}


def _quantization(bits: dict[str, int]) -> dict[str, Any]:
    """mlx-lm's ``quantization`` config: the usual width, and the modules that differ."""
    usual = Counter(bits.values()).most_common(1)[0][0]
    config: dict[str, Any] = {"group_size": GROUP_SIZE, "bits": usual}
    for module, width in sorted(bits.items()):
        if width != usual:
            config[module] = {"group_size": GROUP_SIZE, "bits": width}
    return config


def _float(value: Any) -> float:
    """A float32 metadata value as the decimal it was written as (1e-05, not 9.99e-06)."""
    import numpy as np

    return float(repr(np.float32(value)).removeprefix("np.float32(").removesuffix(")"))


def _llama_config(gguf: GgufFile, *, vocab_size: int, tied: bool) -> dict[str, Any]:
    arch = gguf.architecture
    if gguf.get(f"{arch}.expert_count"):
        raise ModelLoadError(f"{gguf.path.name}: mixture-of-experts models are not supported")
    scaling = gguf.get(f"{arch}.rope.scaling.type")
    if scaling not in (None, "none", "linear"):
        raise ModelLoadError(f"{gguf.path.name}: RoPE scaling {scaling!r} is not supported")
    hidden = int(gguf.require(f"{arch}.embedding_length"))
    heads = int(gguf.require(f"{arch}.attention.head_count"))
    config: dict[str, Any] = {
        "model_type": "llama",
        "hidden_size": hidden,
        "num_hidden_layers": int(gguf.require(f"{arch}.block_count")),
        "intermediate_size": int(gguf.require(f"{arch}.feed_forward_length")),
        "num_attention_heads": heads,
        "num_key_value_heads": int(gguf.get(f"{arch}.attention.head_count_kv", heads)),
        "rms_norm_eps": _float(gguf.get(f"{arch}.attention.layer_norm_rms_epsilon", 1e-5)),
        "rope_theta": _float(gguf.get(f"{arch}.rope.freq_base", 10000.0)),
        "rope_traditional": True,
        "max_position_embeddings": int(gguf.get(f"{arch}.context_length", 4096)),
        "vocab_size": vocab_size,
        "tie_word_embeddings": tied,
    }
    head_dim = gguf.get(f"{arch}.attention.key_length")
    if head_dim is not None and int(head_dim) != hidden // heads:
        config["head_dim"] = int(head_dim)
    if scaling == "linear":
        factor = _float(gguf.require(f"{arch}.rope.scaling.factor"))
        config["rope_scaling"] = {"type": "linear", "factor": factor}
    return config
