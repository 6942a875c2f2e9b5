"""Running ty and parsing its diagnostics into ``TypeCheckResult``.

ty has no JSON output format, but its ``gitlab`` format is a JSON list of GitLab
code-quality entries; that is what we parse.
"""

import json
import shutil
import sys
from pathlib import Path

from pydantic import BaseModel

from punie_sandbox.commands import run_argv
from punie_sandbox.isolation import Backend
from punie_sandbox.models import TypeCheckError, TypeCheckResult
from punie_sandbox.paths import resolve_inside

TY_TIMEOUT_S = 120.0

# GitLab code-quality severities as ty emits them.
_SEVERITY = {"blocker": "error", "critical": "error", "major": "error", "minor": "warning"}


class _Position(BaseModel):
    line: int
    column: int = 1


class _Positions(BaseModel):
    begin: _Position


class _Location(BaseModel):
    path: str
    positions: _Positions


class _GitlabEntry(BaseModel):
    check_name: str
    description: str
    severity: str
    location: _Location


def find_ty() -> str:
    """The ``ty`` executable of this environment (next to the interpreter, else on PATH)."""
    beside = Path(sys.executable).parent / "ty"
    if beside.is_file():
        return str(beside)
    found = shutil.which("ty")
    if found is None:
        raise FileNotFoundError(
            "ty is not installed: install the 'ty' package into Punie's environment"
        )
    return found


def parse_gitlab(output: str, root: Path) -> TypeCheckResult:
    """Parse ``ty check --output-format gitlab`` output; paths become relative to ``root``."""
    text = output.strip()
    entries = [] if not text else json.loads(text[text.index("[") : text.rindex("]") + 1])
    errors = [_diagnostic(_GitlabEntry.model_validate(e), root) for e in entries]
    error_count = sum(e.severity == "error" for e in errors)
    warning_count = sum(e.severity == "warning" for e in errors)
    return TypeCheckResult(
        success=error_count == 0,
        error_count=error_count,
        warning_count=warning_count,
        errors=errors,
    )


def _diagnostic(entry: _GitlabEntry, root: Path) -> TypeCheckError:
    message = entry.description.removeprefix(f"{entry.check_name}: ")
    return TypeCheckError(
        file=_relative(entry.location.path, root),
        line=entry.location.positions.begin.line,
        column=entry.location.positions.begin.column,
        severity=_SEVERITY.get(entry.severity, "info"),
        code=entry.check_name,
        message=message,
    )


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        return candidate.as_posix()
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return candidate.as_posix()


def _ty_argv(root: Path, path: str) -> tuple[Path, list[str]]:
    base = root.resolve()
    target = resolve_inside(base, path)
    if not target.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    argv = [find_ty(), "check", "--output-format", "gitlab", "--no-progress", "--color", "never"]
    return base, [*argv, "--project", str(base), str(target.relative_to(base))]


async def run_ty(root: Path, path: str = ".", *, backend: Backend | None = None) -> TypeCheckResult:
    """Type-check ``path`` (inside ``root``) with ty and return the parsed diagnostics.

    ty runs in the sandbox like any command (``commands.run_argv``): it reads its
    configuration from the workspace, and nothing outside it exists there.
    """
    base, argv = _ty_argv(root, path)
    done = await run_argv(
        argv, base, backend=backend, timeout_s=TY_TIMEOUT_S, max_output_bytes=1 << 24
    )
    if done.exit_code not in (0, 1):
        raise RuntimeError(f"ty failed (exit {done.exit_code}): {done.output.strip()[:500]}")
    return parse_gitlab(done.output, root)
