"""Texts that break naive position code, and an independent LSP edit applier to check
edits against (the property tests of the server, the CLI and Neovim share them).

The applier is written from the LSP specification alone, not from
``punie_server.positions``: lines end at ``\\n``, ``\\r\\n`` or ``\\r``; a column counts
code units of the negotiated encoding. It is strict where an editor may be lenient: a
column inside a character, past the end of its line or a line past the end of the text
fails the test, since the server must never send one.
"""

import re
from typing import Any

from hypothesis import strategies as st

# Line ends LSP knows, characters str.splitlines also splits at, characters whose
# UTF-8 and UTF-16 lengths differ (two- and three-byte UTF-8, astral: a surrogate pair).
TRICKY = ["\n", "\r\n", "\r", "\f", "\v", "\x1c", "\x85", "\u2028", "\u2029"]
TRICKY += ["é", "ß", "中", "€", "😀", "𝄞", "\t", " ", "a", "Z", "#", "\ufeff"]
_LINE_END = re.compile(r"\r\n|\r|\n")
_CODECS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}


def texts(max_pieces: int = 12) -> st.SearchStrategy[str]:
    """Short texts made mostly of tricky characters: empty, without a final line end,
    mixed line ends, form feeds, U+2028, astral characters (never NUL or surrogates)."""
    piece = st.one_of(
        st.sampled_from(TRICKY),
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=4),
    )
    return st.lists(piece, max_size=max_pieces).map("".join)


@st.composite
def text_pairs(draw: Any) -> tuple[str, str]:
    """(old, new): unrelated texts, or new made from old by replacing a few spans."""
    old = draw(texts())
    if draw(st.booleans()):
        return old, draw(texts())
    new = old
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(new)))
        end = draw(st.integers(start, len(new)))
        new = new[:start] + draw(texts(max_pieces=4)) + new[end:]
    return old, new


def apply_lsp_edits(text: str, edits: list[Any], encoding: str) -> str:
    """``text`` with LSP text edits (objects or camelCase dicts) applied, per the spec."""
    name, unit = _CODECS[encoding]
    starts = [0] + [match.end() for match in _LINE_END.finditer(text)]
    ends = [match.start() for match in _LINE_END.finditer(text)] + [len(text)]

    def offset(position: Any) -> int:
        line, character = _field(position, "line"), _field(position, "character")
        assert line < len(starts), f"line {line} past the end of a {len(starts)}-line text"
        content = text[starts[line] : ends[line]].encode(name)
        assert character * unit <= len(content), f"column {character} past line {line}'s end"
        return starts[line] + len(content[: character * unit].decode(name))  # strict: whole chars

    spans = sorted(
        (offset(_field(_field(e, "range"), "start")), offset(_field(_field(e, "range"), "end")), i)
        for i, e in enumerate(edits)
    )
    out, cursor = [], 0
    for start, end, index in spans:
        assert cursor <= start <= end, "edits overlap or a range is inverted"
        out += [text[cursor:start], _field(edits[index], "new_text")]
        cursor = end
    return "".join([*out, text[cursor:]])


def _field(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
        return value[camel]
    return getattr(value, name)
