"""``Sandbox``: runs snippets in isolated worker processes taken from a warm pool."""

import asyncio
import contextlib
import time
from typing import Any

from pydantic import BaseModel

from punie_sandbox import gate
from punie_sandbox.host import Host, run_budget
from punie_sandbox.isolation import RLIMITS_ONLY_WARNING, SEATBELT_WARNING, Backend, choose
from punie_sandbox.models import CallRecord, ExecResult, KillReason, Limits, SnippetError
from punie_sandbox.process import WorkerProcess, WorkerStartError
from punie_sandbox.wire import Call, Done, ProtocolError, Ready, tool_arguments
from punie_sandbox.worker import MAX_ERROR_CHARS, clip

PROTOCOL_ERROR = "SandboxProtocolError"
# Largest repr of a callback argument kept in the call record.
MAX_RECORDED_ARG = 200
# What one run may write through write_file, all calls together: a snippet looping
# over writes must not fill the workspace's disk.
WRITE_QUOTA_BYTES = 16 * 1024 * 1024


class _Run:
    """What one run has done so far: its calls, and how much it wrote."""

    def __init__(self, calls: list[CallRecord]) -> None:
        self.calls = calls
        self.written = 0

    def spend_write_quota(self, size: int) -> None:
        """Count ``size`` bytes against the run's write quota; ``PermissionError`` past it."""
        if self.written + size > WRITE_QUOTA_BYTES:
            raise PermissionError(
                f"write quota exceeded: one run may write at most {WRITE_QUOTA_BYTES} bytes "
                f"({self.written} written so far, {size} more asked)"
            )
        self.written += size


class Sandbox:
    """Runs model-written snippets, one fresh isolated worker process per snippet.

    ``warm`` workers are started ahead of time so ``run`` rarely waits for start-up;
    the pool refills in the background. Use as ``async with Sandbox() as sb`` or call
    ``aclose()``; either way no worker process outlives the sandbox.
    """

    def __init__(
        self,
        limits: Limits = Limits(),  # noqa: B008 (never mutated; the documented default)
        *,
        backend: str | None = None,
        warm: int = 2,
    ) -> None:
        self.limits = limits
        self._backend: Backend = choose(backend)
        self._target = warm
        self._spares: list[WorkerProcess] = []
        self._starting = 0
        self._busy: set[WorkerProcess] = set()
        self._unreaped: set[WorkerProcess] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._start_error: WorkerStartError | None = None
        self._spare_ready = asyncio.Condition()

    @property
    def backend(self) -> Backend:
        """The isolation backend in use."""
        return self._backend

    @property
    def warm(self) -> int:
        """How many spare workers are ready right now."""
        return sum(w.alive for w in self._spares)

    @property
    def warning(self) -> str | None:
        """A loud warning when snippets or their commands run without OS isolation."""
        return {"rlimits-only": RLIMITS_ONLY_WARNING, "seatbelt": SEATBELT_WARNING}.get(
            self._backend
        )

    async def __aenter__(self) -> "Sandbox":
        self._refill()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def wait_warm(self, count: int | None = None) -> None:
        """Wait until ``count`` spares are ready (default and at most: the pool size).

        Raises ``WorkerStartError`` if workers fail to start on this machine.
        """
        wanted = self._target if count is None else min(count, self._target)
        self._start_error = None
        self._refill()
        async with self._spare_ready:
            await self._spare_ready.wait_for(
                lambda: self.warm >= wanted or self._closed or self._start_error is not None
            )
        if self._start_error is not None and self.warm < wanted:
            raise self._start_error

    async def run(self, code: str, host: Host) -> ExecResult:
        """Run ``code`` in a fresh worker; its callbacks are served by ``host``."""
        refused = gate.check(code)
        if refused is not None:
            return ExecResult(ok=False, error=refused)
        return await self._run(code, host)

    async def _run(self, code: str, host: Host) -> ExecResult:
        # Lower level than ``run``: no AST gate. Tests use it to show that the OS
        # isolation holds for code the gate would have refused.
        if self._closed:
            raise RuntimeError("the sandbox is closed")
        started = time.perf_counter()
        try:
            worker = await self._take()
        except WorkerStartError as exc:
            return ExecResult(ok=False, error=SnippetError(type="SandboxError", message=str(exc)))
        self._busy.add(worker)
        calls: list[CallRecord] = []
        try:
            outcome = await self._drive(worker, code, host, _Run(calls))
            out_of_memory = worker.out_of_memory()
        finally:
            worker.drain_stdout()
            worker.kill()  # synchronous: nothing survives, even on cancellation
            self._busy.discard(worker)
            self._background(self._reap(worker))
            self._refill()  # after the snippet, so start-up work never slows it down
        result, error, killed = outcome
        if worker.overflowed.is_set():
            killed = "output"
            error = SnippetError(
                type="OutputLimitExceeded",
                message=f"output exceeded {self.limits.max_output_bytes} bytes; worker killed",
            )
        elif out_of_memory:
            # The kernel's OOM killer: memory that RLIMIT_AS does not see (a tmpfs file,
            # a memfd, shared memory) reached the limit of the worker's cgroup.
            killed = "memory"
            error = SnippetError(
                type="MemoryError",
                message=f"memory limit of {self.limits.memory_mb} MB reached; worker killed",
            )
        elif error is not None and error.type == "MemoryError":
            killed = "memory"
            error = SnippetError(
                type="MemoryError",
                message=f"{error.message} (limit {self.limits.memory_mb} MB)",
            )
        return ExecResult(
            ok=error is None and killed is None,
            stdout=worker.stdout(),
            result=result,
            error=error,
            killed=killed,
            duration_ms=(time.perf_counter() - started) * 1000,
            calls=calls,
        )

    async def _drive(
        self, worker: WorkerProcess, code: str, host: Host, run: _Run
    ) -> tuple[str | None, SnippetError | None, KillReason | None]:
        session = asyncio.ensure_future(self._timed_session(worker, code, host, run))
        overflow = asyncio.ensure_future(worker.overflowed.wait())
        try:
            done, _ = await asyncio.wait({session, overflow}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # On cancellation this also cancels a host callback in progress; the
            # caller then kills the worker at once.
            for task in (session, overflow):
                task.cancel()
        if session in done:
            return session.result()
        return None, None, "output"

    async def _timed_session(
        self, worker: WorkerProcess, code: str, host: Host, run: _Run
    ) -> tuple[str | None, SnippetError | None, KillReason | None]:
        # The wall-clock budget covers the snippet and the work the host does for it (a
        # command, ty); it stops only while the host waits for the user
        # (``host.waiting_for_user``), whose time is not the snippet's.
        try:
            async with asyncio.timeout(self.limits.timeout_s) as budget:
                run_budget.set(budget)
                return await self._session(worker, code, host, run)
        except TimeoutError:
            message = f"snippet ran longer than {self.limits.timeout_s:g} s; worker killed"
            return None, SnippetError(type="TimeoutError", message=message), "timeout"

    async def _session(
        self,
        worker: WorkerProcess,
        code: str,
        host: Host,
        run: _Run,
    ) -> tuple[str | None, SnippetError | None, KillReason | None]:
        try:
            await worker.send({"kind": "run", "code": code})
            while True:
                message = await worker.receive()
                if isinstance(message, Done):
                    error = message.error
                    if error is None:
                        return message.result, None, None
                    return message.result, SnippetError(**error.model_dump()), None
                if isinstance(message, Ready):
                    raise ProtocolError("worker sent 'ready' twice")
                reply = await self._serve(message, host, run)
                try:
                    await worker.send(reply)
                except (TypeError, ValueError) as exc:  # unserializable or oversized value
                    error = {"type": "ValueError", "message": f"{message.tool}: {exc}"}
                    await worker.send({"ok": False, "error": error})
        except ProtocolError as exc:
            worker.kill()
            return None, SnippetError(type=PROTOCOL_ERROR, message=str(exc)), None
        except (asyncio.IncompleteReadError, ConnectionError):
            # The worker closed its pipe without reporting: let it finish dying so the
            # exit status says why (crash, CPU limit), then make sure of it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(worker.exited.wait(), 0.2)
            worker.kill()
            await worker.exited.wait()
            return None, *_death(worker)

    async def _serve(self, call: Call, host: Host, run: _Run) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            arguments = tool_arguments(call)
            if call.tool == "write_file":
                run.spend_write_quota(len(arguments["content"].encode("utf-8", "replace")))
            value = await getattr(host, call.tool)(**arguments)
            reply: dict[str, Any] = {"ok": True, "value": _plain(value)}
        except Exception as exc:  # any host failure goes back to the snippet, typed
            # Cut to size: the message may come from the editor or a program, and
            # reaches the model's next turn.
            message = clip(str(exc), MAX_ERROR_CHARS)
            reply = {"ok": False, "error": {"type": type(exc).__name__, "message": message}}
        run.calls.append(
            CallRecord(
                tool=call.tool,
                args={k: _recorded(v) for k, v in call.args.items()},
                ok=reply["ok"],
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        )
        return reply

    async def _take(self) -> WorkerProcess:
        while self._spares:
            worker = self._spares.pop(0)
            if worker.alive:
                return worker
            self._background(self._reap(worker))
        self._refill()
        worker = self._new_worker()
        try:
            await worker.start()
        except BaseException:  # cancelled while starting: the process must not linger
            worker.kill()
            self._background(self._reap(worker))
            raise
        return worker

    def _refill(self) -> None:
        while not self._closed and len(self._spares) + self._starting < self._target:
            self._starting += 1
            self._background(self._add_spare())

    async def _add_spare(self) -> None:
        worker = self._new_worker()
        try:
            await worker.start()
        except WorkerStartError as exc:
            # run() starts its own worker and reports the failure in its result.
            self._start_error = exc
            async with self._spare_ready:
                self._spare_ready.notify_all()
            return
        finally:
            self._starting -= 1
        if self._closed:
            worker.kill()
            await self._reap(worker)
            return
        self._spares.append(worker)
        async with self._spare_ready:
            self._spare_ready.notify_all()

    def _new_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self._backend, self.limits)
        self._unreaped.add(worker)
        return worker

    async def _reap(self, worker: WorkerProcess) -> None:
        await worker.reap()
        self._unreaped.discard(worker)

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Kill every worker (spare, starting or running) and wait until all are gone."""
        self._closed = True
        self._spares.clear()
        for worker in self._unreaped:
            worker.kill()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for worker in list(self._unreaped):
            worker.kill()  # including any started while the tasks above were unwinding
            await self._reap(worker)
        async with self._spare_ready:
            self._spare_ready.notify_all()


def _death(worker: WorkerProcess) -> tuple[SnippetError, KillReason | None]:
    how = worker.exit_description()
    if "SIGXCPU" in how:
        # RLIMIT_CPU: SIGXCPU at the soft limit (its hard SIGKILL comes after the
        # wall-clock timeout, which always fires first).
        return SnippetError(type="TimeoutError", message=f"CPU time limit reached ({how})"), (
            "timeout"
        )
    return SnippetError(type="SandboxError", message=f"worker died ({how})"), None


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _recorded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_RECORDED_ARG:
        return value[:MAX_RECORDED_ARG] + "…"
    return value
