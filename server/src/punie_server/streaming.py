"""Which part of the model's text the user should see while it streams, and when.

The reply streams as it is generated, but the ``<tool_call>…`` that follows it must
not, and no protocol text ever reaches the user: chat-template tokens
(``<|endoftext|>``, ``<|im_end|>``, …) and the tags of tool calls and tool responses
are removed (``strip_markup``, the one place that decides, for streamed text and for
the final reply alike). Text that might be the start of the marker or of such a tag is
held back until the next delta shows whether it is. Visible text leaves in batches at
most every ``STREAM_INTERVAL_S``: each ``$/progress`` message costs the server's event
loop (and, through the GIL, the generating thread) about as much as a tiny model's
token, and a reader cannot tell 50 ms batches from single tokens.
"""

import re

STREAM_INTERVAL_S = 0.05

_NAME_CHAR = r"[^<>\s]"
_MARKUP = re.compile(
    r"<\|\w{1,64}\|>"
    r"|</?tool_call>|</?tool_response>|</function>|</parameter>"
    rf"|<(?:function|parameter)={_NAME_CHAR}{{1,64}}>"
)
# What a tag looks like while it is still arriving: a prefix of a fixed tag, or a
# special token or a named tag whose closing ``>`` has not come yet.
_TAGS = ("<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>")
_TAGS += ("</function>", "</parameter>", "<function=", "<parameter=")
_OPEN_TAG = re.compile(rf"<\|\w{{0,64}}\|?|<(?:function|parameter)={_NAME_CHAR}{{0,64}}")


def strip_markup(text: str) -> str:
    """``text`` without chat-template tokens and tool-call or tool-response tags."""
    return _MARKUP.sub("", text)


def _open_tag_start(text: str) -> int:
    """Where a tag that may still be arriving starts at the end of ``text``, or ``len``."""
    start = text.rfind("<")
    if start < 0:
        return len(text)
    tail = text[start:]
    if any(tag.startswith(tail) for tag in _TAGS) or _OPEN_TAG.fullmatch(tail):
        return start
    return len(text)


class VisibleText:
    """Feeds raw model text in, hands back only what the user may see of the part
    before the tool-call marker (``strip_markup`` of it)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self._raw = ""
        self._shown = ""
        self.stopped = False

    def feed(self, delta: str) -> str:
        """Add ``delta``; return the newly visible text (possibly empty)."""
        if self.stopped:
            return ""
        self._raw += delta
        cut = self._raw.find(self.marker)
        if cut >= 0:
            self.stopped = True
            return self._release(self._raw[:cut])
        return self._release(self._raw[: _open_tag_start(self._raw)])

    def flush(self) -> str:
        """Release held-back text at the end of a message without a tool call."""
        if self.stopped:
            return ""
        return self._release(self._raw)

    def _release(self, settled: str) -> str:
        # ``settled`` never ends inside a tag that may still be arriving, so its visible
        # text only ever grows: what was shown stays a prefix of it.
        visible = strip_markup(settled)
        out = visible[len(self._shown) :]
        self._shown = visible
        return out


class TextBatch:
    """Collects visible text and releases it at most every ``interval`` seconds."""

    def __init__(self, interval: float = STREAM_INTERVAL_S) -> None:
        self.interval = interval
        self._pending: list[str] = []
        self._sent_at: float | None = None

    def add(self, text: str, now: float) -> str:
        """Queue ``text``; return what is due to be sent at ``now`` (possibly empty)."""
        if text:
            self._pending.append(text)
        if not self._pending:
            return ""
        if self._sent_at is not None and now - self._sent_at < self.interval:
            return ""
        self._sent_at = now
        return self.take()

    def take(self) -> str:
        """Everything still queued (at the end of a generation)."""
        out = "".join(self._pending)
        self._pending.clear()
        return out
