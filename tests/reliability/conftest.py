"""Shared pieces of the reliability suite: the counts every phase reports, and a
/proc scan for sandbox worker processes."""

import os
from collections import Counter
from pathlib import Path

import pytest

# The server tests' acme project (its ``notes.txt`` is the saved file to overwrite).
from tests.server.conftest import untrained_model, workspace  # noqa: F401 (fixtures)

# What each phase did; printed at the end of the run (with or without -s).
COUNTS: dict[str, Counter[str]] = {}


def count(phase: str, **values: int) -> None:
    """Add ``values`` to ``phase``'s counters and print them."""
    counter = COUNTS.setdefault(phase, Counter())
    counter.update(values)
    print(f"[{phase}] " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The counts of every phase that ran."""
    if not COUNTS:
        return
    terminalreporter.section("reliability counts")
    for phase, counter in COUNTS.items():
        line = ", ".join(f"{k}={v}" for k, v in sorted(counter.items()))
        terminalreporter.write_line(f"{phase}: {line}")


WORKER_MARK = b"punie_sandbox.worker"


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def worker_pids(ancestor: int | None = None) -> set[int]:
    """Live sandbox worker processes (optionally only descendants of ``ancestor``).

    Other test sessions may run workers on this machine too, hence the ancestry.
    Processes vanishing mid-scan are skipped.
    """
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or WORKER_MARK not in _cmdline(int(entry)):
            continue
        pid = int(entry)
        if ancestor is None or _descends(pid, ancestor):
            found.add(pid)
    return found


def interpreters(pids: set[int]) -> set[int]:
    """Those of ``pids`` that are the worker's Python (not its bwrap/unshare wrappers)."""
    found = set()
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/comm").read_text().startswith("python"):
                found.add(pid)
        except OSError:
            continue
    return found


def _descends(pid: int, ancestor: int) -> bool:
    current: int | None = pid
    while current not in (None, 0, 1):
        if current == ancestor:
            return True
        current = _parent(current)  # type: ignore[arg-type]
    return False


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still exist (zombies count as gone)."""
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left
