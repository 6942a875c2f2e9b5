"""Text positions as LSP counts them: the one home of line splitting and columns.

A line ends at ``\\n``, ``\\r\\n`` or ``\\r`` and nowhere else (``str.splitlines`` also
splits at form feeds, U+2028 and others, so it must not be used for positions). A
column counts code units of the position encoding negotiated with the client
(``utf-8``, ``utf-16`` or ``utf-32``), which pygls's ``PositionCodec`` knows. Both sides
of an edit use this module: the server when it builds one, the terminal clients when
they apply one to disk.
"""

import difflib
import re

from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

_LINE_END = re.compile(r"\r\n|\r|\n")
# A carriage return that does not start a CRLF: a line end for LSP, but not for an editor
# whose buffer splits lines at LF only (Neovim, Vim, Emacs), which keeps it in the line.
_LONE_CR = re.compile(r"\r(?!\n)")


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its line end; the last one (possibly empty) has none.

    ``"a\\nb"`` → ``["a\\n", "b"]``, ``"a\\r\\n"`` → ``["a\\r\\n", ""]``, ``""`` → ``[""]``: the
    list has exactly as many entries as the document has LSP lines.
    """
    lines, start = [], 0
    for end in _LINE_END.finditer(text):
        lines.append(text[start : end.end()])
        start = end.end()
    lines.append(text[start:])
    return lines


def _content(line: str) -> str:
    """A line (an entry of ``split_lines``) without its line end."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(("\n", "\r")) else line


def end_position(lines: list[str], codec: PositionCodec) -> lsp.Position:
    """The position just after the last character of the text split into ``lines``."""
    return lsp.Position(len(lines) - 1, codec.client_num_units(lines[-1]))


def offset_at(lines: list[str], position: lsp.Position, codec: PositionCodec) -> int:
    """The string index of ``position`` in the text split into ``lines``.

    As LSP says, a column past the end of a line means the end of that line's content
    (never inside its line end) and a line past the last means the end of the text; a
    column inside a character (half a surrogate pair, part of a UTF-8 sequence) means
    the end of that character.
    """
    if position.line >= len(lines):
        return sum(len(line) for line in lines)
    start = sum(len(line) for line in lines[: position.line])
    units = 0
    for index, char in enumerate(_content(lines[position.line])):
        if units >= position.character:
            return start + index
        units += codec.client_num_units(char)
    return start + len(_content(lines[position.line]))


def line_edits(old: str, new: str, codec: PositionCodec) -> list[lsp.TextEdit]:
    """Text edits that turn ``old`` into ``new``: whole lines, changed ones only.

    Every range starts at column 0 and ends at column 0 of a later line, or at the end of
    the text, so only the last line's length depends on the encoding. No range starts
    after the text's final line end (on its empty last line): an editor that stores the
    final line end as a flag (Neovim's 'eol') has no such line, and Neovim appends the
    text of such an edit one line too long; the edit starts a line earlier instead and
    carries that (unchanged) line along. When ``old`` holds a lone carriage return the
    one edit replaces everything: an editor that keeps a lone CR inside its line counts
    lines differently from LSP, and a whole-text range is the only one both counts agree
    on (Neovim clamps a range past its last line to the end).
    """
    before, after = split_lines(old), split_lines(new)
    end = end_position(before, codec)
    if _LONE_CR.search(old):
        return [lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), end), new_text=new)]

    def position(line: int) -> lsp.Position:
        return lsp.Position(line, 0) if line < len(before) else end

    edits = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 == len(before) - 1 and i1 > 0 and before[i1] == "":
            # On the empty line after the final line end; the line before it is equal.
            i1, j1 = i1 - 1, j1 - 1
        new_text = "".join(after[j1:j2])
        edits.append(lsp.TextEdit(range=lsp.Range(position(i1), position(i2)), new_text=new_text))
    return edits


def apply_text_edits(text: str, edits: list[lsp.TextEdit], codec: PositionCodec) -> str:
    """``text`` with ``edits`` applied; ranges refer to the original text (LSP rules).

    Raises ``ValueError`` for overlapping edits or an inverted range.
    """
    lines = split_lines(text)
    spans = sorted(
        (
            offset_at(lines, edit.range.start, codec),
            offset_at(lines, edit.range.end, codec),
            index,
            edit.new_text,
        )
        for index, edit in enumerate(edits)
    )
    out, cursor = [], 0
    for start, end, _, new_text in spans:
        if start < cursor or end < start:
            raise ValueError("text edits overlap or have an inverted range")
        out.append(text[cursor:start])
        out.append(new_text)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
