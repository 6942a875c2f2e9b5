"""How a turn's tokens are produced and turned into streamed text.

At temperature 0 (the default) decoding is greedy with prompt-lookup drafts
(``punie_server.drafts``): each forward pass feeds the last token plus a guess of the
tokens after it, and keeps the guessed tokens up to the first one the model would not
have chosen itself, plus the model's own choice there. The output is the model's greedy
output, token for token; a pass that verifies k guesses costs little more than one that
feeds a single token, because on a CPU a pass is bound by reading the weights, not by
the arithmetic. Any other temperature samples with mlx-lm's ``generate_step``.

``stream`` turns either token source into text pieces exactly as mlx-lm's
``stream_generate`` does (same detokenizer, same end-of-sequence and ``max_tokens``
rules), so the caller's cancel checks, streaming and stops see one token at a time.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from punie_server.drafts import NgramDrafts

# Guessed tokens per pass at most: with the packed kernels a pass of one row costs about
# as much as four more rows together, so longer guesses rarely pay (bench/decode_profile.py).
MAX_DRAFT = 4
# Prompt tokens a caller leaves to the first pass rather than prefilling them: they ride
# along with it instead of costing a pass of their own, and a longer feed would pay for
# logits (an output layer per row) that prefilling skips.
FIRST_PASS_PROMPT = 16


@dataclass(frozen=True)
class Piece:
    """One generated token and the text it completes (possibly empty)."""

    token: int
    text: str


def stream(
    model: Any,
    tokenizer: Any,
    cache: list[Any],
    feed: Sequence[int],
    *,
    context: Sequence[int],
    max_tokens: int,
    temperature: float,
    corpus: Sequence[int] = (),
) -> Iterator[Piece]:
    """The model's next tokens after ``context`` as text pieces, ``stream_generate``'s way.

    ``cache`` holds ``context`` minus ``feed`` (its last tokens, at least one); it is
    updated in place and may end up holding tokens past the last piece taken, which the
    caller trims. ``corpus``: extra text to draft from (the model's call markup).
    """
    from mlx_lm.models.cache import can_trim_prompt_cache

    if temperature == 0 and can_trim_prompt_cache(cache):
        drafts = NgramDrafts(context, corpus)
        tokens = greedy_tokens(model, cache, feed, drafts, max_tokens=max_tokens)
    else:
        tokens = sampled_tokens(model, cache, feed, max_tokens=max_tokens, temperature=temperature)
    detokenizer = tokenizer.detokenizer
    token = None
    for n, token in enumerate(tokens):
        if token in tokenizer.eos_token_ids:
            break
        detokenizer.add_token(token)
        if n + 1 == max_tokens:
            break
        yield Piece(token, detokenizer.last_segment)
    detokenizer.finalize()
    if token is not None:
        yield Piece(token, detokenizer.last_segment)


def greedy_tokens(
    model: Any, cache: list[Any], feed: Sequence[int], drafts: NgramDrafts, *, max_tokens: int
) -> Iterator[int]:
    """Greedy tokens after ``feed`` (which ``cache`` lacks, all fed with the first pass),
    verifying drafts as it goes.

    ``drafts`` holds the whole context so far and is extended with every token produced.
    Draws at most ``max_tokens`` tokens' worth of work; on exit the cache holds every
    token yielded except the last (it has not been fed yet), plus any accepted draft
    tokens not yet taken.
    """
    import mlx.core as mx
    from mlx_lm.models.cache import trim_prompt_cache

    pending = list(feed)
    produced = 0
    limit = MAX_DRAFT
    while produced < max_tokens:
        guess = drafts.draft(min(limit, max_tokens - produced - 1))
        logits = model(mx.array([pending + guess]), cache=cache)
        # Row i predicts what follows input i: the last pending token's row, then a guess's.
        rows = logits[0, len(pending) - 1 :]
        choices = cast(list[int], mx.argmax(rows, axis=-1).tolist())
        kept = 0
        while kept < len(guess) and guess[kept] == choices[kept]:
            kept += 1
        if guess:
            limit = next_draft_limit(limit, len(guess), kept)
        if kept < len(guess):
            trim_prompt_cache(cache, len(guess) - kept)
        new = [*guess[:kept], choices[kept]]
        drafts.extend(new)
        pending = new[-1:]
        for token in new:
            produced += 1
            yield token


def next_draft_limit(limit: int, guessed: int, kept: int) -> int:
    """How many tokens to guess next after ``kept`` of ``guessed`` were right: more after
    a run of right guesses, down to one more than were right after a miss (each guessed
    token costs about a quarter of a pass, so long wrong guesses are not free)."""
    if kept == guessed:
        return min(MAX_DRAFT, limit + 2)
    return max(1, kept + 1)


def sampled_tokens(
    model: Any, cache: list[Any], feed: Sequence[int], *, max_tokens: int, temperature: float
) -> Iterator[int]:
    """Tokens sampled at ``temperature`` by mlx-lm's own generation loop."""
    import mlx.core as mx
    from mlx_lm.generate import generate_step
    from mlx_lm.sample_utils import make_sampler

    for token, _ in generate_step(
        mx.array(list(feed)),
        model,
        max_tokens=max_tokens,
        sampler=make_sampler(temp=temperature),
        prompt_cache=cache,
    ):
        yield int(token)
