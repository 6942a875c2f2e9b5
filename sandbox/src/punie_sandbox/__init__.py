"""Punie's sandbox: runs model-written Python in an OS-isolated worker process.

The public surface is re-exported here; see ``models`` for the payloads that cross
the process boundary and ``host`` for the callbacks a snippet can reach.
"""

from importlib.metadata import version

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

__version__ = version("punie-sandbox")

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
