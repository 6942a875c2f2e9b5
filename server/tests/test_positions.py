"""Text positions: LSP's line ends, the negotiated column encoding, line edits."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from punie_server.positions import (
    apply_text_edits,
    end_position,
    line_edits,
    offset_at,
    split_lines,
)

UTF8, UTF16 = PositionCodec(lsp.PositionEncodingKind.Utf8), PositionCodec()
TRICKY = ["\n", "\r\n", "\r", "\f", "\v", "\x85", "\u2028", "\u2029", "é", "😀", "中", "a", " "]
texts = st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), max_size=10).map("".join)


def test_lines_end_at_lf_crlf_and_cr_only():
    assert split_lines("a\fb\u2028c\x85d\ve") == ["a\fb\u2028c\x85d\ve"]
    assert split_lines("a\nb\r\nc\rd") == ["a\n", "b\r\n", "c\r", "d"]


def test_a_text_ending_with_a_line_end_has_an_empty_last_line():
    assert split_lines("a\r\n") == ["a\r\n", ""]
    assert split_lines("") == [""]


def test_the_end_of_a_last_line_without_a_line_end_counts_the_negotiated_units():
    lines = split_lines("y = 2\n# café")
    assert end_position(lines, UTF8) == lsp.Position(1, 7)
    assert end_position(lines, UTF16) == lsp.Position(1, 6)


def test_an_astral_character_is_two_utf16_units_and_four_utf8_bytes():
    lines = split_lines("a😀b")
    assert offset_at(lines, lsp.Position(0, 3), UTF16) == 2
    assert offset_at(lines, lsp.Position(0, 5), UTF8) == 2


def test_a_column_past_the_line_end_stops_before_the_line_end():
    lines = split_lines("ab\r\ncd")
    assert offset_at(lines, lsp.Position(0, 99), UTF16) == 2
    assert offset_at(lines, lsp.Position(9, 0), UTF16) == 6


def test_a_form_feed_does_not_end_a_line():
    old = "\f\nb = 2\n"
    edits = line_edits(old, "new\n", UTF16)
    assert apply_text_edits(old, edits, UTF16) == "new\n"


def test_only_changed_lines_are_replaced():
    edits = line_edits("a\nb\nc\n", "a\nB\nc\n", UTF16)
    assert [(e.range.start.line, e.range.end.line, e.new_text) for e in edits] == [(1, 2, "B\n")]


def test_a_lone_carriage_return_makes_one_edit_of_the_whole_text():
    (edit,) = line_edits("a\rb\nc\n", "a\rb\nC\n", UTF16)
    assert edit.range == lsp.Range(lsp.Position(0, 0), lsp.Position(3, 0))


@pytest.mark.parametrize("codec", [UTF8, UTF16], ids=["utf-8", "utf-16"])
@settings(max_examples=300, deadline=None)
@given(old=texts, new=texts)
def test_line_edits_turn_any_text_into_any_other(codec: PositionCodec, old: str, new: str):
    assert apply_text_edits(old, line_edits(old, new, codec), codec) == new


def test_no_edit_starts_after_the_final_line_end():
    (edit,) = line_edits("a\nb\n", "a\nb\nc\n", UTF16)
    assert edit.range == lsp.Range(lsp.Position(1, 0), lsp.Position(2, 0))
    assert edit.new_text == "b\nc\n"
