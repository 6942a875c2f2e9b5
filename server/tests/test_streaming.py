"""What of the model's text streams to the user."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from punie_server.streaming import TextBatch, VisibleText, strip_markup


def test_plain_text_streams_through():
    visible = VisibleText("<tool_call>")
    assert visible.feed("Hello ") == "Hello "
    assert visible.feed("world") == "world"


def test_text_after_the_tool_call_marker_is_never_shown():
    visible = VisibleText("<tool_call>")
    assert visible.feed("Let me look.\n<tool_call>\n<function=") == "Let me look.\n"
    assert visible.feed("execute_code>") == ""


def test_a_possible_marker_prefix_is_held_back_until_it_resolves():
    visible = VisibleText("<tool_call>")
    assert visible.feed("a <to") == "a "
    assert visible.feed("p> b") == "<top> b"


def test_a_marker_split_across_deltas_is_caught():
    visible = VisibleText("<tool_call>")
    shown = visible.feed("x <tool") + visible.feed("_call>\ncode")
    assert shown == "x "


def test_flush_releases_held_back_text_at_the_end():
    visible = VisibleText("<tool_call>")
    visible.feed("ends with <")
    assert visible.flush() == "<"


def test_the_first_text_of_a_batch_leaves_at_once():
    batch = TextBatch(interval=0.02)
    assert batch.add("Hel", now=1.0) == "Hel"


def test_text_within_the_interval_waits_for_the_next_batch():
    batch = TextBatch(interval=0.02)
    batch.add("Hel", now=1.0)
    assert batch.add("lo", now=1.005) == ""
    assert batch.add(" there", now=1.01) == ""
    assert batch.add("!", now=1.03) == "lo there!"


def test_take_releases_what_is_still_queued():
    batch = TextBatch(interval=0.02)
    batch.add("a", now=1.0)
    batch.add("b", now=1.001)
    assert batch.take() == "b"
    assert batch.take() == ""


def test_empty_text_sends_nothing():
    batch = TextBatch(interval=0.02)
    assert batch.add("", now=1.0) == ""


def test_chat_template_tokens_and_tool_tags_are_stripped():
    text = "Done.<|endoftext|></parameter></function></tool_call></tool_response><|im_end|>"
    assert strip_markup(text) == "Done."


def test_text_that_only_looks_like_markup_stays():
    assert strip_markup("a < b, <top> and <|not a token|>") == "a < b, <top> and <|not a token|>"


def test_a_special_token_is_never_streamed_even_split_across_deltas():
    visible = VisibleText("<tool_call>")
    shown = visible.feed("Hi<|endo") + visible.feed("ftext|> there</param") + visible.feed("eter>")
    assert shown + visible.flush() == "Hi there"


PIECES = ["a", " ", "<", ">", "|", "=", "\n", "<|im_end|>", "<|endoftext|>", "<tool_call>"]
PIECES += ["</tool_call>", "</parameter>", "</function>", "<function=execute_code>", "<top>"]


@settings(max_examples=300, deadline=None)
@given(
    raw=st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    cuts=st.lists(st.integers(0, 200), max_size=8),
)
def test_what_streams_is_exactly_the_stripped_text_before_the_marker(raw: str, cuts: list[int]):
    bounds = [0, *sorted(min(cut, len(raw)) for cut in cuts), len(raw)]
    visible = VisibleText("<tool_call>")
    shown = "".join(visible.feed(raw[a:b]) for a, b in itertools.pairwise(bounds))
    shown += visible.flush()
    assert shown == strip_markup(raw.split("<tool_call>", 1)[0])
