"""Isolation backends: how a worker process is wrapped, chosen at run time.

``bwrap`` (bubblewrap) is preferred; ``namespaces`` uses util-linux ``unshare`` plus a
private root the worker builds itself (``confine``); ``seatbelt`` is macOS
``sandbox-exec`` with the profile next to this module; ``rlimits-only`` is the last
resort and says so loudly.
"""

import contextlib
import functools
import grp
import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Backend = Literal["bwrap", "namespaces", "seatbelt", "rlimits-only"]
BACKENDS: tuple[Backend, ...] = ("bwrap", "namespaces", "seatbelt", "rlimits-only")
# The backends whose worker shares the host filesystem, and so works in a host
# directory; the others build it a private one.
HOST_WORKDIR_BACKENDS: frozenset[Backend] = frozenset({"seatbelt", "rlimits-only"})

# What the worker imports, and so what the sandbox mounts besides the Python install.
WORKER_PACKAGES = (
    "punie_sandbox",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "annotated_types",
    "typing_inspection",
)
SITE = "/punie/site"
WORKDIR = "/work"
SEATBELT_PROFILE = Path(__file__).with_name("seatbelt.sb")
RLIMITS_ONLY_WARNING = (
    "WARNING: the Punie sandbox runs snippets, and the commands and ty runs they ask for, "
    "with rlimits only: no filesystem, network or process isolation. Install bubblewrap "
    "(apt install bubblewrap) to isolate them."
)
SEATBELT_WARNING = (
    "WARNING: on macOS the Punie sandbox confines snippets only: the commands and ty runs "
    "they ask for run with rlimits only, seeing the whole file system."
)
_BOOT = (
    "import json,sys;c=json.loads(sys.argv[1]);sys.path[:0]=c['path'];"
    "from punie_sandbox.worker import main;main()"
)
_RUNNER_BOOT = _BOOT.replace("punie_sandbox.worker", "punie_sandbox.runner")
# A command's private /tmp, where its caches go (ruff, pytest, ty): larger, thrown away.
COMMAND_TMP_BYTES = 64 * 1024 * 1024
# What a command sees of the system, read-only: programs and libraries, and the public
# files that make ordinary output look as on the host (user names in ``ls -l``, local
# time, Debian's alternatives such as awk).
SYSTEM_TREES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/localtime", "/etc/alternatives")
COMMAND_DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")
NOBODY = 65534


@dataclass(frozen=True)
class Launch:
    """How to start one worker or command: the argv before the config, the config, and
    descriptors the argv names (to pass to the process, then close)."""

    argv: list[str]
    config: dict[str, object]
    fds: tuple[int, ...] = ()


def python_executable() -> str:
    """The real interpreter behind ``sys.executable`` (no venv link, no pyenv shim)."""
    return os.path.realpath(sys.executable)


@functools.cache
def package_paths() -> tuple[tuple[str, str], ...]:
    """(host path, name in the sandbox site dir) for every package the worker imports."""
    found: list[tuple[str, str]] = []
    for name in WORKER_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the sandbox worker needs {name}, which is not installed")
        origin = Path(spec.origin)
        path = origin.parent if origin.name == "__init__.py" else origin
        found.append((str(path), path.name))
    return tuple(found)


def _library_dirs() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Shared-library dirs the interpreter needs: (binds, symlinks)."""
    binds, links = [], []
    for path in ("/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32"):
        if os.path.islink(path):
            links.append((os.readlink(path), path))
        elif os.path.isdir(path):
            binds.append((path, path))
    return binds, links


def _system_binds() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Everything mounted read-only in an isolated worker, plus symlinks to recreate."""
    binds, links = _library_dirs()
    binds.append((sys.base_prefix, sys.base_prefix))
    binds += [(path, f"{SITE}/{name}") for path, name in package_paths()]
    return binds, links


@functools.cache
def _works(argv: tuple[str, ...]) -> bool:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=10, check=False)
    except OSError:
        return False
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def _is_root() -> bool:
    return os.geteuid() == 0


def _bwrap_prefix() -> list[str] | None:
    exe = shutil.which("bwrap")
    if exe is None:
        return None
    # As root, a user namespace would map the worker to uid 0, which the kernel exempts
    # from RLIMIT_NPROC; instead bwrap keeps CAP_SETUID/SETGID and the worker drops to
    # nobody itself. Unprivileged callers get a user namespace as usual.
    user = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] if _is_root() else []
    if not _is_root():
        user = ["--unshare-user"]
    return [
        exe,
        *("--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"),
        "--unshare-cgroup-try",
        *user,
        *("--die-with-parent", "--new-session", "--clearenv"),
        *("--setenv", "LANG", "C.UTF-8"),
    ]


def _unshare_prefix() -> list[str] | None:
    exe = shutil.which("unshare")
    if exe is None:
        return None
    flags = ["--net", "--pid", "--fork", "--kill-child", "--mount", "--ipc", "--uts"]
    if not _is_root():
        flags = ["--user", "--map-root-user", *flags]
    return [exe, *flags]


def available(backend: Backend) -> bool:
    """Whether ``backend`` works on this machine (probed once per process)."""
    if backend == "bwrap":
        prefix = _bwrap_prefix()
        return prefix is not None and _works(
            (*prefix, "--ro-bind", "/", "/", "--", python_executable(), "-I", "-S", "-c", "")
        )
    if backend == "namespaces":
        prefix = _unshare_prefix()
        return prefix is not None and _works((*prefix, python_executable(), "-I", "-S", "-c", ""))
    if backend == "seatbelt":
        return sys.platform == "darwin" and shutil.which("sandbox-exec") is not None
    return True


def choose(backend: str | None) -> Backend:
    """The requested backend if it works, else (``None``) the strongest that works."""
    if backend is None:
        return next(b for b in BACKENDS if available(b))
    if backend not in BACKENDS:
        raise ValueError(f"unknown sandbox backend {backend!r}; choose one of {BACKENDS}")
    if not available(backend):
        raise ValueError(f"sandbox backend {backend!r} does not work on this machine")
    return backend


def seatbelt_profile(workdir: str) -> str:
    """The seatbelt profile with the readable (Python, packages) and writable paths."""
    readable = [sys.base_prefix, *(path for path, _ in package_paths())]
    rules = " ".join(f'(subpath "{path}")' for path in readable)
    return (
        SEATBELT_PROFILE.read_text()
        .replace(";; @READABLE@", f"(allow file-read* {rules})")
        .replace(";; @WRITABLE@", f'(allow file-read* file-write* (subpath "{workdir}"))')
    )


def launch(backend: Backend, cwd: str | None, tmp_bytes: int) -> Launch:
    """The command line and config that start a worker under ``backend`` (do not mutate).

    ``cwd`` is the worker's working directory, an empty host directory, for the
    ``HOST_WORKDIR_BACKENDS``; the others ignore it (``None``) and give the worker a
    private ``/tmp`` of ``tmp_bytes``.
    """
    if backend in HOST_WORKDIR_BACKENDS:
        return _launch(backend, cwd, tmp_bytes)
    # The same for every worker, and a few milliseconds of path walking on the server's
    # event loop each time: the pool refills while the model generates an answer.
    return _isolated_launch(backend, tmp_bytes)


@functools.cache
def _isolated_launch(backend: Backend, tmp_bytes: int) -> Launch:
    return _launch(backend, None, tmp_bytes)


def _launch(backend: Backend, cwd: str | None, tmp_bytes: int) -> Launch:
    python = [python_executable(), "-I", "-S", "-c", _BOOT]
    host_path = sorted({str(Path(p).parent) for p, _ in package_paths()})
    if backend == "bwrap":
        binds, links = _system_binds()
        argv = [*(_bwrap_prefix() or []), *_bwrap_mounts(binds, links, tmp_bytes)]
        argv += ["--dir", WORKDIR, "--chdir", WORKDIR]
        config = {"path": [SITE], "cwd": WORKDIR, "drop_privileges": _is_root()}
        return Launch([*argv, "--", *python], config)
    if backend == "namespaces":
        binds, links = _system_binds()
        binds += [(dev, dev) for dev in ("/dev/null", "/dev/zero", "/dev/urandom")]
        config = {
            "path": host_path,
            "private_root": _private_root(binds, links, [WORKDIR], tmp_bytes),
            "path_after_confine": [SITE],
            "cwd": WORKDIR,
            "drop_privileges": _is_root(),
        }
        return Launch([*(_unshare_prefix() or []), *python], config)
    assert cwd is not None, f"a {backend} worker needs a host working directory"
    if backend == "seatbelt":
        argv = ["sandbox-exec", "-p", seatbelt_profile(cwd), "-D", f"PYTHON={python[0]}"]
        return Launch([*argv, *python], {"path": host_path, "cwd": cwd, "drop_privileges": False})
    return Launch(python, {"path": host_path, "cwd": cwd, "drop_privileges": False})


def command_launch(backend: Backend, workspace: Path, cwd: Path) -> Launch:
    """How to start ``runner`` for one command in ``cwd`` (inside ``workspace``).

    With bwrap and namespaces the command sees the system's programs (``/usr``), the
    Python install and virtual environment Punie runs from (ruff, ty, pytest), a few
    public files of ``/etc`` and user tables of its own (``user_tables``), the workspace
    and a private ``/tmp``, all read-only but ``/tmp``; nothing else of the host exists
    for it. Seatbelt and rlimits-only run it on
    the host, in the workspace, with rlimits only (``Sandbox.warning`` says so).
    """
    python = [python_executable(), "-I", "-S", "-c", _RUNNER_BOOT]
    runner_path = str(Path(package_paths()[0][0]).parent)
    if backend == "bwrap":
        binds, links = _command_binds(workspace)
        argv = [*(_bwrap_prefix() or []), *_bwrap_mounts(binds, links, COMMAND_TMP_BYTES)]
        fds = []
        for path, text in user_tables(workspace).items():
            fds.append(_memfd(text))
            argv += ["--perms", "0644", "--ro-bind-data", str(fds[-1]), path]
        argv += ["--chdir", str(cwd)]
        config = {"path": [SITE], "cwd": str(cwd), "drop_privileges": _is_root()}
        return Launch([*argv, "--", *python], config, tuple(fds))
    if backend == "namespaces":
        binds, links = _command_binds(workspace)
        binds += [(dev, dev) for dev in COMMAND_DEVICES]
        private_root = _private_root(binds, links, [], COMMAND_TMP_BYTES)
        config = {
            "path": [runner_path],
            "private_root": {**private_root, "files": user_tables(workspace)},
            "cwd": str(cwd),
            "drop_privileges": _is_root(),
        }
        return Launch([*(_unshare_prefix() or []), *python], config)
    return Launch(python, {"path": [runner_path], "cwd": str(cwd), "drop_privileges": False})


def _command_binds(workspace: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a command sees besides ``/dev`` and ``/tmp``: (read-only binds, symlinks)."""
    binds, links = [], []
    for path in (*SYSTEM_TREES, *SYSTEM_FILES):
        if os.path.islink(path):
            links.append((os.readlink(path), path))
        elif os.path.exists(path):
            binds.append((path, path))
    for path in {sys.base_prefix, sys.prefix, str(workspace), *map(str, _git_dirs(workspace))}:
        binds.append((path, path))
    binds.append((package_paths()[0][0], f"{SITE}/punie_sandbox"))
    return _without_covered(binds), links


def user_tables(workspace: Path) -> dict[str, str]:
    """``/etc/passwd`` and ``/etc/group`` for a command: only root, nobody, this user and
    the workspace's owner, with no home, so ``ls -l`` shows the names it shows on the
    host without the machine's list of accounts."""
    stat = workspace.stat()
    users, groups = [], []
    for uid in sorted({0, NOBODY, os.getuid(), stat.st_uid}):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwuid(uid)
            users.append(f"{entry.pw_name}:x:{uid}:{entry.pw_gid}::/nonexistent:/usr/sbin/nologin")
    for gid in sorted({0, NOBODY, os.getgid(), stat.st_gid}):
        with contextlib.suppress(KeyError):
            groups.append(f"{grp.getgrgid(gid).gr_name}:x:{gid}:")
    return {"/etc/passwd": "\n".join(users) + "\n", "/etc/group": "\n".join(groups) + "\n"}


def _memfd(text: str) -> int:
    fd = os.memfd_create("punie-etc")
    os.write(fd, text.encode())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _git_dirs(workspace: Path) -> list[Path]:
    """The repository of a worktree or submodule workspace, whose ``.git`` is a file.

    That file names the repository's directory (and a worktree's names the main one):
    without it git sees no repository at all. It is mounted only when that directory
    names this workspace back (a worktree's ``gitdir`` file, a submodule's
    ``core.worktree``), as git itself set them up: a ``.git`` file pointing at some
    other repository (one that came with a downloaded archive) mounts nothing.
    """
    dotgit = workspace / ".git"
    if dotgit.is_symlink() or not dotgit.is_file():
        return []
    text = _small_text(dotgit)
    if not text.startswith("gitdir: "):
        return []
    gitdir = (workspace / text.removeprefix("gitdir: ").strip()).resolve()
    if not (gitdir / "HEAD").is_file() or not _names_back(gitdir, workspace):
        return []
    found = [gitdir]
    common = gitdir / "commondir"
    if common.is_file():
        main = (gitdir / _small_text(common).strip()).resolve()
        if (main / "HEAD").is_file():
            found.append(main)
    return [path for path in found if not path.is_relative_to(workspace)]


def _names_back(gitdir: Path, workspace: Path) -> bool:
    back = gitdir / "gitdir"  # a worktree: the path of its .git file
    if back.is_file():
        return Path(_small_text(back).strip()).resolve() == workspace / ".git"
    for line in _small_text(gitdir / "config").splitlines():  # a submodule
        key, _, value = line.partition("=")
        if key.strip().lower() == "worktree" and value.strip():
            return (gitdir / value.strip()).resolve() == workspace
    return False


def _small_text(path: Path) -> str:
    try:
        with path.open(errors="replace") as handle:
            return handle.read(4096)
    except OSError:
        return ""


def _without_covered(binds: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``binds`` sorted parents first, without identity binds inside another one."""
    kept: list[tuple[str, str]] = []
    for source, target in sorted(set(binds), key=lambda bind: (len(Path(bind[1]).parts), bind)):
        covered = any(
            outer_source == outer_target and Path(target).is_relative_to(outer_target)
            for outer_source, outer_target in kept
        )
        if not (covered and source == target):
            kept.append((source, target))
    return kept


def _bwrap_mounts(
    binds: list[tuple[str, str]], links: list[tuple[str, str]], tmp_bytes: int
) -> list[str]:
    """bwrap arguments for ``/dev``, a private ``/tmp`` of ``tmp_bytes``, then the binds."""
    argv = ["--dev", "/dev", "--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    made = {"/", "/tmp"}
    # bwrap copies the modes of the source's parents (e.g. /root is 0700), which
    # would hide the Python install from the unprivileged worker.
    for source, target in binds:
        for parent in reversed(Path(target).parents):
            if str(parent) not in made:
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        argv += ["--ro-bind", source, target]
        made.add(target)
    for target, link in links:
        argv += ["--symlink", target, link]
    return argv


def _private_root(
    binds: list[tuple[str, str]], links: list[tuple[str, str]], dirs: list[str], tmp_bytes: int
) -> dict[str, object]:
    """The spec ``confine.enter_private_root`` builds the namespaces backend's root from."""
    return {"binds": binds, "symlinks": links, "dirs": dirs, "tmp_bytes": tmp_bytes}
