"""Loads one mlx-lm model, once, off the event loop, and reports how that is going.

Every session shares the loaded model. All MLX work (loading and generation) runs on
one dedicated thread: generation is serialised anyway (one model, one device), and
keeping MLX on a single thread avoids cross-thread stream surprises.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from punie_server.drafts import call_markup
from punie_training.prefix import PrefixCache, system_prefix

ModelState = Literal["unloaded", "loading", "ready", "failed"]


class ModelLoadError(RuntimeError):
    """The model could not be found or loaded; the message says which and why."""


def embedded_model_path() -> Path:
    """The small model shipped inside the ``punie`` package."""
    return Path(str(files("punie_server") / "embedded_model"))


def resolve_model(spec: str | None) -> str:
    """Turn a ``--model`` value into what ``mlx_lm.load`` takes, or fail clearly.

    No spec means the embedded model. A spec that looks like a path (absolute,
    relative with a separator, or existing) must be a model directory; anything of the
    form ``owner/name`` that is not a local path is treated as a hub id.
    """
    if not spec:
        path = embedded_model_path()
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"the embedded model is missing from {path}")
        return str(path)
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"{path} is not an mlx-lm model directory (no config.json)")
        return str(path.resolve())
    looks_like_path = spec.startswith((".", "/", "~")) or spec.count("/") != 1
    if looks_like_path:
        raise ModelLoadError(f"model path {spec!r} does not exist")
    return spec


@dataclass
class LoadedModel:
    """A model, its mlx-lm tokenizer wrapper, and what every chat with it shares: the
    prompt cache of the system turn (``None``: start from an empty cache) and the tokens
    of an ``execute_code`` call's markup (drafted from while decoding)."""

    name: str
    model: Any
    tokenizer: Any
    prefix: PrefixCache | None = None
    call_markup: list[int] = field(default_factory=list)


class ModelManager:
    """Owns the model's life cycle: unloaded → loading → ready | failed."""

    def __init__(self, spec: str | None) -> None:
        self.spec = spec
        self.state: ModelState = "unloaded"
        self.error: str | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="punie-mlx")
        self._loaded: LoadedModel | None = None
        self._task: asyncio.Future[LoadedModel] | None = None

    @property
    def name(self) -> str:
        """A short human name for the configured model."""
        return self.spec or "punie-tiny (embedded)"

    def configure(self, spec: str | None) -> None:
        """Choose the model before it is loaded; later changes need a restart."""
        if self.state == "unloaded":
            self.spec = spec

    def start_loading(self) -> None:
        """Begin loading in the background if nobody has yet, or again after a failure
        (the model directory may have been put back or fixed since)."""
        if self._task is None or self.state == "failed":
            loop = asyncio.get_running_loop()
            self.state = "loading"
            self._task = loop.run_in_executor(self.executor, self._load)

    async def get(self) -> LoadedModel:
        """The loaded model, loading it first if needed; ``ModelLoadError`` on failure."""
        self.start_loading()
        assert self._task is not None
        return await asyncio.shield(self._task)

    def _load(self) -> LoadedModel:
        try:
            path = resolve_model(self.spec)
            from punie_training.accel import use_fast_cpu_blas

            use_fast_cpu_blas("generation")
            from mlx_lm import load

            model, tokenizer = load(path)[:2]
            if not getattr(tokenizer, "has_tool_calling", False):
                raise ModelLoadError(f"model {self.name} has no tool-calling chat template")
            # Built now, not on the first chat: every session's first turn starts from it.
            prefix = PrefixCache.build(model, system_prefix(tokenizer))
        except ModelLoadError as error:
            self._fail(str(error))
            raise
        except Exception as error:  # any loader failure becomes a clear, typed error
            self._fail(f"could not load model {self.name}: {type(error).__name__}: {error}")
            raise ModelLoadError(self.error) from error
        self._loaded = LoadedModel(self.name, model, tokenizer, prefix, call_markup(tokenizer))
        self.state = "ready"
        return self._loaded

    def _fail(self, message: str) -> None:
        self.state = "failed"
        self.error = message

    def shutdown(self) -> None:
        """Stop the MLX thread (pending generation is abandoned)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
