"""The callbacks a snippet can reach, as the host side implements them.

A snippet calls plain synchronous functions (see ``toolset``); each call travels over
the worker's callback pipe and lands on one of these async methods. Raising
``PermissionError``, ``FileNotFoundError``, ``ValueError`` … here re-raises the same
exception type inside the snippet with the same message.
"""

from typing import Protocol

from punie_sandbox.models import TypeCheckResult


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
