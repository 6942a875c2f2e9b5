"""The committed plumbing model (the 1 M-parameter tiny preset that the server and editor
plumbing tests drive) passes the held-out decode check on a sample of its test split.

The sample (``data/plumbing_heldout.jsonl``) is the first examples of the test split of
the run that produced the model (same seed), so the model never trained on them.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from punie_training.accel import use_fast_cpu_blas
from punie_training.dataset import read_examples
from punie_training.decode import decode_check

PLUMBING = Path(__file__).parents[2] / "tests/plumbing_model"
SAMPLE = Path(__file__).parent / "data/plumbing_heldout.jsonl"


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


@pytest.mark.slow
def test_plumbing_model_passes_the_held_out_decode_check_on_a_sample(plumbing):
    model, tokenizer = plumbing
    result = decode_check(model, tokenizer, read_examples(SAMPLE))
    assert result.tool_total > 0
    assert result.direct_total > 0
    card = json.loads((PLUMBING / "card.json").read_text())
    # The sample agrees with the card's figures on the whole test split.
    assert result.tool_rate >= card["decode_tool_rate"] - 0.15, result.misses
    assert result.direct_rate >= card["decode_direct_rate"] - 0.15, result.misses


def test_plumbing_model_was_trained_with_the_current_system_prompt(plumbing):
    from punie_training.tokenizer import system_turn

    _, tokenizer = plumbing
    assert len(tokenizer.encode(system_turn(), add_special_tokens=False)) == 1, (
        "the system prompt changed: rebuild the plumbing model (docs/training.md)"
    )
