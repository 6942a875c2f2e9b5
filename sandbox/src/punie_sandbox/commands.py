"""Running workspace commands: argv lists, no shell, allowlist, argument checks, and
the sandbox they run in (``run_argv``), with a timeout and an output cap."""

import asyncio
import contextlib
import json
import math
import os
import re
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from punie_sandbox.cgroup import MemoryCgroup
from punie_sandbox.isolation import (
    COMMAND_TMP_BYTES,
    HOST_WORKDIR_BACKENDS,
    Backend,
    Launch,
    choose,
    command_launch,
)
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
# Where a command finds its program in the sandbox: the environment Punie runs from
# (ruff, ty, pytest), then the system's.
COMMAND_PATH = f"{sys.prefix}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_TIMEOUT_S = 30.0
# Generous next to a snippet's: ty or pytest on a real project needs room. The memory
# cgroup (where there is one) counts the private /tmp too.
COMMAND_MEMORY_MB = 2048
COMMAND_OPEN_FILES = 1024
COMMAND_PROCESSES = 256


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
# find actions that write files behind the editor's back (the sandbox's read-only
# workspace stops them too; this says why).
_FIND_WRITE_OPTIONS = frozenset({"-fprint", "-fprint0", "-fprintf", "-fls", "-delete"})


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
    """Refuse shells and program launchers, git's config options, find's actions that
    run programs or write files, and arguments that point outside ``root`` (see
    ``check_args_inside``); ``PermissionError`` says which.

    This is the second layer: the command runs in the sandbox anyway, where nothing
    outside the workspace exists. These checks give the model a clear refusal.
    """
    for arg in argv:
        _check_text(arg)
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
    if program == "find":
        for arg in argv[1:]:
            if arg in _FIND_WRITE_OPTIONS:
                raise PermissionError(
                    f"argument not allowed: find {arg} writes files (use write_file)"
                )
    check_args_inside(root, argv[1:])


def _check_text(arg: str) -> None:
    if "\x00" in arg:
        raise ValueError(f"argument contains a NUL character: {arg!r}")
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        message = f"argument is not valid text (it holds a lone surrogate): {arg!r}"
        raise ValueError(message) from None


def check_args_inside(root: Path, args: Sequence[str]) -> None:
    """Refuse arguments that name paths outside ``root`` (or make a program run others).

    Anything in an argument that looks like a path (contains ``/``, starts with ``~``,
    is ``..`` or names a symlink) must resolve inside ``root``, symlinks included: the
    whole argument, a value after ``=`` (``--output=/x``), each word of a configuration
    string (``--config "cache-dir = '/x'"``) and the value attached to a short option
    (``-o/x``, ``-rf/x``). Raises ``PermissionError`` naming the argument.
    """
    for arg in args:
        if arg in _EXEC_OPTIONS:
            raise PermissionError(f"argument not allowed: {arg} runs other programs")
        for value in _path_candidates(arg):
            if value.startswith("~"):
                raise PermissionError(f"argument points outside the workspace: {arg}")
            if "/" in value or value == ".." or _is_symlink(root, value):
                try:
                    resolve_inside(root, value)
                except PermissionError:
                    raise PermissionError(f"argument points outside the workspace: {arg}") from None


# What separates the words of ``key=value`` and configuration strings.
_WORD_SEPARATORS = re.compile(r"[=\s'\",:;]+")
# A short option's value may follow a cluster of flags (``-rnf/x``): no real cluster
# is longer than this.
_MAX_FLAG_CLUSTER = 16


def _path_candidates(arg: str) -> set[str]:
    candidates = {arg, *_WORD_SEPARATORS.split(arg)}
    if arg.startswith("-") and not arg.startswith("--"):
        candidates |= {arg[i:] for i in range(2, min(len(arg), 2 + _MAX_FLAG_CLUSTER))}
    candidates.discard("")
    return candidates


def _is_symlink(root: Path, value: str) -> bool:
    # Longer than NAME_MAX cannot name an entry of ``root`` (and needs no stat call).
    return len(value) <= 255 and (root / value).is_symlink()


def command_text(result: CommandResult) -> str:
    """What ``run_command`` returns to a snippet: output, then truncation and exit marks."""
    output = result.output + ("\n[output truncated]" if result.truncated else "")
    if result.exit_code != 0:
        output += f"\n[exit {result.exit_code}]"
    return output


def command_env(isolated: bool) -> dict[str, str]:
    """The environment of a command: PATH, locale and terminal type, no secrets.

    git ignores the system's and the user's configuration. In the sandbox
    (``isolated``) it is told the workspace, owned by someone else than ``nobody``, is
    safe, and the home and every cache a tool writes are in the private ``/tmp``,
    thrown away after the run, since the workspace is read-only there; ordinary output
    stays the same.
    """
    env = {key: os.environ[key] for key in _KEPT_ENV if key in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PATH"] = COMMAND_PATH if isolated else env.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    env |= {
        "NO_COLOR": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
    }
    if isolated:
        env |= {
            # Only in the sandbox, where whatever git reads in the repository acts inside
            # it too: on the host, git's ownership check must stand.
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "safe.directory",
            "GIT_CONFIG_VALUE_0": "*",
            "HOME": "/tmp",
            "XDG_CACHE_HOME": "/tmp/.cache",
            "PYTHONDONTWRITEBYTECODE": "1",
            "RUFF_CACHE_DIR": "/tmp/.cache/ruff",
            "MYPY_CACHE_DIR": "/tmp/.cache/mypy",
            "PYTEST_ADDOPTS": "-o cache_dir=/tmp/.cache/pytest",
        }
    return env


def _program(argv0: str, cwd: Path, path: str) -> str:
    """The file ``argv0`` names: looked up on ``path`` unless it has a ``/``."""
    if "/" in argv0:
        return str(cwd / argv0)
    found = shutil.which(argv0, path=path)
    if found is None:
        raise FileNotFoundError(f"no such program: {argv0}")
    return found


def _check_visible_to_nobody(workspace: Path, cwd: Path) -> None:
    """Refuse clearly when ``nobody`` (whom a root host runs commands as) could not
    enter the workspace, instead of a program failing with a bare EACCES."""
    for directory in [cwd, *cwd.parents]:
        mode = directory.stat().st_mode
        if mode & 0o005 != 0o005:
            raise PermissionError(
                f"commands run as the unprivileged user nobody, who cannot enter "
                f"{directory} (mode {mode & 0o777:o}); allow it with: chmod o+rx {directory}"
            )
        if directory == workspace:
            return


def _command_limits(timeout_s: float, memory_mb: int, as_nobody: bool) -> dict[str, object]:
    return {
        "cpu_s": math.ceil(timeout_s) + 1,
        "memory_bytes": memory_mb * 1024 * 1024,
        "file_bytes": COMMAND_TMP_BYTES,
        "open_files": COMMAND_OPEN_FILES,
        # RLIMIT_NPROC counts every process of the uid: only ``nobody``'s are ours.
        "processes": COMMAND_PROCESSES if as_nobody else None,
    }


async def run_argv(
    argv: list[str],
    workspace: Path,
    *,
    cwd: Path | None = None,
    backend: Backend | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_output_bytes: int = 65536,
    memory_mb: int = COMMAND_MEMORY_MB,
) -> CommandResult:
    """Run ``argv`` (no shell) in ``cwd`` (default: the workspace) inside the sandbox.

    The program runs under ``backend`` (default: the strongest this machine has) with
    only ``workspace`` mounted, read-only (``isolation.command_launch``), a scrubbed
    environment (``command_env``), rlimits and, where there is one, a memory cgroup of
    ``memory_mb``. stdout and stderr are combined and capped at ``max_output_bytes``; on
    timeout everything it started is killed and ``TimeoutError`` is raised. A missing
    program raises ``FileNotFoundError``, one that cannot be run ``PermissionError``.
    """
    launch, config, host_cwd = _prepare(argv, workspace, cwd, backend, timeout_s, memory_mb)
    cgroup = MemoryCgroup.create(memory_mb * 1024 * 1024)
    status_r, status_w = os.pipe()
    os.set_blocking(status_r, False)
    config |= {"cgroup_fd": None if cgroup is None else cgroup.procs_fd, "status_fd": status_w}
    passed = (status_w,) + (() if cgroup is None else (cgroup.procs_fd,))
    passed += launch.fds
    try:
        proc = await asyncio.create_subprocess_exec(
            *launch.argv,
            json.dumps(config),
            cwd=host_cwd,
            env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            pass_fds=passed,
        )
    except BaseException:
        os.close(status_r)
        if cgroup is not None:
            cgroup.remove_now()
        raise
    finally:
        for fd in (status_w, *launch.fds):
            os.close(fd)
        if cgroup is not None:
            cgroup.release_fd()
    try:
        output, truncated = await _collect(proc, argv, timeout_s, max_output_bytes)
        exec_error = _exec_error(status_r)
        out_of_memory = cgroup is not None and cgroup.out_of_memory()
    finally:
        _kill_group(proc.pid)
        if cgroup is not None:
            cgroup.kill_all()
        if proc.returncode is None:
            await proc.wait()
        os.close(status_r)
        if cgroup is not None:
            await cgroup.remove()
    if exec_error is not None:
        raise OSError(exec_error, f"cannot run {argv[0]}: {os.strerror(exec_error)}")
    text = output.decode("utf-8", "replace")
    if out_of_memory:
        text += f"\n[killed: out of memory (limit {memory_mb} MB)]"
    return CommandResult(
        exit_code=proc.returncode if proc.returncode is not None else -1,
        output=text,
        truncated=truncated,
    )


def _prepare(
    argv: list[str],
    workspace: Path,
    cwd: Path | None,
    backend: Backend | None,
    timeout_s: float,
    memory_mb: int,
) -> tuple[Launch, dict[str, object], Path]:
    """The launch, the runner's config (without descriptors) and the host cwd."""
    if not argv:
        raise ValueError("empty command")
    chosen = choose(backend)
    isolated = chosen not in HOST_WORKDIR_BACKENDS
    workspace = workspace.resolve()
    cwd = (cwd or workspace).resolve()
    env = command_env(isolated)
    # As root, an isolated command drops to nobody (``isolation.command_launch``).
    as_nobody = isolated and os.geteuid() == 0
    if as_nobody:
        _check_visible_to_nobody(workspace, cwd)
    program = _program(argv[0], cwd, env["PATH"])
    launch = command_launch(chosen, workspace, cwd)  # last: it may open descriptors
    config = {
        **launch.config,
        "program": program,
        "argv": argv,
        "env": env,
        "limits": _command_limits(timeout_s, memory_mb, as_nobody),
    }
    # An isolated command's bwrap or unshare starts outside the workspace (it is
    # mounted for the command only).
    return launch, config, Path("/") if isolated else cwd


async def _collect(
    proc: asyncio.subprocess.Process, argv: list[str], timeout_s: float, cap: int
) -> tuple[bytes, bool]:
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(timeout_s):
            output, truncated = await _read_capped(proc.stdout, cap)
            if truncated:
                _kill_group(proc.pid)
                while await proc.stdout.read(65536):  # drain so the transport can close
                    pass
            await proc.wait()
    except TimeoutError:
        raise TimeoutError(f"command timed out after {timeout_s:g} s: {' '.join(argv)}") from None
    return output, truncated


def _exec_error(status_r: int) -> int | None:
    """The errno the runner reported if it could not exec the program (else None)."""
    try:
        data = os.read(status_r, 64)
    except BlockingIOError:
        return None
    return int(data) if data.strip().isdigit() else None


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
