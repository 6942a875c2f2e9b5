"""A host for standalone use: callbacks confined to one workspace directory."""

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from punie_sandbox.commands import (
    DEFAULT_ALLOW,
    DEFAULT_TIMEOUT_S,
    check_command,
    command_text,
    is_allowed,
    run_argv,
)
from punie_sandbox.isolation import Backend
from punie_sandbox.models import TypeCheckResult
from punie_sandbox.paths import read_text, resolve_inside, resolve_writable, steering_reason
from punie_sandbox.typecheck import run_ty


class LocalHost:
    """Serves a snippet's callbacks from the files and programs of ``workspace``.

    Every path is resolved (symlinks too) inside the workspace, writes are atomic
    (temporary file + rename) and refused for files that steer tools later (there is
    no user to ask), and commands run in the sandbox without a shell, only when their
    first words match an entry of ``allow`` and no argument names a path outside.
    """

    def __init__(
        self,
        workspace: Path,
        *,
        allow: Sequence[str] = DEFAULT_ALLOW,
        command_timeout_s: float = DEFAULT_TIMEOUT_S,
        max_output_bytes: int = 65536,
        backend: Backend | None = None,
    ) -> None:
        self.workspace = Path(workspace).resolve()
        self.allow = tuple(allow)
        self.command_timeout_s = command_timeout_s
        self.max_output_bytes = max_output_bytes
        self.backend = backend

    async def read_file(self, path: str) -> str:
        """Return the text of ``path`` inside the workspace."""
        return read_text(resolve_inside(self.workspace, path), path)

    async def write_file(self, path: str, content: str) -> None:
        """Atomically replace (or create) ``path`` inside the workspace with ``content``."""
        target = resolve_writable(self.workspace, path)
        if target == self.workspace or target.is_dir():
            raise IsADirectoryError(f"is a directory: {path}")
        reason = steering_reason(self.workspace, target)
        if reason is not None:
            raise PermissionError(
                f"writing {path} needs the user's yes ({reason}), and there is no one to ask"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        # The parent may have been created through a path we already checked; check again
        # after mkdir in case a symlink appeared in between.
        resolve_inside(self.workspace, str(target.parent.relative_to(self.workspace)))
        mode = _mode_for(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
            # mkstemp makes the file private (0600); the file keeps the mode it had, or
            # gets the one a new file would, so programs (run as nobody) can still read it.
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise

    async def run_command(self, command: str, args: list[str] | None = None) -> str:
        """Run an allowed program in the workspace; ``[exit N]`` marks a failure."""
        argv = [command, *(args or [])]
        if not is_allowed(argv, self.allow):
            raise PermissionError(f"command not allowed: {' '.join(argv)}")
        check_command(self.workspace, argv)
        done = await run_argv(
            argv,
            self.workspace,
            backend=self.backend,
            timeout_s=self.command_timeout_s,
            max_output_bytes=self.max_output_bytes,
        )
        return command_text(done)

    async def typecheck(self, path: str = ".") -> TypeCheckResult:
        """Type-check ``path`` inside the workspace with ty."""
        return await run_ty(self.workspace, path, backend=self.backend)


def _mode_for(target: Path) -> int:
    """The permission bits ``target`` has, or those a new file gets under the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # Read, not set and restored: os.umask would change it for every thread meanwhile.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    return 0o022
