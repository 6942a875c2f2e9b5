"""Running workspace commands: argv lists, no shell, allowlist, timeout, output cap."""

import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from pathlib import Path

from punie_sandbox.models import CommandResult
from punie_sandbox.paths import resolve_inside

DEFAULT_ALLOW: tuple[str, ...] = (
    "ls",
    "find",
    "grep",
    "wc",
    "cat",
    "head",
    "tail",
    "git status",
    "git diff",
    "git log",
    "ty",
    "ruff",
)

# Only what programs need to run; nothing from the caller's environment leaks through.
_KEPT_ENV = ("PATH", "LANG", "LC_ALL", "TERM")


def is_allowed(argv: Sequence[str], allow: Sequence[str]) -> bool:
    """Whether ``argv`` starts with one of the allowlist entries (words compared exactly).

    An entry like ``"git status"`` matches ``["git", "status", "-s"]`` but not
    ``["git", "push"]``.
    """
    for entry in allow:
        words = entry.split()
        if words and list(argv[: len(words)]) == words:
            return True
    return False


# find actions that run other programs would turn "find" into "anything".
_EXEC_OPTIONS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


# Programs whose job is to run other programs (or shell code): allowing one of them
# would make every other check meaningless.
_LAUNCHERS = frozenset(
    {
        "sh",
        "bash",
        "dash",
        "zsh",
        "ksh",
        "mksh",
        "fish",
        "csh",
        "tcsh",
        "busybox",
        "env",
        "xargs",
        "nohup",
        "nice",
        "setsid",
        "timeout",
        "stdbuf",
        "sudo",
        "su",
        "doas",
        "chroot",
    }
)
# git options that set configuration (core.pager, core.sshCommand, alias.* …) and so
# run arbitrary programs.
_GIT_CONFIG_OPTIONS = ("-c", "--config-env", "--exec-path")


def check_command(root: Path, argv: Sequence[str]) -> None:
    """Refuse shells and program launchers, git's config options, and arguments that
    point outside ``root`` (see ``check_args_inside``); ``PermissionError`` says which."""
    program = Path(argv[0]).name if argv else ""
    if program in _LAUNCHERS:
        raise PermissionError(f"command not allowed: {program} runs other programs or a shell")
    if program == "git":
        # Global options come before the sub-command; ``git log -c`` is a diff option.
        for arg in argv[1:]:
            if not arg.startswith("-"):
                break
            if arg.startswith("-c") or arg.split("=", 1)[0] in _GIT_CONFIG_OPTIONS:
                raise PermissionError(f"argument not allowed: git {arg} sets configuration")
    check_args_inside(root, argv[1:])


def check_args_inside(root: Path, args: Sequence[str]) -> None:
    """Refuse arguments that name paths outside ``root`` (or make a program run others).

    Anything that looks like a path (contains ``/``, starts with ``~`` or is ``..``),
    including the value of ``--opt=value``, must resolve inside ``root``; symlinks count.
    Raises ``PermissionError`` naming the argument.
    """
    for arg in args:
        if arg in _EXEC_OPTIONS:
            raise PermissionError(f"argument not allowed: {arg} runs other programs")
        value = arg.split("=", 1)[1] if arg.startswith("-") and "=" in arg else arg
        if value.startswith("~"):
            raise PermissionError(f"argument points outside the workspace: {arg}")
        if "/" in value or value == ".." or (root / value).is_symlink():
            try:
                resolve_inside(root, value)
            except PermissionError:
                raise PermissionError(f"argument points outside the workspace: {arg}") from None


def command_text(result: CommandResult) -> str:
    """What ``run_command`` returns to a snippet: output, then truncation and exit marks."""
    output = result.output + ("\n[output truncated]" if result.truncated else "")
    if result.exit_code != 0:
        output += f"\n[exit {result.exit_code}]"
    return output


def scrubbed_env() -> dict[str, str]:
    """A minimal environment for child programs: PATH and locale, no secrets."""
    env = {key: os.environ[key] for key in _KEPT_ENV if key in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env["NO_COLOR"] = "1"
    return env


async def run_argv(
    argv: list[str],
    cwd: Path,
    *,
    timeout_s: float = 30.0,
    max_output_bytes: int = 65536,
) -> CommandResult:
    """Run ``argv`` (no shell) in ``cwd`` with a scrubbed environment.

    stdout and stderr are combined and capped at ``max_output_bytes``; on timeout the
    whole process group is killed and ``TimeoutError`` is raised. A missing program
    raises ``FileNotFoundError``.
    """
    if not argv:
        raise ValueError("empty command")
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=scrubbed_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(timeout_s):
            output, truncated = await _read_capped(proc.stdout, max_output_bytes)
            if truncated:
                _kill_group(proc.pid)
                while await proc.stdout.read(65536):  # drain so the transport can close
                    pass
            await proc.wait()
    except TimeoutError:
        raise TimeoutError(f"command timed out after {timeout_s:g} s: {' '.join(argv)}") from None
    finally:
        _kill_group(proc.pid)
        if proc.returncode is None:
            await proc.wait()
    return CommandResult(
        exit_code=proc.returncode if proc.returncode is not None else -1,
        output=output.decode("utf-8", "replace"),
        truncated=truncated,
    )


async def _read_capped(stream: asyncio.StreamReader, cap: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(65536):
        if size + len(chunk) > cap:
            chunks.append(chunk[: cap - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
