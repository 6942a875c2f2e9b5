"""Load benchmark: concurrent chat sessions on one ``punie serve``, and how fast a
cancel comes back.

1. ``concurrency``: N chats sent at once (N = 1, 5, 10, 20), each in a new session,
   through the real server (stdio LSP, ``PunieClient``). Reports the wall time for all
   N, per-chat latency (p50/p95), chats per second, generated tokens per second and
   snippets run. Generation shares one model thread, so latency grows with N while the
   server's throughput should hold.
2. ``cancel``: time from ``$/cancelRequest`` to the ``RequestCancelled`` answer, for
   cancels that land during generation (at the first streamed text) and during
   snippet execution (at the ``code`` partial result).
3. Server resident memory before and after, and sandbox worker processes left.

Prints a table and writes ``bench/results/load.json``. Usage:
``uv run python bench/load.py [--model SPEC] [--samples N]`` (default model: the
embedded one, whose tool answers run snippets).
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from punie_server.client import Events, PunieClient, TurnCancelledError
from punie_server.consent import ApproveAll
from punie_server.model_manager import EMBEDDED_NAME
from punie_server.protocol import ChatResult

# The acme project is shared with the server tests; as a script, bench/ alone is on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.acme import write_workspace

RESULTS = Path(__file__).parent / "results" / "load.json"
LEVELS = (1, 5, 10, 20)
QUERIES = (
    "Typecheck the project",
    "Read README.md and tell me the project name",
    "Write 'done' to notes.txt",
    "What is a closure?",
)
SETTINGS = {"temperature": 0.0, "maxTokens": 160, "maxTurns": 2}


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker_count(ancestor: int) -> int:
    """Sandbox worker interpreters descending from ``ancestor``."""
    found = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            comm = Path(f"/proc/{entry}/comm").read_text()
        except OSError:
            continue
        if b"punie_sandbox.worker" in cmdline and comm.startswith("python"):
            pid: int | None = int(entry)
            while pid not in (None, 0, 1):
                if pid == ancestor:
                    found += 1
                    break
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    break
                pid = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed_chat(client: PunieClient, query: str) -> tuple[float, ChatResult]:
    """One chat in a new session; its wall time and result."""
    started = time.perf_counter()
    result = await client.chat(query)
    return time.perf_counter() - started, result


async def bench_level(client: PunieClient, sessions: int) -> dict[str, Any]:
    """``sessions`` chats at once; then forget their sessions."""
    started = time.perf_counter()
    done = await asyncio.gather(
        *(timed_chat(client, QUERIES[i % len(QUERIES)]) for i in range(sessions))
    )
    wall = time.perf_counter() - started
    latencies = [seconds for seconds, _ in done]
    tokens = sum(result.usage.completion_tokens for _, result in done)
    for _, result in done:
        await client.reset(result.session_id)
    return {
        "sessions": sessions,
        "wallMs": wall * 1000,
        "p50Ms": statistics.median(latencies) * 1000,
        "p95Ms": pct(latencies, 0.95) * 1000,
        "chatsPerSecond": sessions / wall,
        "tokensPerSecond": tokens / wall,
        "snippets": sum(len(result.steps) for _, result in done),
    }


class CancelAt(Events):
    """Cancels the running chat at the first event of one kind and notes when."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.client: PunieClient | None = None
        self.cancelled_at: float | None = None

    def _maybe(self, kind: str) -> None:
        pending = self.cancelled_at is None and self.client is not None
        if kind == self.kind and pending and self.client is not None and self.client.cancel():
            self.cancelled_at = time.perf_counter()

    def on_text(self, delta: str) -> None:
        """Cancel during generation."""
        self._maybe("text")

    def on_code(self, code: str) -> None:
        """Cancel as the snippet starts."""
        self._maybe("code")


async def bench_cancel(
    workspace: Path, model: str | None, kind: str, query: str, samples: int
) -> dict[str, Any]:
    """Latency from ``$/cancelRequest`` to ``RequestCancelled``, ``samples`` times."""
    events = CancelAt(kind)
    latencies: list[float] = []
    finished_first = 0
    async with PunieClient(
        workspace, approver=ApproveAll(), events=events, model=model, settings=SETTINGS
    ) as client:
        await client.chat(query)  # load the model, warm the pool
        events.client = client
        for _ in range(samples):
            events.cancelled_at = None
            try:
                await client.chat(query)
                finished_first += 1
            except TurnCancelledError:
                assert events.cancelled_at is not None
                latencies.append(time.perf_counter() - events.cancelled_at)
    return {
        "during": "generation" if kind == "text" else "execution",
        "cancelled": len(latencies),
        "finishedFirst": finished_first,
        "p50Ms": statistics.median(latencies) * 1000 if latencies else None,
        "maxMs": max(latencies) * 1000 if latencies else None,
    }


async def run(model: str | None, samples: int) -> dict[str, Any]:
    """Every part of the benchmark, on one fresh workspace."""
    with tempfile.TemporaryDirectory() as tmp:
        # Its own directory: the temporary one is private (0700), and commands run as
        # nobody when the host is root.
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        write_workspace(workspace)
        async with PunieClient(
            workspace, approver=ApproveAll(), model=model, settings=SETTINGS
        ) as client:
            process = client._process
            assert process is not None
            warm = await client.chat(QUERIES[1])
            await client.reset(warm.session_id)
            memory_before = rss_mb(process.pid)
            levels = [await bench_level(client, n) for n in LEVELS]
            await asyncio.sleep(1.0)
            memory_after = rss_mb(process.pid)
            workers_after = worker_count(process.pid)
            status = await client.status()
        cancels = [
            await bench_cancel(workspace, model, "text", QUERIES[3], samples),
            await bench_cancel(workspace, model, "code", QUERIES[1], samples),
        ]
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": model or EMBEDDED_NAME,
        "levels": levels,
        "cancel": cancels,
        "memory": {"beforeMb": memory_before, "afterMb": memory_after},
        "workersAfter": workers_after,
        "warmSpares": status.sandbox.warm,
    }


def table(report: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    lines = [
        "| sessions at once | wall | p50 chat | p95 chat | chats/s | tokens/s | snippets |",
        "|---|---|---|---|---|---|---|",
    ]
    for level in report["levels"]:
        lines.append(
            f"| {level['sessions']} | {level['wallMs']:.0f} ms | {level['p50Ms']:.0f} ms | "
            f"{level['p95Ms']:.0f} ms | {level['chatsPerSecond']:.2f} | "
            f"{level['tokensPerSecond']:.0f} | {level['snippets']} |"
        )
    lines += ["", "| cancel during | cancelled | finished first | p50 to answer | max |"]
    lines.append("|---|---|---|---|---|")
    for cancel in report["cancel"]:
        p50 = f"{cancel['p50Ms']:.1f} ms" if cancel["p50Ms"] is not None else "-"
        top = f"{cancel['maxMs']:.1f} ms" if cancel["maxMs"] is not None else "-"
        lines.append(
            f"| {cancel['during']} | {cancel['cancelled']} | {cancel['finishedFirst']} | "
            f"{p50} | {top} |"
        )
    memory = report["memory"]
    lines += [
        "",
        f"Server RSS {memory['beforeMb']:.0f} MiB before, {memory['afterMb']:.0f} MiB after "
        f"all levels (sessions reset); sandbox workers left: {report['workersAfter']} "
        f"(warm spares: {report['warmSpares']}).",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model spec, as `punie --model` takes (default: embedded)")
    parser.add_argument("--samples", type=int, default=10, help="cancels per kind")
    args = parser.parse_args()
    report = asyncio.run(run(args.model, args.samples))
    print(table(report))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
