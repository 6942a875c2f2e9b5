"""Chat sessions: the conversation so far and the mlx-lm prompt cache that matches it."""

import asyncio
import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

from punie_sandbox.prompt import system_prompt


@dataclass
class Session:
    """One conversation. ``cache_tokens`` are the tokens the prompt cache holds."""

    id: str
    messages: list[dict[str, Any]] = field(
        default_factory=lambda: [{"role": "system", "content": system_prompt()}]
    )
    prompt_cache: list[Any] | None = None
    cache_tokens: list[int] = field(default_factory=list)
    # One chat at a time per session; a second request waits for the first.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class SessionStore:
    """All live sessions of one server, by id."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._counter = itertools.count(1)

    def __len__(self) -> int:
        return len(self._sessions)

    def get_or_create(self, session_id: str | None) -> Session:
        """The session named ``session_id``, or a new one when it is None.

        An unknown id is an error (the client would otherwise silently lose its
        history), reported as ``KeyError`` with the id.
        """
        if session_id is None:
            new_id = f"s-{next(self._counter)}-{secrets.token_hex(3)}"
            session = self._sessions[new_id] = Session(new_id)
            return session
        try:
            return self._sessions[session_id]
        except KeyError:
            raise KeyError(f"unknown sessionId {session_id!r}") from None

    def reset(self, session_id: str) -> bool:
        """Forget a session and free its cache; False when there was none."""
        return self._sessions.pop(session_id, None) is not None
