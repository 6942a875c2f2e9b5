"""A memory cgroup per sandboxed process, where the machine lets us make one.

RLIMIT_AS counts only memory a process maps. The kernel charges a memory cgroup for
everything its processes make resident: heap, the private ``/tmp`` (tmpfs pages),
memfds and SysV shared memory, even once unmapped. So a worker or a command joins a
cgroup of its own, limited to its memory budget, and the kernel's OOM killer stops it
at that budget instead of the host's memory paying for it.

The cgroup is made under the server's own: cgroup v1's memory hierarchy, or v2 when
the server's cgroup delegates the memory controller to its children. The child joins
it itself, first thing, through a descriptor for ``cgroup.procs`` opened here (it has
no ``/sys`` of its own); nothing it forks can leave it. Where neither works (an
unprivileged user without a delegated cgroup), ``available()`` is False and the
rlimits and tmpfs sizes are the only bounds (docs/security.md says what that leaves).
"""

import asyncio
import contextlib
import functools
import itertools
import os
import signal
from dataclasses import dataclass
from pathlib import Path

PREFIX = "punie-"
_counter = itertools.count(1)


@dataclass(frozen=True)
class _Hierarchy:
    """Where this process's memory cgroup is, and which interface it speaks."""

    path: Path
    version: int

    @property
    def limit_file(self) -> str:
        return "memory.limit_in_bytes" if self.version == 1 else "memory.max"

    @property
    def swap_file(self) -> str:
        return "memory.memsw.limit_in_bytes" if self.version == 1 else "memory.swap.max"

    @property
    def events_file(self) -> str:
        return "memory.oom_control" if self.version == 1 else "memory.events"


def _own_cgroup(proc_cgroup: str, mountinfo: str) -> _Hierarchy | None:
    """Our memory cgroup's directory from ``/proc/self/cgroup`` and ``mountinfo``."""
    v1 = v2 = None
    for line in proc_cgroup.splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            v2 = path
        elif "memory" in controllers.split(","):
            v1 = path
    for line in mountinfo.splitlines():
        fields = line.split()
        separator = fields.index("-")
        root, mount_point = fields[3], fields[4]
        fstype, options = fields[separator + 1], fields[separator + 3].split(",")
        if fstype == "cgroup" and "memory" in options and v1 is not None:
            return _Hierarchy(_inside_mount(mount_point, root, v1), 1)
        if fstype == "cgroup2" and v2 is not None and v1 is None:
            path = _inside_mount(mount_point, root, v2)
            delegated = (path / "cgroup.subtree_control").read_text().split()
            if "memory" in delegated:
                return _Hierarchy(path, 2)
    return None


def _inside_mount(mount_point: str, root: str, path: str) -> Path:
    relative = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
    return Path(mount_point) / ("" if relative == "." else relative)


@functools.cache
def _hierarchy() -> _Hierarchy | None:
    try:
        found = _own_cgroup(
            Path("/proc/self/cgroup").read_text(), Path("/proc/self/mountinfo").read_text()
        )
    except (OSError, ValueError, IndexError):
        return None
    if found is None:
        return None
    _remove_stale(found.path)
    try:  # the real test: can we make a limited child here?
        MemoryCgroup._make(found, 64 * 1024 * 1024).remove_now()
    except OSError:
        return None
    return found


def available() -> bool:
    """Whether sandboxed processes get a memory cgroup on this machine (probed once)."""
    return _hierarchy() is not None


def _remove_stale(parent: Path) -> None:
    # Left by a server that was SIGKILLed: its pid is in the name, and it is gone.
    for child in parent.glob(f"{PREFIX}*-*"):
        pid = child.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            with contextlib.suppress(OSError):
                child.rmdir()


class MemoryCgroup:
    """One child cgroup limited to ``limit_bytes`` of memory (no swap).

    Pass ``procs_fd`` to the child, which writes ``0`` to it to join; ``remove`` once
    the child is gone.
    """

    def __init__(self, hierarchy: _Hierarchy, path: Path, procs_fd: int) -> None:
        self._hierarchy = hierarchy
        self.path = path
        self.procs_fd = procs_fd

    @classmethod
    def create(cls, limit_bytes: int) -> "MemoryCgroup | None":
        """A new limited cgroup, or None where ``available()`` is False."""
        hierarchy = _hierarchy()
        if hierarchy is None:
            return None
        return cls._make(hierarchy, limit_bytes)

    @classmethod
    def _make(cls, hierarchy: _Hierarchy, limit_bytes: int) -> "MemoryCgroup":
        path = hierarchy.path / f"{PREFIX}{os.getpid()}-{next(_counter)}"
        path.mkdir()
        try:
            (path / hierarchy.limit_file).write_text(str(limit_bytes))
            swap = path / hierarchy.swap_file
            if swap.exists():  # v1 counts memory + swap here, so the same limit is no swap
                swap.write_text(str(limit_bytes) if hierarchy.version == 1 else "0")
            procs_fd = os.open(path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            path.rmdir()
            raise
        return cls(hierarchy, path, procs_fd)

    def out_of_memory(self) -> bool:
        """Whether the kernel's OOM killer has killed a process of this cgroup."""
        try:
            events = (self.path / self._hierarchy.events_file).read_text()
        except OSError:
            return False
        counts = dict(line.split() for line in events.splitlines() if len(line.split()) == 2)
        return int(counts.get("oom_kill", "0")) > 0

    def kill_all(self) -> None:
        """SIGKILL every process in the cgroup: also those that left the process group
        (``setsid``) or were reparented, since nothing can leave the cgroup."""
        kill = self.path / "cgroup.kill"  # v2 (Linux 5.14+): atomic, also for forks in flight
        with contextlib.suppress(OSError):
            if kill.exists():
                kill.write_text("1")
                return
            for pid in (self.path / "cgroup.procs").read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(pid), signal.SIGKILL)

    def release_fd(self) -> None:
        """Close the descriptor the child joined through (it has its own copy)."""
        if self.procs_fd >= 0:
            os.close(self.procs_fd)
            self.procs_fd = -1

    async def remove(self) -> None:
        """Remove the cgroup once its processes are gone (they may still be dying)."""
        self.release_fd()
        for _ in range(100):
            try:
                if not (self.path / "cgroup.procs").read_text().strip():
                    break
            except OSError:
                return
            self.kill_all()
            await asyncio.sleep(0.01)
        with contextlib.suppress(OSError):
            self.path.rmdir()

    def remove_now(self) -> None:
        """Remove an unused cgroup (no process ever joined it)."""
        self.release_fd()
        self.path.rmdir()
