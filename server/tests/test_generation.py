"""One model turn: a new session starts from the shared system-prompt cache, and however a
turn ends, the session's cache holds exactly the tokens it says it holds."""

import threading
from pathlib import Path
from typing import Any

import pytest

from punie_server.decoding import FIRST_PASS_PROMPT
from punie_server.generation import generate_turn
from punie_server.model_manager import LoadedModel
from punie_server.sessions import Session
from punie_training.prefix import PrefixCache
from tests.rule_models import RuleModel, cycling


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from mlx_lm.tokenizer_utils import load

    from punie_training.tiny import write_untrained_model

    return load(write_untrained_model(Path(tmp_path_factory.mktemp("model"))))


@pytest.fixture
def model(tokenizer: Any) -> RuleModel:
    words = [t for t in range(40, 60) if t not in tokenizer.eos_token_ids]
    return RuleModel(cycling(words, words[0]), tokenizer.vocab_size)


PREFIX = [40, 41, 42, 43, 44, 45]


def loaded_with_prefix(model: RuleModel, tokenizer: Any) -> LoadedModel:
    return LoadedModel("rule", model, tokenizer, prefix=PrefixCache.build(model, PREFIX))


def turn(loaded: LoadedModel, session: Session, prompt: list[int], **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "max_tokens": 30,
        "temperature": 0.0,
        "on_text": lambda _: None,
        "cancel": threading.Event(),
    }
    return generate_turn(loaded, session, prompt, **(options | kwargs))


def test_a_new_session_starts_from_the_shared_prefix_and_prefills_only_the_rest(
    model: RuleModel, tokenizer: Any
):
    loaded = loaded_with_prefix(model, tokenizer)
    model.passes.clear()
    prompt = [*PREFIX, 7, 8, 9]
    out = turn(loaded, Session("s"), prompt)
    assert out.cached_tokens == len(PREFIX)
    assert model.passes[0] == len(prompt) - len(PREFIX)  # the prefix is never fed again


def test_a_long_prompt_is_prefilled_but_its_last_tokens_go_with_the_first_pass(
    model: RuleModel, tokenizer: Any
):
    loaded = loaded_with_prefix(model, tokenizer)
    model.passes.clear()
    turn(loaded, Session("s"), [7] * 40, max_tokens=1)
    assert model.passes == [40 - FIRST_PASS_PROMPT, FIRST_PASS_PROMPT]


def test_the_shared_prefix_is_never_changed_by_a_session(model: RuleModel, tokenizer: Any):
    loaded = loaded_with_prefix(model, tokenizer)
    turn(loaded, Session("s"), [*PREFIX, 7, 8])
    assert loaded.prefix is not None
    assert loaded.prefix.cache[0].tokens == PREFIX


def test_a_prompt_without_the_prefix_starts_from_an_empty_cache(model: RuleModel, tokenizer: Any):
    out = turn(loaded_with_prefix(model, tokenizer), Session("s"), [1, 2, 3])
    assert out.cached_tokens == 0


def test_a_turn_stopped_inside_accepted_drafts_leaves_the_cache_as_the_session_says(
    model: RuleModel, tokenizer: Any
):
    loaded = loaded_with_prefix(model, tokenizer)
    session = Session("s")
    # The prompt holds the whole cycle, so every draft is right and passes are long.
    prompt = [*PREFIX, *range(46, 60), 40]
    stop = tokenizer.decode([44])
    out = turn(loaded, session, prompt, stop_after=stop)
    assert stop in out.text
    assert session.prompt_cache is not None
    assert session.prompt_cache[0].tokens == session.cache_tokens
    assert (
        session.cache_tokens
        == (prompt + model.greedy(prompt, out.completion_tokens))[: len(session.cache_tokens)]
    )


def test_a_cancelled_turn_stops_within_one_token_and_its_cache_stays_consistent(
    model: RuleModel, tokenizer: Any
):
    loaded = loaded_with_prefix(model, tokenizer)
    session = Session("s")
    cancel = threading.Event()
    prompt = [*PREFIX, *range(46, 60), 40]
    out = turn(loaded, session, prompt, cancel=cancel, on_text=lambda _: cancel.set())
    assert out.cancelled
    assert out.completion_tokens == 1
    assert session.prompt_cache is not None
    assert session.prompt_cache[0].tokens == session.cache_tokens


def test_a_follow_up_answers_as_a_fresh_session_would(model: RuleModel, tokenizer: Any):
    loaded = loaded_with_prefix(model, tokenizer)
    session = Session("s")
    first_prompt = [*PREFIX, 50, 51]
    first = turn(loaded, session, first_prompt, max_tokens=9)
    follow_up = [*first_prompt, *model.greedy(first_prompt, 9)[:5], 3, 4, 5]
    again = turn(loaded, session, follow_up)
    fresh = turn(loaded, Session("fresh"), follow_up)
    assert again.cached_tokens > first.cached_tokens
    assert again.text == fresh.text
