"""Text from the model, a snippet or a program, made safe to show on a terminal.

Escape sequences can set the clipboard (OSC 52), the window title, hyperlinks, or move
the cursor to overwrite what the user reads (a consent question, a diff); ``\\r`` and
backspace can hide text. Whatever the terminal clients print from the server goes
through ``terminal_safe`` first.
"""

import re

# A whole sequence first (so nothing of it shows), then any control character left:
# CSI (7- and 8-bit), string sequences (OSC, DCS, SOS, PM, APC: their payload too, up to
# the terminator or the next escape), other escapes, then every C0 control but tab and
# newline, DEL and C1.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` without escape sequences or control characters (tab and newline stay;
    a CRLF line end becomes a newline)."""
    return _CONTROL.sub("", _SEQUENCE.sub("", text.replace("\r\n", "\n")))


# The start of a sequence that the text so far does not finish.
_UNFINISHED = re.compile(
    r"(?:\x1b(?:\[[0-?]*[ -/]*|[\]PX^_][^\x07\x1b\x9c]*|[ -/]*)?"
    r"|\x9b[0-?]*[ -/]*|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*)\Z"
)
# Held back no longer than this: a payload that never ends is dropped, not buffered.
MAX_HELD = 4096


class SafeStream:
    """Streamed text made safe piece by piece: a sequence split across two pieces is
    held back until the next one finishes it, so none of it shows."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        """What of ``piece`` (after what was held back) can be shown now."""
        text = self._held + piece
        unfinished = _UNFINISHED.search(text)
        cut = unfinished.start() if unfinished else len(text)
        self._held = text[cut:]
        if len(self._held) > MAX_HELD:
            self._held = "\x1b]"  # still inside the sequence: drop its payload so far
        return terminal_safe(text[:cut])

    def end(self) -> None:
        """Forget an unfinished sequence (the stream is over)."""
        self._held = ""
