"""``punie.runCommand``: one program, no shell, in the sandbox, inside the workspace, capped."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from punie_sandbox.commands import check_command, run_argv
from punie_sandbox.isolation import Backend
from punie_sandbox.models import CommandResult
from punie_sandbox.paths import resolve_inside
from punie_server.protocol import RunCommandParams, Settings


async def execute_command(
    params: RunCommandParams,
    root: Path,
    settings: Settings,
    *,
    consent: Callable[[list[str]], Awaitable[None]] | None = None,
    backend: Backend | None = None,
) -> CommandResult:
    """Run ``params`` in ``root`` (or its ``cwd`` inside root) in the sandbox (``backend``,
    the server's), with a scrubbed env, ``commands.timeoutS`` and the output cap.

    Paths are checked before ``consent`` is asked, so the user is never asked about a
    command that would be refused anyway.
    """
    cwd = resolve_inside(root, params.cwd or ".")
    check_command(root, [params.command, *params.args])
    if consent is not None:
        await consent([params.command, *params.args])
    return await run_argv(
        [params.command, *params.args],
        root,
        cwd=cwd,
        backend=backend,
        timeout_s=settings.commands.timeout_s,
        max_output_bytes=settings.sandbox.max_output_bytes,
    )
