"""The four functions a snippet sees, with the signatures the model is taught.

This module is imported inside the worker process. Each function forwards to the
host through ``_transport`` (installed by the worker before the snippet runs), so
the snippet never touches files, processes or the network itself. ``prompt``
generates the model's stubs from these very signatures and docstrings.
"""

from collections.abc import Callable
from types import FunctionType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from punie_sandbox.models import TypeCheckResult

# Installed by the worker: sends (tool, args) over the callback pipe, returns the
# decoded reply or raises the exception the host raised.
_transport: Callable[[str, dict[str, Any]], Any] | None = None


def _call(tool: str, **args: Any) -> Any:
    if _transport is None:
        raise RuntimeError("toolset used outside a sandbox worker")
    return _transport(tool, args)


def read_file(path: str) -> str:
    """Return the text of a file in the workspace (the editor's unsaved text if it is open).

    Paths are relative to the workspace root. Raises FileNotFoundError if it does not
    exist and PermissionError if it is outside the workspace.
    """
    return _call("read_file", path=path)


def write_file(path: str, content: str) -> None:
    """Create or replace a workspace file with content.

    In an editor this becomes an edit the user can refuse or undo; a refusal raises
    PermissionError.
    """
    _call("write_file", path=path, content=content)


def run_command(command: str, args: list[str] | None = None) -> str:
    """Run a program (no shell) in the workspace and return its combined output.

    A non-zero exit appends "[exit N]". Commands the user has not allowed raise
    PermissionError.
    """
    return _call("run_command", command=command, args=list(args or []))


def typecheck(path: str = ".") -> "TypeCheckResult":
    """Type-check a file or directory with ty and return the errors found."""
    # Imported on first use: pydantic would otherwise be most of every worker's start-up.
    from punie_sandbox.models import TypeCheckResult

    return TypeCheckResult.model_validate(_call("typecheck", path=path))


TOOLS: tuple[FunctionType, ...] = (read_file, write_file, run_command, typecheck)
