"""Private root filesystem for the namespaces backend, built with mount(2) via ctypes.

Runs inside the worker, which ``unshare`` started in fresh mount, pid, network, ipc
and uts namespaces (plus a user namespace when not root). It builds a tmpfs root that
holds only read-only binds (the Python install and the worker's packages; for a
command also the system's programs and the workspace), an empty working directory
and a private, size-limited ``/tmp``, then pivots into it and detaches the old root,
so nothing else of the host filesystem stays reachable.
"""

import ctypes
import os
import platform
from typing import Any

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
STAGING = "/tmp"
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None):
    encode = lambda text: None if text is None else text.encode()  # noqa: E731
    _check(
        _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
        f"mount {source} on {target}",
    )


def _bind_read_only(source: str, target: str) -> None:
    # ``source`` may be a /proc/self/fd link to a directory the staging tmpfs now hides.
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC, None)
    # A remount may not clear flags the kernel locked on the source mount; keep them.
    locked = os.statvfs(target).f_flag & (MS_NOSUID | MS_NODEV | 8)  # 8 = noexec
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | locked, None)


def enter_private_root(spec: dict[str, Any]) -> None:
    """Pivot into a new root holding only ``spec["binds"]`` ([source, target] pairs,
    parents first) and a private ``/tmp`` of ``spec["tmp_bytes"]``.

    ``spec["symlinks"]`` are [target, link] pairs to create, ``spec["dirs"]`` empty
    directories (the working directory), ``spec["files"]`` (optional) small files to
    write, by path. A bind may land inside ``/tmp`` (a workspace
    under ``/tmp``): the private ``/tmp`` is mounted first.
    """
    os.umask(0o022)  # the directories made here must be traversable by ``nobody``
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    # Open the sources before the staging tmpfs covers STAGING: a source that lives under
    # it (a checkout in /tmp) stays reachable through its descriptor.
    handles = [(os.open(source, os.O_PATH), target) for source, target in spec["binds"]]
    _mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.makedirs(STAGING + "/tmp")
    tmp = f"size={spec['tmp_bytes']},mode=1777"
    _mount("tmpfs", STAGING + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, tmp)
    for handle, target in handles:
        _bind_read_only(f"/proc/self/fd/{handle}", STAGING + target)
        os.close(handle)
    for target, link in spec["symlinks"]:
        os.symlink(target, STAGING + link)
    for target, text in spec.get("files", {}).items():
        os.makedirs(os.path.dirname(STAGING + target), exist_ok=True)
        with open(STAGING + target, "w") as handle:
            handle.write(text)
    for directory in [*spec["dirs"], "/.old"]:
        os.makedirs(STAGING + directory, exist_ok=True)
    os.chdir(STAGING)
    _check(_libc.syscall(SYS_PIVOT_ROOT[platform.machine()], b".", b".old"), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount old root")
    os.rmdir("/.old")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
