"""One worker process seen from the host: spawn, callback frames, output cap, kill."""

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile

from punie_sandbox.cgroup import MemoryCgroup
from punie_sandbox.isolation import HOST_WORKDIR_BACKENDS, Backend, launch
from punie_sandbox.models import Limits
from punie_sandbox.wire import (
    HEADER,
    Call,
    Done,
    ProtocolError,
    Ready,
    frame_length,
    pack,
    parse_worker_message,
)

# Beyond the snippet's own memory: room for the interpreter, pydantic and the toolset.
FILE_BYTES = 16 * 1024 * 1024
OPEN_FILES = 64
PROCESSES = 64
READY_TIMEOUT_S = 30.0
FRAME_READ_AHEAD = 64 * 1024


class WorkerStartError(RuntimeError):
    """A worker died or misbehaved before it was ready."""


def _rlimits(limits: Limits) -> dict[str, int]:
    return {
        "cpu_s": math.ceil(limits.timeout_s) + 1,
        "memory_bytes": limits.memory_mb * 1024 * 1024,
        "file_bytes": FILE_BYTES,
        "open_files": OPEN_FILES,
        "processes": PROCESSES,
    }


class WorkerProcess:
    """A started worker: its process, its callback pipes and its capped stdout.

    The snippet's stdout/stderr is a pipe this object reads itself (not asyncio's
    subprocess machinery): the worker flushes it before it reports ``done``, so
    draining it without blocking right after ``done`` yields everything it printed,
    with no need to wait for the process to exit.
    """

    def __init__(self, backend: Backend, limits: Limits) -> None:
        self.backend = backend
        self.limits = limits
        self.proc: subprocess.Popen[bytes] | None = None
        self._frames: asyncio.StreamReader | None = None
        self._to_worker: asyncio.StreamWriter | None = None
        self._stdout = bytearray()
        self._stdout_fd: int | None = None
        self._overflow = asyncio.Event()
        self._exited = asyncio.Event()
        self._pidfd: int | None = None
        self._cgroup: MemoryCgroup | None = None
        # Created only where the worker works in it: a host directory is something to
        # remove, and whatever kills this process with SIGKILL leaves it behind.
        self._cwd = (
            tempfile.mkdtemp(prefix="punie-worker-") if backend in HOST_WORKDIR_BACKENDS else None
        )

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc is not None and not self._exited.is_set() and self.proc.poll() is None

    @property
    def overflowed(self) -> asyncio.Event:
        """Set once the snippet's output went over the cap (the worker is then killed)."""
        return self._overflow

    @property
    def exited(self) -> asyncio.Event:
        """Set once the process has exited (and been waited for)."""
        return self._exited

    async def start(self) -> None:
        """Spawn the worker and wait until it reports ready."""
        loop = asyncio.get_running_loop()
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        out_r, out_w = os.pipe()
        # The private /tmp may hold as much as the snippet's memory limit, which (in its
        # memory cgroup, where there is one) counts the two together.
        memory_bytes = self.limits.memory_mb * 1024 * 1024
        spec = launch(self.backend, self._cwd, memory_bytes)
        self._cgroup = cgroup = MemoryCgroup.create(memory_bytes)
        config = {
            **spec.config,
            "fd_in": to_worker_r,
            "fd_out": from_worker_w,
            "limits": _rlimits(self.limits),
            "cgroup_fd": None if cgroup is None else cgroup.procs_fd,
        }
        passed = (to_worker_r, from_worker_w) + (() if cgroup is None else (cgroup.procs_fd,))
        try:
            # Popen (vfork + exec) returns in about a millisecond; asyncio's subprocess
            # transport would add a child watcher and stream objects we do not use.
            self.proc = subprocess.Popen(  # noqa: ASYNC220
                [*spec.argv, json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=passed,
                start_new_session=True,
                env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
                cwd=self._cwd or "/",  # never the caller's (the workspace)
            )
        except BaseException:
            if cgroup is not None:
                cgroup.remove_now()
                self._cgroup = None
            raise
        finally:
            for fd in (to_worker_r, from_worker_w, out_w):
                os.close(fd)
            if cgroup is not None:
                cgroup.release_fd()
        os.set_blocking(out_r, False)
        self._stdout_fd = out_r
        loop.add_reader(out_r, self._read_stdout)
        self._watch_exit(loop)
        # The limit is how much the reader buffers ahead before it stops reading the pipe
        # (a frame being read may still be as long as MAX_FRAME_BYTES): a worker flooding
        # the pipe while the host serves a callback then blocks on a full pipe instead of
        # growing the host's memory.
        frames = self._frames = asyncio.StreamReader(limit=FRAME_READ_AHEAD, loop=loop)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(frames), os.fdopen(from_worker_r, "rb", 0)
        )
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(to_worker_w, "wb", 0)
        )
        self._to_worker = asyncio.StreamWriter(transport, protocol, None, loop)
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                first = await self.receive()
        except (ProtocolError, TimeoutError, asyncio.IncompleteReadError) as exc:
            self.kill()
            await self.reap()
            output = self.stdout().strip()
            raise WorkerStartError(f"sandbox worker failed to start: {output or exc}") from None
        if not isinstance(first, Ready):
            self.kill()
            await self.reap()
            raise WorkerStartError("sandbox worker spoke before it was ready")

    def _watch_exit(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self.proc is not None
        try:
            self._pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):  # no pidfd (macOS, old kernels): poll a thread
            proc = self.proc
            future = loop.run_in_executor(None, proc.wait)
            future.add_done_callback(lambda _: self._exited.set())
            return
        loop.add_reader(self._pidfd, self._on_exit)

    def _on_exit(self) -> None:
        pidfd = self._pidfd
        if pidfd is None or (self.proc is not None and self.proc.poll() is None):
            return
        asyncio.get_running_loop().remove_reader(pidfd)
        os.close(pidfd)
        self._pidfd = None
        self._exited.set()

    def _read_stdout(self) -> None:
        assert self._stdout_fd is not None
        while True:
            try:
                chunk = os.read(self._stdout_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                asyncio.get_running_loop().remove_reader(self._stdout_fd)
                return
            room = self.limits.max_output_bytes - len(self._stdout)
            self._stdout += chunk[: max(room, 0)]
            if len(chunk) > room:
                self._overflow.set()
                self.kill()
                asyncio.get_running_loop().remove_reader(self._stdout_fd)
                return

    def out_of_memory(self) -> bool:
        """Whether the kernel stopped the worker at its memory cgroup's limit."""
        return self._cgroup is not None and self._cgroup.out_of_memory()

    def drain_stdout(self) -> None:
        """Take in everything the worker has written so far (call right after ``done``)."""
        if self._stdout_fd is not None and not self._overflow.is_set():
            self._read_stdout()

    async def receive(self) -> Ready | Call | Done:
        """The next validated frame from the worker (``IncompleteReadError`` at EOF)."""
        assert self._frames is not None
        header = await self._frames.readexactly(HEADER.size)
        body = await self._frames.readexactly(frame_length(header))
        return parse_worker_message(body)

    async def send(self, message: dict[str, object]) -> None:
        """Send one frame to the worker."""
        assert self._to_worker is not None
        self._to_worker.write(pack(message))
        await self._to_worker.drain()

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (synchronously)."""
        if self.proc is not None and not self._exited.is_set():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self._cgroup is not None:
            self._cgroup.kill_all()

    async def reap(self) -> None:
        """Wait for the killed worker to exit and release its pipes and directory."""
        if self.proc is not None:
            await self._exited.wait()
        loop = asyncio.get_running_loop()
        self.drain_stdout()
        if self._stdout_fd is not None:
            loop.remove_reader(self._stdout_fd)
            os.close(self._stdout_fd)
            self._stdout_fd = None
        if self._to_worker is not None:
            self._to_worker.close()
            self._to_worker = None
        if self._frames is not None:
            self._frames.feed_eof()
        if self._cwd is not None:
            shutil.rmtree(self._cwd, ignore_errors=True)
        if self._cgroup is not None:
            await self._cgroup.remove()
            self._cgroup = None

    def stdout(self) -> str:
        """What the snippet printed (capped), decoded."""
        return bytes(self._stdout).decode("utf-8", "replace")

    def exit_description(self) -> str:
        """How the process ended, for error messages."""
        code = self.proc.poll() if self.proc is not None else None
        if code is None:
            return "still running"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit status {code}"
