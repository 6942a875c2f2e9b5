"""The wall-clock timeout counts the snippet's time and the work the host does for it,
not the time the host waits for the user."""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from punie_sandbox.host import waiting_for_user
from punie_sandbox.local import LocalHost
from punie_sandbox.models import Limits
from punie_sandbox.sandbox import Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIMEOUT_S = 1.0
# Longer than the whole snippet budget: only a paused clock lets such a call finish.
SLOW_CALLBACK_S = 1.5
SLOW_COMMAND = "print(run_command('sleep', ['1.5']))"
BUSY_HALF = """\
import datetime
end = datetime.datetime.now() + datetime.timedelta(seconds=0.6)
while datetime.datetime.now() < end:
    pass
"""


class SlowHost(LocalHost):
    """A local host whose ``read_file`` waits for the user for longer than the snippet's
    timeout (a consent prompt answered slowly)."""

    async def read_file(self, path: str) -> str:
        with waiting_for_user():
            await asyncio.sleep(SLOW_CALLBACK_S)
        return await super().read_file(path)


class StuckHost(LocalHost):
    """A local host whose ``read_file`` never answers (a consent prompt left open)."""

    def __init__(self, workspace: Path) -> None:
        super().__init__(workspace)
        self.started = asyncio.Event()
        self.cancelled = False

    async def read_file(self, path: str) -> str:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        raise AssertionError("unreachable: the wait above never ends")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(Limits(timeout_s=TIMEOUT_S, memory_mb=256), warm=1) as sb:
        yield sb


async def test_waiting_for_the_user_longer_than_the_timeout_does_not_kill_the_snippet(
    sandbox: Sandbox, workspace: Path
):
    result = await sandbox.run("print(read_file('README.md'))", SlowHost(workspace))
    assert result.ok, result
    assert result.killed is None
    assert result.stdout == "# Acme\nThe acme project.\n\n"
    assert result.calls[0].duration_ms >= SLOW_CALLBACK_S * 1000


async def test_a_command_running_past_the_snippets_timeout_ends_the_run(
    sandbox: Sandbox, workspace: Path
):
    # Work done for the snippet is the snippet's time: a `tail -f` cannot hold a run.
    started = asyncio.get_running_loop().time()
    result = await sandbox.run(SLOW_COMMAND, LocalHost(workspace, allow=["sleep"]))
    elapsed = asyncio.get_running_loop().time() - started
    assert result.killed == "timeout", result
    assert elapsed < TIMEOUT_S + 0.5


async def test_a_snippet_busy_looping_past_the_timeout_is_killed(sandbox: Sandbox, host: LocalHost):
    result = await sandbox.run("while True:\n    pass", host)
    assert result.killed == "timeout"
    assert result.error is not None
    assert result.error.type == "TimeoutError"


async def test_a_snippet_sleeping_past_the_timeout_is_killed(sandbox: Sandbox, host: LocalHost):
    # Sleeping uses no CPU, so only the wall clock can end it (gate bypassed for ``time``).
    result = await sandbox._run("import time\ntime.sleep(30)", host)
    assert result.killed == "timeout"


async def test_snippet_time_before_and_after_a_callback_adds_up(sandbox: Sandbox, workspace: Path):
    # 0.6 s + 0.6 s of the snippet's own time: over the 1 s budget even though the
    # callback between the two halves does not count (the clock pauses, never resets).
    code = f"{BUSY_HALF}read_file('README.md')\n{BUSY_HALF}print('finished')"
    result = await sandbox.run(code, SlowHost(workspace))
    assert result.killed == "timeout"
    assert "finished" not in result.stdout


async def test_cancelling_a_run_blocked_in_a_callback_kills_the_worker_group(
    sandbox: Sandbox, workspace: Path
):
    host = StuckHost(workspace)
    task = asyncio.create_task(sandbox.run("read_file('README.md')", host))
    await asyncio.wait_for(host.started.wait(), 30)
    [worker] = sandbox._busy
    assert worker.proc is not None
    group = worker.proc.pid
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    await asyncio.sleep(0)  # let the cancelled callback unwind
    assert host.cancelled
    assert await _group_gone(group)


async def _group_gone(pgid: int) -> bool:
    # SIGKILL was sent before CancelledError propagated; the kernel and the reaper
    # need a moment before the group is empty.
    for _ in range(100):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.05)
    return False
