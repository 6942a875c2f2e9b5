"""The committed plumbing model (the 1 M-parameter tiny preset that the server and editor
plumbing tests drive) is small, carries its card, and matches the current system prompt.

Its decode check is not re-run: an example stores only its fixture's seed, and the
fixture generator has changed since the model was made (commit cc34642), so the old test
split no longer rebuilds the workspaces it was checked on. What the plumbing tests need
from it, they check through the real server.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from punie_training.accel import use_fast_cpu_blas

PLUMBING = Path(__file__).parents[2] / "tests/plumbing_model"


@pytest.fixture(scope="module")
def plumbing() -> Any:
    use_fast_cpu_blas()
    import mlx_lm

    return mlx_lm.load(str(PLUMBING))


def test_plumbing_model_is_small_enough_for_git():
    size = sum(p.stat().st_size for p in PLUMBING.iterdir())
    assert size <= 30_000_000


def test_plumbing_model_card_reports_decode_check_and_perplexity():
    card = json.loads((PLUMBING / "card.json").read_text())
    assert card["decode_tool_rate"] >= 0.0
    assert card["losses"]["test"]["perplexity"] > 1.0


def test_plumbing_model_was_trained_with_the_current_system_prompt(plumbing):
    from punie_training.tokenizer import system_turn

    _, tokenizer = plumbing
    assert len(tokenizer.encode(system_turn(), add_special_tokens=False)) == 1, (
        "the system prompt changed: rebuild the plumbing model (docs/training.md)"
    )


def test_the_batched_decode_check_replies_are_one_by_one_greedy_decoding(plumbing):
    import mlx_lm

    from punie_sandbox.prompt import EXECUTE_CODE_TOOL
    from punie_training.decode import DIRECT_MAX_TOKENS, MAX_TOKENS, greedy_replies
    from punie_training.generate import plan_direct_examples
    from punie_training.prefix import PrefixCache, system_prefix
    from punie_training.schema import Example

    model, tokenizer = plumbing
    tools = [
        Example(id=f"t-{i}", kind="tool", category="read_file", template="", user=user, answer="")
        for i, user in enumerate(("Show README.md", "Count the tests in tests/test_api.py"))
    ]
    examples = [*tools, *plan_direct_examples(0, 2)]
    prefix = PrefixCache.build(model, system_prefix(tokenizer))
    finished: list[None] = []
    batched = greedy_replies(
        model, tokenizer, examples, prefix, advance=lambda: finished.append(None)
    )
    one_by_one = [
        mlx_lm.generate(
            model,
            tokenizer,
            tokenizer.apply_chat_template(
                e.messages()[:2], tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
            ),
            max_tokens=DIRECT_MAX_TOKENS if e.kind == "direct" else MAX_TOKENS,
        )
        for e in examples
    ]
    assert batched == one_by_one
    assert len(finished) == len(examples)
