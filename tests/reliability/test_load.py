"""Load: twenty concurrent chat sessions on one ``punie serve``, with a cancel storm.

The embedded model answers tool queries with snippets, so cancels land both while a
model generates and while a snippet runs. Every request that was not cancelled gets
its full result; every cancelled one gets ``RequestCancelled`` (unless it had already
finished); afterwards no sandbox worker is busy or left over, memory is back near
where it started, and the server still serves.
"""

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcRequestCancelled

from tests.reliability.conftest import alive, count, interpreters, worker_pids
from tests.server.conftest import EditorClient, chat, editor_session, plumbing_model  # noqa: F401

pytestmark = pytest.mark.reliability

SESSIONS = 20
QUERIES = [
    "Typecheck the project",
    "Read README.md and tell me the project name",
    "Write 'done' to notes.txt",
    "What is a closure?",
]
OPTIONS = {"maxTokens": 160, "maxTurns": 2, "approval": {"commands": "auto"}}


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


async def _wait_for(client: EditorClient, token: str, kind: str, within_s: float) -> bool:
    """Wait until a ``$/progress`` of ``kind`` arrived for ``token``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        if any(p.get("kind") == kind for p in client.script.partials.get(token, [])):
            return True
        await asyncio.sleep(0.005)
    return False


async def _one_session(
    client: EditorClient, index: int, plan: str | None, seen: dict[str, int]
) -> tuple[str, Any]:
    """Run one chat; cancel it per ``plan`` (None, "generation", "execution")."""
    msg_id, token = f"load-{index}", f"p-{index}"
    params = {"message": QUERIES[index % len(QUERIES)], "partialResultToken": token}
    pending = asyncio.wrap_future(client.protocol.send_request("punie/chat", params, msg_id=msg_id))
    if plan is not None:
        kind = "text" if plan == "generation" else "code"
        waited = asyncio.ensure_future(_wait_for(client, token, kind, 120))
        await asyncio.wait([pending, waited], return_when=asyncio.FIRST_COMPLETED)
        if waited.done() and waited.result() and not pending.done():
            client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=msg_id))
            seen[f"cancels_sent_during_{plan}"] += 1
        waited.cancel()
    try:
        return "result", await pending
    except JsonRpcRequestCancelled:
        return "cancelled", None


async def test_twenty_sessions_with_a_cancel_storm(plumbing_model: Path, workspace: Path):  # noqa: F811
    rng = random.Random(7)
    seen = {"cancels_sent_during_generation": 0, "cancels_sent_during_execution": 0}
    async with editor_session(plumbing_model, workspace, OPTIONS) as client:
        process = client._server
        assert process is not None
        server_pid = process.pid
        warm = await chat(client, "Read README.md and tell me the project name")
        await client.protocol.send_request_async("punie/reset", {"sessionId": warm.sessionId})
        memory_before = rss_mb(server_pid)
        plans = [rng.choice([None, "generation", "execution"]) for _ in range(SESSIONS)]
        workers_seen: set[int] = set()

        async def watch_workers() -> None:
            while True:
                workers_seen.update(worker_pids(server_pid))
                await asyncio.sleep(0.05)

        watcher = asyncio.ensure_future(watch_workers())
        outcomes = await asyncio.gather(
            *(_one_session(client, i, plan, seen) for i, plan in enumerate(plans))
        )
        watcher.cancel()
        sent = {i for i, plan in enumerate(plans) if plan is not None}
        cancelled = [i for i, (kind, _) in enumerate(outcomes) if kind == "cancelled"]
        results = {i: value for i, (kind, value) in enumerate(outcomes) if kind == "result"}
        for i, result in results.items():
            assert result.reply is not None, i
            assert result.stopReason in {"done", "maxTurns"}, (i, result)
            assert result.usage.turns >= 1
        # Only requests a cancel was sent for may end cancelled.
        assert set(cancelled) <= sent
        steps = sum(len(r.steps) for r in results.values())
        for result in results.values():
            await client.protocol.send_request_async("punie/reset", {"sessionId": result.sessionId})
        await asyncio.sleep(1.0)  # let the pool settle: spares refill, killed ones reaped
        status = await client.protocol.send_request_async("punie/status", {})
        workers_now = interpreters(worker_pids(server_pid))
        memory_after = rss_mb(server_pid)
        after = await chat(client, "Read README.md and tell me the project name")
    left = alive(workers_seen)
    count(
        "load",
        sessions=SESSIONS,
        cancels_sent=sum(seen.values()),
        requests_cancelled=len(cancelled),
        full_results=len(results),
        snippets_run=steps,
        worker_processes_seen=len(workers_seen),
        workers_alive_after_storm=len(workers_now),
        processes_leaked=len(left),
        memory_before_mb=round(memory_before),
        memory_after_mb=round(memory_after),
        **seen,
    )
    assert len(results) + len(cancelled) == SESSIONS
    assert cancelled, "the storm cancelled nothing"
    assert status.sessions == 0
    assert len(workers_now) <= status.sandbox.warm  # only the warm spares are left
    assert after.stopReason in {"done", "maxTurns"}
    assert memory_after < memory_before * 1.5 + 150, (memory_before, memory_after)
    assert not left, f"workers left after shutdown: {left}"
