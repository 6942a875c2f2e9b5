"""``punie eval``: query suites through the real server, scored per PROTOCOL.md §7."""

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from punie_server.cli import MODEL_HELP
from punie_server.terminal import terminal_safe

if TYPE_CHECKING:
    from punie_training.evalsuites import EvalQuery


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``punie eval``."""
    parser.add_argument("--model", help=MODEL_HELP)
    parser.add_argument(
        "--queries",
        type=Path,
        action="append",
        help="a JSON Lines query file, its suite named after it; repeat for several "
        "(default: the built-in single and multi suites)",
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        action="append",
        help="workspace copied fresh for every query: once for all query files, or once "
        "per --queries in the same order (default: the built-in eval workspace)",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON report")


def run(args: argparse.Namespace) -> int:
    """Run the suites; print a table (or the JSON report). Exit 0 when they ran."""
    from punie_server.evaluation import load_query_files
    from punie_training.evalsuites import load_suites

    workspaces: list[Path] = args.workspace or []
    for workspace in workspaces:
        if not workspace.is_dir():
            print(f"punie eval: workspace is not a directory: {workspace}", file=sys.stderr)
            return 2
    try:
        if args.queries:
            suites, sources = load_query_files(args.queries, workspaces)
        elif len(workspaces) > 1:
            raise ValueError("the built-in suites run on one workspace")
        else:
            suites = load_suites()
            sources = dict.fromkeys(suites, workspaces[0]) if workspaces else {}
    except OSError as error:
        print(f"punie eval: cannot read queries: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"punie eval: {error}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_evaluate(args, suites, sources))
    except KeyboardInterrupt:
        print("punie eval: interrupted", file=sys.stderr)
        return 130


async def _evaluate(
    args: argparse.Namespace, suites: "dict[str, list[EvalQuery]]", sources: dict[str, Path]
) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from punie_server.client import ServerError
    from punie_server.evaluation import QueryOutcome, report, run_suites

    console = Console(stderr=args.json)

    def show(outcome: QueryOutcome) -> None:
        # ``why`` quotes the model's reply, which must not be read as rich markup.
        mark = ("PASS", "green") if outcome.passed else ("FAIL", "red")
        line = f" {outcome.id} ({outcome.total_ms / 1000:.1f} s) {outcome.why}"
        console.print(Text.assemble(mark, terminal_safe(line)))

    with tempfile.TemporaryDirectory(prefix="punie-eval-") as scratch:
        try:
            model, outcomes = await run_suites(
                suites,
                Path(scratch) / "workspace",
                sources=sources,
                model=args.model,
                on_outcome=show,
            )
        except ServerError as error:
            print(f"punie eval: {terminal_safe(str(error))}", file=sys.stderr)
            return 1
    summary = report(model, outcomes)
    if args.json:
        print(json.dumps(summary.to_wire(), indent=2))
        return 0
    table = Table(title=f"punie eval · {model}", title_justify="left")
    for column in ("suite", "passed", "total", "accuracy"):
        table.add_column(column)
    for name, entry in summary.suites.items():
        table.add_row(name, str(entry.passed), str(entry.total), f"{entry.accuracy:.0%}")
    console.print(table)
    latency = summary.latency
    console.print(f"latency p50 {latency.p50_ms:.0f} ms · p95 {latency.p95_ms:.0f} ms")
    return 0
