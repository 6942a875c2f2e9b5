"""Scoring eval queries (PROTOCOL.md §7) and running suites through the real server.

Scoring is a plain function of the query, the ``ChatResult`` and the workspace after
the run, so it is tested without a model. The runner gives every query a fresh copy
of the workspace (a write in one query never leaks into the next) and a new session.
"""

import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import Field

from punie_sandbox.models import WireModel
from punie_server.client import PunieClient, ServerError, TurnCancelledError
from punie_server.consent import ApproveAll
from punie_server.protocol import ChatResult
from punie_training.evalsuites import EvalQuery, write_eval_workspace


class QueryOutcome(WireModel):
    """One query's verdict, as in the ``results`` list of ``punie eval --json``."""

    id: str
    suite: str = Field(exclude=True)
    passed: bool
    why: str
    turns: int
    total_ms: float


class SuiteScore(WireModel):
    """How many queries of one suite passed."""

    passed: int
    total: int
    accuracy: float


class Latency(WireModel):
    """Nearest-rank percentiles of the queries' total times."""

    p50_ms: float
    p95_ms: float


class EvalReport(WireModel):
    """The ``punie eval --json`` report (PROTOCOL.md §7)."""

    model: str
    suites: dict[str, SuiteScore]
    results: list[QueryOutcome]
    latency: Latency


def score(query: EvalQuery, result: ChatResult, workspace: Path) -> tuple[bool, str]:
    """Whether ``result`` passes ``query``, and why (the first unmet expectation).

    ``tool``: at least one snippet ran, none failed or was killed, every expected tool
    was called, every ``replyContains`` string is in the reply (case-insensitive) and
    every ``files`` entry exists and contains its text. ``direct``: no code ran and
    ``replyContains`` holds.
    """
    if result.stop_reason == "error":
        return False, f"the turn ended in an error: {result.reply[:200]}"
    if query.kind == "direct":
        if result.steps:
            return False, f"expected a direct answer, but {len(result.steps)} snippet(s) ran"
    else:
        if not result.steps:
            return False, "no code ran"
        for number, step in enumerate(result.steps, 1):
            if step.error is not None:
                return False, f"step {number} failed: {step.error.type}: {step.error.message}"
            if step.killed is not None:
                return False, f"step {number} was killed ({step.killed})"
        called = {call.tool for step in result.steps for call in step.calls}
        missing = [tool for tool in query.expect.tools if tool not in called]
        if missing:
            return False, f"tools not called: {', '.join(missing)} (called: {sorted(called)})"
    reply = result.reply.lower()
    absent = [text for text in query.expect.reply_contains if text.lower() not in reply]
    if absent:
        return False, f"reply lacks {absent}: {result.reply[:200]!r}"
    for relative, expected in query.expect.files.items():
        path = workspace / relative
        if not path.is_file():
            return False, f"file {relative} does not exist"
        if expected not in path.read_text(encoding="utf-8", errors="replace"):
            return False, f"file {relative} does not contain {expected!r}"
    return True, "ok"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


def report(model: str, outcomes: list[QueryOutcome]) -> EvalReport:
    """Per-suite scores and latency percentiles of ``outcomes``."""
    suites: dict[str, SuiteScore] = {}
    for name in dict.fromkeys(outcome.suite for outcome in outcomes):
        mine = [outcome for outcome in outcomes if outcome.suite == name]
        passed = sum(outcome.passed for outcome in mine)
        suites[name] = SuiteScore(
            passed=passed, total=len(mine), accuracy=round(passed / len(mine), 4)
        )
    latencies = [outcome.total_ms for outcome in outcomes]
    return EvalReport(
        model=model,
        suites=suites,
        results=outcomes,
        latency=Latency(
            p50_ms=round(percentile(latencies, 0.5), 1),
            p95_ms=round(percentile(latencies, 0.95), 1),
        ),
    )


def load_queries(path: Path) -> list[EvalQuery]:
    """An eval query file (JSON Lines, PROTOCOL.md §7); blank lines are skipped.

    Raises ``ValueError`` naming the line that does not parse.
    """
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            queries.append(EvalQuery.model_validate_json(line))
        except ValueError as error:
            raise ValueError(f"{path}:{number}: {error}") from None
    return queries


def reset_workspace(root: Path, source: Path | None) -> None:
    """Make ``root`` a fresh copy of ``source`` (or of the built-in eval workspace)."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if source is None:
        write_eval_workspace(root)
    else:
        shutil.copytree(source, root, dirs_exist_ok=True, symlinks=True)


def load_query_files(
    queries: list[Path], workspaces: list[Path]
) -> tuple[dict[str, list[EvalQuery]], dict[str, Path]]:
    """The suites of several query files (each named after its file) and the workspace
    each runs on: one workspace for all of them, or one per file in the same order.

    Raises ``ValueError`` (and ``OSError`` for a file that cannot be read) with a message
    for the user.
    """
    if len(workspaces) not in (0, 1, len(queries)):
        raise ValueError(
            f"give one workspace for all query files or one per file "
            f"({len(queries)} query files, {len(workspaces)} workspaces)"
        )
    suites: dict[str, list[EvalQuery]] = {}
    sources: dict[str, Path] = {}
    for index, path in enumerate(queries):
        if path.stem in suites:
            raise ValueError(f"two query files make the suite {path.stem!r}: rename one")
        suites[path.stem] = load_queries(path)
        if workspaces:
            sources[path.stem] = workspaces[index if len(workspaces) > 1 else 0]
    return suites, sources


async def run_suites(
    suites: dict[str, list[EvalQuery]],
    root: Path,
    *,
    sources: dict[str, Path] | None = None,
    model: str | None = None,
    on_outcome: Callable[[QueryOutcome], None] | None = None,
) -> tuple[str, list[QueryOutcome]]:
    """Run every query through one real ``punie serve`` rooted at ``root``.

    Before each query ``root`` becomes a fresh copy of its suite's workspace in
    ``sources`` (default: the built-in eval workspace); every edit and command is
    approved. One server, so the model loads once for all the suites. Returns the model
    the server reports and each query's outcome.
    """
    sources = sources or {}
    outcomes: list[QueryOutcome] = []
    reset_workspace(root, None)
    async with PunieClient(root, approver=ApproveAll(), model=model) as client:
        for suite, queries in suites.items():
            for query in queries:
                reset_workspace(root, sources.get(suite))
                outcome = await _run_query(client, suite, query, root)
                outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        status = await client.status()
    return status.model, outcomes


async def _run_query(client: PunieClient, suite: str, query: EvalQuery, root: Path) -> QueryOutcome:
    started = time.perf_counter()
    try:
        result = await client.chat(query.query)
    except (ServerError, TurnCancelledError) as error:
        elapsed = (time.perf_counter() - started) * 1000
        return QueryOutcome(
            id=query.id,
            suite=suite,
            passed=False,
            why=f"request failed: {error}",
            turns=0,
            total_ms=round(elapsed, 1),
        )
    passed, why = score(query, result, root)
    await client.reset(result.session_id)
    return QueryOutcome(
        id=query.id,
        suite=suite,
        passed=passed,
        why=why,
        turns=result.usage.turns,
        total_ms=round(result.usage.total_ms or (time.perf_counter() - started) * 1000, 1),
    )
