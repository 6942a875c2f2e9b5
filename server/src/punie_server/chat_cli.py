"""``punie chat``: an interactive session with a real ``punie serve`` (PROTOCOL.md §1).

One server, one session, many turns. Ctrl-C cancels the running turn
(``$/cancelRequest``) and the session stays usable; Ctrl-D or ``/exit`` leaves.
``/reset`` starts a new session, ``/status`` shows the server's state.
"""

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from punie_server.cli import MODEL_HELP
from punie_server.terminal import terminal_safe

if TYPE_CHECKING:
    from rich.console import Console

    from punie_server.client import PunieClient
    from punie_server.render import TerminalView

HELP = "Commands: /reset (new session), /status, /help, /exit (or Ctrl-D). Ctrl-C cancels a turn."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``punie chat``."""
    parser.add_argument(
        "--workspace", type=Path, default=Path.cwd(), help="workspace root (default: cwd)"
    )
    parser.add_argument("--model", help=MODEL_HELP)
    parser.add_argument(
        "--yes", action="store_true", help="approve every edit and command without asking"
    )


def run(args: argparse.Namespace) -> int:
    """Run the REPL until Ctrl-D or ``/exit``."""
    if not args.workspace.is_dir():
        print(f"punie chat: workspace is not a directory: {args.workspace}", file=sys.stderr)
        return 2
    return asyncio.run(_chat(args))


async def _chat(args: argparse.Namespace, read_line: Callable[[str], str] = input) -> int:
    from rich.console import Console

    from punie_server.client import PunieClient, ServerError
    from punie_server.consent import choose_approver
    from punie_server.render import TerminalView

    console = Console()
    interactive = sys.stdin.isatty()
    approver = choose_approver(yes=args.yes, interactive=interactive, console=console)
    view = TerminalView(console)
    client = PunieClient(args.workspace, approver=approver, events=view, model=args.model)
    try:
        async with client:
            console.print(f"[bold]punie chat[/] in {client.workspace}. {HELP}", highlight=False)
            await _repl(client, view, console, read_line)
    except ServerError as error:
        print(f"punie chat: {terminal_safe(str(error))}", file=sys.stderr)
        return 1
    finally:
        client.kill()
    return 0


async def _repl(
    client: "PunieClient",
    view: "TerminalView",
    console: "Console",
    read_line: Callable[[str], str],
) -> None:
    from rich.text import Text

    from punie_server.client import ServerError, TurnCancelledError
    from punie_server.render import diagnostics_table, usage_line

    session_id: str | None = None
    while True:
        try:
            # Blocking read: between turns the server has nothing to say that cannot wait.
            line = read_line("› ").strip()
        except EOFError:
            console.print()
            return
        except KeyboardInterrupt:
            console.print("\n(Ctrl-D or /exit to leave)")
            continue
        if not line:
            continue
        if line in {"/exit", "/quit"}:
            return
        if line == "/help":
            console.print(HELP)
            continue
        if line == "/reset":
            if session_id is not None:
                await client.reset(session_id)
            session_id = None
            console.print("[dim]new session[/]")
            continue
        if line == "/status":
            status = await client.status()
            console.print_json(data=status.to_wire())
            continue
        view.start_turn()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, client.cancel)
        try:
            result = await client.chat(line, session_id)
        except TurnCancelledError:
            view.finish_turn("")
            console.print("[yellow]cancelled[/]")
            continue
        except ServerError as error:
            if not client.alive:
                raise
            view.finish_turn("")
            console.print(Text.assemble(("error: ", "red"), terminal_safe(str(error))))
            continue
        finally:
            loop.remove_signal_handler(signal.SIGINT)
        session_id = result.session_id
        view.finish_turn(result.reply)
        if client.diagnostics:
            console.print(diagnostics_table(client.diagnostics, client.workspace))
        console.print(usage_line(result.usage, result.stop_reason))
