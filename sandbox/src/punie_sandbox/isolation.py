"""Isolation backends: how a worker process is wrapped, chosen at run time.

``bwrap`` (bubblewrap) is preferred; ``namespaces`` uses util-linux ``unshare`` plus a
private root the worker builds itself (``confine``); ``seatbelt`` is macOS
``sandbox-exec`` with the profile next to this module; ``rlimits-only`` is the last
resort and says so loudly.
"""

import functools
import importlib.util
import os
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
    "WARNING: the Punie sandbox runs snippets with rlimits only: no filesystem, network "
    "or process isolation. Install bubblewrap (apt install bubblewrap) to isolate them."
)
_BOOT = (
    "import json,sys;c=json.loads(sys.argv[1]);sys.path[:0]=c['path'];"
    "from punie_sandbox.worker import main;main()"
)


@dataclass(frozen=True)
class Launch:
    """How to start one worker: the argv before the config, and the worker's config."""

    argv: list[str]
    config: dict[str, object]


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


def launch(backend: Backend, cwd: str | None) -> Launch:
    """The command line and config that start a worker under ``backend`` (do not mutate).

    ``cwd`` is the worker's working directory, an empty host directory, for the
    ``HOST_WORKDIR_BACKENDS``; the others ignore it (``None``).
    """
    if backend in HOST_WORKDIR_BACKENDS:
        return _launch(backend, cwd)
    # The same for every worker, and a few milliseconds of path walking on the server's
    # event loop each time: the pool refills while the model generates an answer.
    return _isolated_launch(backend)


@functools.cache
def _isolated_launch(backend: Backend) -> Launch:
    return _launch(backend, None)


def _launch(backend: Backend, cwd: str | None) -> Launch:
    python = [python_executable(), "-I", "-S", "-c", _BOOT]
    host_path = sorted({str(Path(p).parent) for p, _ in package_paths()})
    if backend == "bwrap":
        binds, links = _system_binds()
        argv = list(_bwrap_prefix() or [])
        # bwrap copies the modes of the source's parents (e.g. /root is 0700), which
        # would hide the Python install from the unprivileged worker.
        for parent in sorted({str(p) for _, t in binds for p in Path(t).parents} - {"/"}):
            argv += ["--perms", "0755", "--dir", parent]
        for source, target in binds:
            argv += ["--ro-bind", source, target]
        for target, link in links:
            argv += ["--symlink", target, link]
        argv += ["--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        argv += ["--dir", WORKDIR, "--chdir", WORKDIR]
        config = {"path": [SITE], "cwd": WORKDIR, "drop_privileges": _is_root()}
        return Launch([*argv, "--", *python], config)
    if backend == "namespaces":
        binds, links = _system_binds()
        binds += [(dev, dev) for dev in ("/dev/null", "/dev/zero", "/dev/urandom")]
        private_root = {"binds": binds, "symlinks": links, "dirs": [WORKDIR]}
        config = {
            "path": host_path,
            "private_root": private_root,
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
