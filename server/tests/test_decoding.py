"""Greedy decoding with prompt-lookup drafts gives the model's own greedy tokens, and
``stream`` streams them the way mlx-lm's ``stream_generate`` does."""

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from punie_server.decoding import (
    FIRST_PASS_PROMPT,
    MAX_DRAFT,
    greedy_tokens,
    next_draft_limit,
    stream,
)
from punie_server.drafts import NgramDrafts
from tests.rule_models import RuleModel, TokenCache, cycling

VOCAB = 12


def table_rule(table: dict[tuple[int, int], int]) -> Any:
    """A rule whose next token depends on the last two (a missing one counts as 0)."""
    return lambda seq: table[(seq[-2] if len(seq) > 1 else 0, seq[-1])]


def random_table(draw: Any) -> dict[tuple[int, int], int]:
    choices = st.integers(0, VOCAB - 1)
    return {(a, b): draw(choices) for a in range(VOCAB) for b in range(VOCAB)}


def decode(
    model: RuleModel,
    context: list[int],
    max_tokens: int,
    corpus: list[int] | None = None,
    *,
    feed: int = 1,
) -> tuple[list[int], TokenCache]:
    """Greedy tokens after ``context``, whose last ``feed`` tokens the cache lacks."""
    cache = TokenCache(list(context[:-feed]))
    drafts = NgramDrafts(context, corpus or [])
    tokens = list(greedy_tokens(model, [cache], context[-feed:], drafts, max_tokens=max_tokens))
    return tokens, cache


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_drafted_decoding_gives_exactly_the_models_greedy_tokens(data: st.DataObject):
    model = RuleModel(table_rule(random_table(data.draw)), VOCAB)
    context = data.draw(st.lists(st.integers(0, VOCAB - 1), min_size=1, max_size=30))
    corpus = data.draw(st.lists(st.integers(0, VOCAB - 1), max_size=20))
    max_tokens = data.draw(st.integers(1, 40))
    feed = data.draw(st.integers(1, len(context)))
    tokens, _ = decode(model, context, max_tokens, corpus, feed=feed)
    assert tokens == model.greedy(context, max_tokens)


def test_right_drafts_verify_several_tokens_per_pass():
    # The next token depends on the last one only, so an earlier occurrence always
    # predicts the continuation: every draft is right.
    cycle = [3, 1, 4, 5, 9, 2, 6, 8, 7, 10, 11]  # longer than a pass, so drafts are whole
    model = RuleModel(cycling(cycle, 0), VOCAB)
    passes = 5
    tokens, _ = decode(model, cycle * 2, passes * (MAX_DRAFT + 1))
    assert tokens == model.greedy(cycle * 2, passes * (MAX_DRAFT + 1))
    assert len(model.passes) == passes


def test_after_a_wrong_guess_the_next_one_is_one_longer_than_its_right_part():
    assert next_draft_limit(MAX_DRAFT, guessed=MAX_DRAFT, kept=1) == 2
    assert next_draft_limit(MAX_DRAFT, guessed=3, kept=0) == 1


def test_after_right_guesses_the_next_one_grows_up_to_the_maximum():
    assert next_draft_limit(1, guessed=1, kept=1) == 3
    assert next_draft_limit(MAX_DRAFT - 1, guessed=2, kept=2) == MAX_DRAFT


def test_wrong_drafts_cost_passes_but_never_change_a_token():
    model = RuleModel(lambda seq: sum(seq[-2:]) % VOCAB, VOCAB)
    misleading = [7, 8, 0, 0, 0, 0, 0, 0, 0, 0]
    tokens, _ = decode(model, [7, 8], 20, corpus=misleading)
    assert tokens == model.greedy([7, 8], 20)


def test_the_cache_ends_holding_every_token_but_the_last_and_no_rejected_draft():
    model = RuleModel(lambda seq: (3 * seq[-2] + seq[-1]) % VOCAB, VOCAB)
    context = [1, 2, 3, 1, 2, 3, 1, 2]
    tokens, cache = decode(model, context, 25, corpus=[2, 5, 5, 5])
    assert cache.tokens == (context + tokens)[:-1]


def test_the_whole_feed_goes_with_the_first_pass():
    model = RuleModel(lambda seq: (seq[-1] + 1) % VOCAB, VOCAB)
    decode(model, [5] * FIRST_PASS_PROMPT, 1, feed=FIRST_PASS_PROMPT)
    assert model.passes == [FIRST_PASS_PROMPT]


def test_no_pass_drafts_beyond_max_tokens():
    cycle = [1, 2, 3]
    model = RuleModel(cycling(cycle, 1), VOCAB)
    tokens, cache = decode(model, cycle * 3, 4)
    assert len(tokens) == 4
    assert cache.offset == len(cycle * 3) + 3


# -- stream(): the text side, against mlx-lm on a real (random) tiny model ---------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    from punie_training.accel import use_fast_cpu_blas

    use_fast_cpu_blas("generation")
    from mlx_lm import load

    from punie_training.tiny import write_untrained_model

    return load(str(write_untrained_model(Path(tmp_path_factory.mktemp("model")))))[:2]


def mlx_lm_pieces(model: Any, tokenizer: Any, prompt: list[int], **kwargs: Any) -> list[Any]:
    from mlx_lm import stream_generate

    return [(r.token, r.text) for r in stream_generate(model, tokenizer, prompt, **kwargs)]


def our_pieces(
    model: Any, tokenizer: Any, prompt: list[int], *, max_tokens: int, temperature: float
) -> list[Any]:
    from mlx_lm.models.cache import make_prompt_cache

    pieces = stream(
        model,
        tokenizer,
        make_prompt_cache(model),
        prompt,
        context=prompt,
        max_tokens=max_tokens,
        temperature=temperature,
    )
    return [(p.token, p.text) for p in pieces]


PROMPTS = ["def read_file(path):", "hello hello hello hello", "Find all Python files"]


@pytest.mark.parametrize("max_tokens", [1, 7, 60])
@pytest.mark.parametrize("text", PROMPTS)
def test_greedy_pieces_are_stream_generates(tiny, text: str, max_tokens: int):
    from mlx_lm.sample_utils import make_sampler

    model, tokenizer = tiny
    prompt = tokenizer.encode(text)
    expected = mlx_lm_pieces(
        model, tokenizer, prompt, max_tokens=max_tokens, sampler=make_sampler(temp=0.0)
    )
    got = our_pieces(model, tokenizer, prompt, max_tokens=max_tokens, temperature=0.0)
    assert got == expected


def test_sampled_pieces_are_stream_generates_with_the_same_seed(tiny):
    import mlx.core as mx
    from mlx_lm.sample_utils import make_sampler

    model, tokenizer = tiny
    prompt = tokenizer.encode(PROMPTS[0])
    mx.random.seed(7)
    expected = mlx_lm_pieces(model, tokenizer, prompt, max_tokens=30, sampler=make_sampler(0.8))
    mx.random.seed(7)
    assert our_pieces(model, tokenizer, prompt, max_tokens=30, temperature=0.8) == expected
