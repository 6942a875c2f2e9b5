"""Memory a snippet pins outside its heap is bounded, and the host's memory stays flat.

Each filler (gate bypassed) keeps making memory resident where RLIMIT_AS does not see
it: files in its private ``/tmp`` (a tmpfs), memfds, ``/dev/shm``. Under both isolation
backends it must end (killed at its memory limit, or refused outright), and the host's
memory, sampled every 10 ms while it runs, must never grow by more than that limit
and be back where it was afterwards. A worker flooding its callback pipe while the
host serves a slow callback must not grow the host process either.

The host's memory is the memory cgroup this test runs in (which holds the sandbox's
own cgroups), where there is one: other people's work on a shared machine does not
move it. Elsewhere it is the machine's used memory.
"""

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from punie_sandbox import cgroup
from punie_sandbox.local import LocalHost
from punie_sandbox.models import ExecResult, Limits
from punie_sandbox.sandbox import Sandbox

LIMIT_MB = 256
MB = 1024 * 1024
# What the host may hold beyond the snippet's limit: a worker's interpreter and a spare.
SLACK_MB = 96
# Keeps making files (a new one when a file reaches RLIMIT_FSIZE) until stopped.
FILL = """
import os
def fill(new):
    handle, written = new(0), 0
    while True:
        try:
            os.write(handle, b'x' * 2**20)
        except OSError as error:
            if error.errno != 27:  # EFBIG: this file is full, take the next one
                raise
            handle = new(written)
        written += 1
"""
FILLERS = {
    "tmp": "fill(lambda n: os.open(f'/tmp/f{n}', os.O_CREAT | os.O_WRONLY, 0o600))",
    "memfd": "fill(lambda n: os.memfd_create(f'm{n}'))",
    "dev_shm": "fill(lambda n: os.open(f'/dev/shm/f{n}', os.O_CREAT | os.O_WRONLY, 0o600))",
}


def _own_memory_cgroup() -> Path | None:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for candidate in (
            Path("/sys/fs/cgroup/memory") / path.lstrip("/") / "memory.usage_in_bytes",
            Path("/sys/fs/cgroup") / path.lstrip("/") / "memory.current",
        ):
            if ("memory" in controllers.split(",") or controllers == "") and candidate.exists():
                return candidate
    return None


def host_memory() -> int:
    """Bytes in use: by this test's memory cgroup, else by the whole machine."""
    usage = _own_memory_cgroup()
    if usage is not None:
        return int(usage.read_text())
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) * 1024


def process_memory() -> int:
    """This process's resident memory, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class Peak:
    """The highest value ``measure`` returned while the block ran (sampled every 10 ms)."""

    def __init__(self, measure) -> None:
        self.measure = measure
        self.peak = measure()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.measure())

    def __enter__(self) -> "Peak":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=["bwrap", "namespaces"])
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    limits = Limits(timeout_s=20, memory_mb=LIMIT_MB)
    async with Sandbox(limits, backend=request.param, warm=1) as box:
        yield box


async def _settled() -> int:
    # Let freed pages and a refilled spare settle before reading the baseline.
    await asyncio.sleep(0.5)
    return host_memory()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("where", sorted(FILLERS))
async def test_filling_memory_outside_the_heap_stops_at_the_limit_and_the_host_stays_flat(
    sandbox: Sandbox, tmp_path: Path, where: str
):
    await sandbox.wait_warm(1)
    before = await _settled()
    started = time.monotonic()
    with Peak(host_memory) as peak:
        result = await sandbox._run(FILL + FILLERS[where], LocalHost(tmp_path))
    elapsed = time.monotonic() - started
    await sandbox.wait_warm(1)
    after = await _settled()
    grew_mb, kept_mb = (peak.peak - before) / MB, (after - before) / MB
    print(f"{sandbox.backend} {where}: {result.killed or result.error}, peak +{grew_mb:.0f} MiB, "
          f"after {kept_mb:+.0f} MiB, {elapsed:.2f} s")  # fmt: skip
    _assert_stopped(result, where)
    assert grew_mb <= LIMIT_MB + SLACK_MB
    assert kept_mb <= 32


def _assert_stopped(result: ExecResult, where: str) -> None:
    assert not result.ok, result
    if where == "dev_shm":  # not writable (bwrap) or absent (namespaces): nothing to fill
        assert result.error is not None
        assert result.error.type in {"PermissionError", "FileNotFoundError"}, result.error
    elif cgroup.available():
        assert result.killed == "memory", result
        assert result.error is not None
        assert f"memory limit of {LIMIT_MB} MB" in result.error.message
    else:  # the tmpfs fills up; memfds are bounded by RLIMIT_FSIZE x RLIMIT_NOFILE only
        assert result.error is not None


class SlowHost(LocalHost):
    """Serves ``read_file`` after a pause, while the worker keeps writing."""

    async def read_file(self, path: str) -> str:
        """Wait, then read."""
        await asyncio.sleep(2)
        return await super().read_file(path)


FLOOD = """
import json, os, sys, threading, time
c = json.loads(sys.argv[1])
def flood():  # once the host is busy serving the call below
    time.sleep(0.5)
    junk = b'\\xff' * 2**20
    while True:
        os.write(c['fd_out'], junk)
threading.Thread(target=flood, daemon=True).start()
read_file('README.md')
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_a_worker_flooding_its_pipe_during_a_callback_does_not_grow_the_host(
    sandbox: Sandbox, tmp_path: Path
):
    (tmp_path / "README.md").write_text("# flood\n")
    await sandbox.wait_warm(1)
    before = process_memory()
    with Peak(process_memory) as peak:
        result = await sandbox._run(FLOOD, SlowHost(tmp_path))
    grew_mb = (peak.peak - before) / MB
    print(f"{sandbox.backend} pipe flood: {result.error}, host process peak +{grew_mb:.1f} MiB")
    assert result.error is not None
    assert result.error.type == "SandboxProtocolError"
    assert grew_mb <= 16
