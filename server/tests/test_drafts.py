"""Prompt-lookup drafts: what followed the last tokens where they occurred before."""

from pathlib import Path
from typing import Any

import pytest

from punie_server.drafts import LONGEST_NGRAM, SHORTEST_NGRAM, NgramDrafts, call_markup


def test_it_drafts_what_followed_the_last_tokens_before():
    drafts = NgramDrafts([1, 2, 3, 4, 5, 9, 1, 2, 3])
    assert drafts.draft(2) == [4, 5]


def test_the_most_recent_earlier_occurrence_wins():
    drafts = NgramDrafts([7, 8, 9, 1, 0, 7, 8, 9, 2, 0, 7, 8, 9])
    assert drafts.draft(1) == [2]


def test_a_longer_match_wins_over_a_more_recent_shorter_one():
    # "4 5 6 7" was followed by 1 (long ago); "5 6 7" alone was last followed by 2.
    drafts = NgramDrafts([4, 5, 6, 7, 1, 0, 5, 6, 7, 2, 0, 4, 5, 6, 7])
    assert drafts.draft(1) == [1]


def test_matches_shorter_than_the_shortest_ngram_are_not_guessed_from():
    repeated = list(range(SHORTEST_NGRAM - 1))
    assert NgramDrafts([*repeated, 50, 51, *repeated]).draft(3) == []


def test_a_match_longer_than_the_longest_ngram_drafts_too():
    run = list(range(LONGEST_NGRAM + 2))
    drafts = NgramDrafts([*run, 99, 98, *run])
    assert drafts.draft(2) == [99, 98]


def test_a_draft_stops_at_the_end_of_what_is_known():
    drafts = NgramDrafts([4, 5, 6, 8, 4, 5, 6])
    assert drafts.draft(10) == [8, 4, 5, 6]


def test_nothing_matches_nothing_is_drafted():
    assert NgramDrafts([1, 2, 3, 4]).draft(4) == []
    assert NgramDrafts([]).draft(4) == []
    assert NgramDrafts([1, 2, 3, 0, 1, 2, 3]).draft(0) == []


def test_tokens_added_later_are_drafted_from():
    drafts = NgramDrafts([1, 2, 3])
    drafts.extend([4, 5, 1, 2, 3])
    assert drafts.draft(2) == [4, 5]


def test_the_corpus_is_used_when_the_context_has_no_match():
    drafts = NgramDrafts([9, 8, 1, 2, 3], corpus=[1, 2, 3, 4, 5])
    assert drafts.draft(3) == [4, 5]


def test_the_context_wins_over_the_corpus_for_the_same_match():
    drafts = NgramDrafts([1, 2, 3, 6, 1, 2, 3], corpus=[1, 2, 3, 4])
    assert drafts.draft(1) == [6]


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from mlx_lm.tokenizer_utils import load

    from punie_training.tiny import write_untrained_model

    return load(write_untrained_model(Path(tmp_path_factory.mktemp("model"))))


def test_the_call_markup_is_an_execute_code_call_as_the_template_renders_it(tokenizer):
    text = tokenizer.decode(call_markup(tokenizer))
    assert text.startswith(tokenizer.tool_call_start)
    assert "execute_code" in text
    assert tokenizer.tool_call_end in text
