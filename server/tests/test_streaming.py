"""What of the model's text streams to the user."""

from punie_server.streaming import TextBatch, VisibleText


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
