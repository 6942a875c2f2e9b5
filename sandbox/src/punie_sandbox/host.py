"""The callbacks a snippet can reach, as the host side implements them.

A snippet calls plain synchronous functions (see ``toolset``); each call travels over
the worker's callback pipe and lands on one of these async methods. Raising
``PermissionError``, ``FileNotFoundError``, ``ValueError`` … here re-raises the same
exception type inside the snippet with the same message.

The snippet's wall-clock budget keeps running while the host serves a call: a command
or a ty run is work done for the snippet. A host that waits for the user (a consent
prompt, an edit the editor may ask about) does so inside ``waiting_for_user``.
"""

import asyncio
import contextlib
from collections.abc import Generator
from contextvars import ContextVar
from typing import Protocol

from punie_sandbox.models import TypeCheckResult

# The wall-clock budget of the run whose call is being served (set by the sandbox).
run_budget: ContextVar[asyncio.Timeout | None] = ContextVar("punie_run_budget", default=None)


@contextlib.contextmanager
def waiting_for_user() -> Generator[None]:
    """Stop the running snippet's clock while the block waits for the user; it resumes
    with the time it had left. Outside a run, nothing happens."""
    budget = run_budget.get()
    deadline = budget.when() if budget is not None else None
    if budget is None or deadline is None:
        yield
        return
    loop = asyncio.get_running_loop()
    left = deadline - loop.time()
    budget.reschedule(None)
    try:
        yield
    finally:
        budget.reschedule(loop.time() + left)


class Host(Protocol):
    """Where a snippet's callbacks go: the local workspace, or an editor over LSP."""

    async def read_file(self, path: str) -> str:
        """Return the text of ``path`` (relative to the workspace root)."""
        ...

    async def write_file(self, path: str, content: str) -> None:
        """Replace (or create) ``path`` with ``content``."""
        ...

    async def run_command(self, command: str, args: list[str] | None = None) -> str:
        """Run ``command`` with ``args`` (no shell) and return its output."""
        ...

    async def typecheck(self, path: str = ".") -> TypeCheckResult:
        """Type-check ``path`` with ty and return the structured result."""
        ...
