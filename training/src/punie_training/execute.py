"""Run snippets in the real sandbox against fixture workspaces.

Every tool draft runs in a fresh copy of its fixture through ``punie_sandbox``'s
``Sandbox`` and ``LocalHost``; the example keeps the real output. Its final answer is
empty: the snippet printed the reply, so the model ends its turn and the server
replies with what the step printed (docs/architecture.md, "Replies"). Drafts whose
snippet fails (error, kill, no output) are dropped and counted in the report.
"""

import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from punie_sandbox.models import ExecResult, Limits
from punie_training.dataset import DataReport
from punie_training.fixtures import make_fixture
from punie_training.generate import Draft
from punie_training.schema import Example, tool_message

LIMITS = Limits(timeout_s=20.0, memory_mb=512)
CONCURRENCY = 3


async def run_in_fixture(sandbox: Any, code: str, fixture_seed: int) -> ExecResult:
    """Run ``code`` in ``sandbox`` against a fresh copy of the fixture ``fixture_seed``."""
    from punie_sandbox.local import LocalHost

    with tempfile.TemporaryDirectory(prefix="punie-fixture-") as tmp:
        # A directory of its own: the temporary one is private (0700), and commands run
        # as nobody when the host is root.
        workspace = make_fixture(fixture_seed).write(Path(tmp) / "workspace")
        return await sandbox.run(code, LocalHost(workspace))


async def map_in_sandbox(
    items: Sequence[Any],
    job: Callable[[Any, Any], Awaitable[Any]],
    *,
    advance: Callable[[], None] = lambda: None,
) -> list[Any]:
    """Apply ``job(sandbox, item)`` to every item with a small pool of sandbox workers."""
    from punie_sandbox.sandbox import Sandbox

    gate = asyncio.Semaphore(CONCURRENCY)

    async with Sandbox(LIMITS, warm=CONCURRENCY) as sandbox:

        async def one(item: Any) -> Any:
            async with gate:
                result = await job(sandbox, item)
            advance()
            return result

        return await asyncio.gather(*(one(item) for item in items))


def _why_failed(result: ExecResult) -> str | None:
    if result.killed is not None:
        return f"killed: {result.killed}"
    if result.error is not None:
        return f"{result.error.type}: {result.error.message}"
    if not result.stdout.strip():
        return "printed nothing"
    return None


def to_example(draft: Draft, result: ExecResult) -> Example | str:
    """The verified example for ``draft``, or why it was dropped."""
    why = _why_failed(result)
    if why is not None:
        return why
    output = tool_message(result)
    return Example(
        id=draft.id,
        kind=draft.kind,
        category=draft.category,
        template=draft.template,
        fixture_seed=draft.fixture_seed,
        user=draft.user,
        code=draft.code,
        tool_output=output,
        answer="",
    )


async def execute_drafts(
    drafts: Sequence[Draft], report: DataReport, *, advance: Callable[[], None] = lambda: None
) -> list[Example]:
    """Execute every draft in the sandbox; return the kept examples, count the rest."""

    async def job(sandbox: Any, draft: Draft) -> ExecResult:
        return await run_in_fixture(sandbox, draft.code, draft.fixture_seed)

    results = await map_in_sandbox(drafts, job, advance=advance)
    kept = []
    for draft, result in zip(drafts, results, strict=True):
        counter = report.count(draft.category, draft.kind)
        counter.executed += 1
        made = to_example(draft, result)
        if isinstance(made, str):
            counter.failed += 1
            report.failures.append(f"{draft.id}: {made}")
        else:
            counter.kept += 1
            kept.append(made)
    return kept
