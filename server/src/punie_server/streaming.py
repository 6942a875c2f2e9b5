"""Which part of the model's text the user should see while it streams, and when.

The reply streams as it is generated, but the ``<tool_call>…`` markup that follows
it must not: text that might be the start of the marker is held back until the
next delta shows whether it is. Visible text leaves in batches at most every
``STREAM_INTERVAL_S``: each ``$/progress`` message costs the server's event loop
(and, through the GIL, the generating thread) about as much as a tiny model's token,
and a reader cannot tell 50 ms batches from single tokens.
"""

STREAM_INTERVAL_S = 0.05


class VisibleText:
    """Feeds raw model text in, hands back only the part before the tool-call marker."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self._raw = ""
        self._shown = 0
        self.stopped = False

    def feed(self, delta: str) -> str:
        """Add ``delta``; return the newly visible text (possibly empty)."""
        if self.stopped:
            return ""
        self._raw += delta
        cut = self._raw.find(self.marker)
        if cut >= 0:
            self.stopped = True
            visible_end = cut
        else:
            visible_end = len(self._raw) - self._held_back()
        out = self._raw[self._shown : visible_end]
        self._shown = max(self._shown, visible_end)
        return out

    def flush(self) -> str:
        """Release held-back text at the end of a message without a tool call."""
        if self.stopped:
            return ""
        out = self._raw[self._shown :]
        self._shown = len(self._raw)
        return out

    def _held_back(self) -> int:
        # The longest suffix of the text that is a proper prefix of the marker.
        for size in range(min(len(self.marker) - 1, len(self._raw)), 0, -1):
            if self.marker.startswith(self._raw[-size:]):
                return size
        return 0


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
