"""Punie's sandbox: runs model-written Python in an OS-isolated worker process.

The public surface is re-exported here; see ``models`` for the payloads that cross
the process boundary and ``host`` for the callbacks a snippet can reach.
"""

from punie_sandbox.host import Host
from punie_sandbox.models import (
    CallRecord,
    CommandResult,
    ExecResult,
    Limits,
    SnippetError,
    TypeCheckError,
    TypeCheckResult,
)

__all__ = [
    "CallRecord",
    "CommandResult",
    "ExecResult",
    "Host",
    "Limits",
    "SnippetError",
    "TypeCheckError",
    "TypeCheckResult",
    "__version__",
]


def __getattr__(name: str) -> str:
    # Computed on first use: importlib.metadata costs ~0.2 s, and the sandbox worker,
    # which imports this package, never needs the version.
    if name == "__version__":
        from importlib.metadata import version

        return version("punie-sandbox")
    raise AttributeError(f"module 'punie_sandbox' has no attribute {name!r}")
