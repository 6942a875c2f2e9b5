"""One model turn: prefill only what the session's prompt cache lacks, then stream.

A new session's cache starts as a copy of the model's shared system-prompt cache
(``LoadedModel.prefix``), so its first turn prefills only the user's message. Runs on
the model manager's MLX thread. The prompt is prefilled in chunks of about
``PREFILL_CHUNK_S`` each, and text goes out through ``on_text`` as it is generated;
``cancel`` is checked between chunks and after every token, so a cancelled request
frees the thread within a chunk or a token, even with a long message.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from punie_server import decoding
from punie_server.model_manager import LoadedModel
from punie_server.sessions import Session


@dataclass
class TurnOutput:
    """What one generation produced, with its counts and timings."""

    text: str
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    ttft_ms: float
    generation_s: float
    cancelled: bool


def common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the longest common prefix of two token lists."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _fresh_cache(loaded: LoadedModel, prompt: list[int]) -> tuple[list[Any], list[int]]:
    """A cache for ``prompt`` and the tokens it holds: a copy of the shared system-prompt
    cache when the prompt starts with it, else an empty one."""
    from mlx_lm.models.cache import make_prompt_cache

    prefix = loaded.prefix
    if prefix is not None and len(prompt) > len(prefix.tokens) and prefix.is_prefix_of(prompt):
        return prefix.fork(), list(prefix.tokens)
    return make_prompt_cache(loaded.model), []


def _reuse_cache(loaded: LoadedModel, session: Session, prompt: list[int]) -> int:
    """Make the session's cache a prefix of ``prompt``; return how many tokens it keeps."""
    from mlx_lm.models.cache import can_trim_prompt_cache, trim_prompt_cache

    if session.prompt_cache is None:
        session.prompt_cache, session.cache_tokens = _fresh_cache(loaded, prompt)
    # At least one prompt token must be fed to get logits for the next one.
    keep = min(common_prefix(session.cache_tokens, prompt), len(prompt) - 1)
    surplus = len(session.cache_tokens) - keep
    if surplus > 0:
        if can_trim_prompt_cache(session.prompt_cache):
            trim_prompt_cache(session.prompt_cache, surplus)
        else:
            session.prompt_cache, session.cache_tokens = _fresh_cache(loaded, prompt)
            keep = len(session.cache_tokens)
    session.cache_tokens = session.cache_tokens[:keep]
    return keep


# How long one prefill chunk should take: the longest a cancelled request keeps the
# MLX thread. Attention makes a chunk slower the further into the prompt it is, so the
# chunk size follows the time taken (measured on the embedded model: 64 tokens take
# 0.13 s at 11 000 tokens in; all 11 854 tokens of a 32 KB message take 14-17 s
# whatever the chunk size).
PREFILL_CHUNK_S = 0.1
PREFILL_TOKENS = (16, 2048)


def prefill(
    loaded: LoadedModel, session: Session, tokens: list[int], cancel: threading.Event
) -> int:
    """Feed ``tokens`` into the session's prompt cache, in chunks sized to take about
    ``PREFILL_CHUNK_S``, until done or ``cancel`` is set; return how many were fed."""
    import mlx.core as mx

    smallest, largest = PREFILL_TOKENS
    fed, size = 0, 256
    while fed < len(tokens) and not cancel.is_set():
        started = time.perf_counter()
        loaded.model(mx.array(tokens[fed : fed + size])[None], cache=session.prompt_cache)
        mx.eval([layer.state for layer in session.prompt_cache or []])
        fed += len(tokens[fed : fed + size])
        took = time.perf_counter() - started
        if took < PREFILL_CHUNK_S / 2:
            size = min(size * 2, largest)
        elif took > PREFILL_CHUNK_S * 2:
            size = max(size // 2, smallest)
    if fed:
        mx.clear_cache()  # the prefill's temporaries are large; give them back (as mlx-lm)
    return fed


def generate_turn(
    loaded: LoadedModel,
    session: Session,
    prompt: list[int],
    *,
    max_tokens: int,
    temperature: float,
    on_text: Callable[[str], None],
    cancel: threading.Event,
    stop_after: str | None = None,
) -> TurnOutput:
    """Generate the model's next message for ``prompt`` (token ids of the whole chat).

    ``stop_after``: stop as soon as the text contains it (the end of a tool call), so
    a tool call is acted on without waiting for the end-of-turn token.
    """
    from mlx_lm.models.cache import trim_prompt_cache

    started = time.perf_counter()
    keep = _reuse_cache(loaded, session, prompt)
    assert session.prompt_cache is not None
    # The last few tokens go with the first decoding pass (see decoding.FIRST_PASS_PROMPT).
    head = prompt[keep : max(keep, len(prompt) - decoding.FIRST_PASS_PROMPT)]
    prefilled = prefill(loaded, session, head, cancel)
    session.cache_tokens = prompt[: keep + prefilled]
    if cancel.is_set():
        return TurnOutput("", len(prompt), keep, 0, 0.0, 1e-9, cancelled=True)
    text, generated, first_token_at, cancelled = "", [], None, False
    for response in decoding.stream(
        loaded.model,
        loaded.tokenizer,
        session.prompt_cache,
        prompt[keep + prefilled :],
        context=prompt,
        max_tokens=max_tokens,
        temperature=temperature,
        corpus=loaded.call_markup,
    ):
        if first_token_at is None:
            first_token_at = time.perf_counter()
        if cancel.is_set():
            cancelled = True
            break
        generated.append(response.token)
        text += response.text
        on_text(response.text)
        if stop_after is not None and stop_after in text:
            break
    finished = time.perf_counter()
    offset = getattr(session.prompt_cache[0], "offset", None) if session.prompt_cache else None
    fed = prompt + generated
    if isinstance(offset, int) and offset > len(fed):
        # Accepted draft tokens past the point where this turn stopped taking them.
        trim_prompt_cache(session.prompt_cache, offset - len(fed))
        offset = len(fed)
    session.cache_tokens = fed[:offset] if isinstance(offset, int) else []
    if not isinstance(offset, int):
        session.prompt_cache = None
    first = first_token_at or finished
    return TurnOutput(
        text=text,
        prompt_tokens=len(prompt),
        cached_tokens=keep,
        completion_tokens=len(generated),
        ttft_ms=(first - started) * 1000,
        generation_s=max(finished - first, 1e-9),
        cancelled=cancelled,
    )
