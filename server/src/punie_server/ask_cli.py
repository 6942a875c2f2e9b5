"""``punie ask "QUESTION"``: one chat turn through a real ``punie serve`` (PROTOCOL.md §1)."""

import argparse
import asyncio
import json
import sys
from pathlib import Path

from punie_server.cli import MODEL_HELP
from punie_server.terminal import terminal_safe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``punie ask``."""
    parser.add_argument("question", help="what to ask the model")
    parser.add_argument(
        "--workspace", type=Path, default=Path.cwd(), help="workspace root (default: cwd)"
    )
    parser.add_argument("--model", help=MODEL_HELP)
    parser.add_argument(
        "--yes", action="store_true", help="approve every edit and command without asking"
    )
    parser.add_argument("--json", action="store_true", help="print only the final ChatResult")


def run(args: argparse.Namespace) -> int:
    """Run one turn; exit 0 unless the server or the turn failed."""
    workspace: Path = args.workspace
    if not workspace.is_dir():
        print(f"punie ask: workspace is not a directory: {workspace}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_ask(args, workspace))
    except KeyboardInterrupt:
        print("punie ask: interrupted", file=sys.stderr)
        return 130


async def _ask(args: argparse.Namespace, workspace: Path) -> int:
    from rich.console import Console

    from punie_server.client import Events, PunieClient, ServerError, TurnCancelledError
    from punie_server.consent import choose_approver
    from punie_server.render import TerminalView, diagnostics_table, usage_line

    # In --json mode stdout carries the result only; everything else goes to stderr.
    console = Console(stderr=args.json)
    prompts = Console(stderr=True)
    approver = choose_approver(yes=args.yes, interactive=sys.stdin.isatty(), console=prompts)
    view = TerminalView(console)
    events: Events = Events() if args.json else view
    client = PunieClient(workspace, approver=approver, events=events, model=args.model)
    try:
        async with client:
            view.start_turn()
            result = await client.chat(args.question)
    except (ServerError, TurnCancelledError) as error:
        print(f"punie ask: {terminal_safe(str(error))}", file=sys.stderr)
        return 1
    finally:
        client.kill()
    if args.json:
        print(json.dumps(result.to_wire(), indent=2))
    else:
        view.finish_turn(result.reply)
        if client.diagnostics:
            console.print(diagnostics_table(client.diagnostics, client.workspace))
        console.print(usage_line(result.usage, result.stop_reason))
    return 1 if result.stop_reason == "error" else 0
