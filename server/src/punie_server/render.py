"""How the terminal clients show a turn: streamed reply, steps, edits, diagnostics.

Everything shown comes from the server, so from the model, a snippet or a program: it
goes through ``terminal_safe`` and is never read as rich markup.
"""

from pathlib import Path

from lsprotocol import types as lsp
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from punie_server.client import Events
from punie_server.protocol import Step, Usage
from punie_server.terminal import SafeStream, terminal_safe

_SEVERITY = {
    lsp.DiagnosticSeverity.Error: "error",
    lsp.DiagnosticSeverity.Warning: "warning",
    lsp.DiagnosticSeverity.Information: "info",
    lsp.DiagnosticSeverity.Hint: "hint",
}


def code_panel(code: str, number: int) -> Panel:
    """The snippet about to run, syntax-highlighted."""
    return Panel(
        Syntax(terminal_safe(code).rstrip("\n"), "python", line_numbers=False, word_wrap=True),
        title=f"step {number}: code",
        title_align="left",
        border_style="cyan",
    )


def step_panel(step: Step, number: int) -> Panel:
    """What a finished snippet produced: output, result, error, tool calls."""
    parts: list[RenderableType] = []
    if step.stdout:
        parts.append(Text(terminal_safe(step.stdout).rstrip("\n")))
    if step.result is not None:
        parts.append(Text(f"→ {terminal_safe(step.result)}", style="bold"))
    if step.error is not None:
        error = terminal_safe(f"{step.error.type}: {step.error.message}")
        parts.append(Text(error, style="bold red"))
    if step.killed is not None:
        parts.append(Text(f"killed: {step.killed}", style="bold red"))
    calls = ", ".join(
        f"{call.tool}({_short_args(call.args)}){'' if call.ok else ' ✗'}" for call in step.calls
    )
    footer = f"{step.duration_ms:.0f} ms" + (f" · {calls}" if calls else "")
    parts.append(Text(footer, style="dim"))
    failed = step.error is not None or step.killed is not None
    return Panel(
        Group(*parts),
        title=f"step {number}: {'failed' if failed else 'output'}",
        title_align="left",
        border_style="red" if failed else "green",
    )


def diagnostics_table(diagnostics: dict[Path, list[lsp.Diagnostic]], root: Path) -> Table:
    """Every collected diagnostic, one row each, paths relative to the workspace."""
    table = Table(title="Diagnostics", title_justify="left")
    for column in ("file", "line", "severity", "code", "message"):
        table.add_column(column)
    for path, items in sorted(diagnostics.items()):
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        for item in items:
            table.add_row(
                Text(terminal_safe(str(shown))),
                str(item.range.start.line + 1),
                _SEVERITY.get(item.severity or lsp.DiagnosticSeverity.Error, "error"),
                Text(terminal_safe(str(item.code or ""))),
                Text(terminal_safe(item.message)),
            )
    return table


def usage_line(usage: Usage, stop_reason: str) -> Text:
    """One dim line of token counts and timings."""
    return Text(
        f"{usage.turns} turn(s) · {usage.prompt_tokens} prompt tokens "
        f"({usage.cached_tokens} cached) · {usage.completion_tokens} completion tokens · "
        f"{usage.tokens_per_second:.0f} tok/s · {usage.total_ms / 1000:.1f} s · {stop_reason}",
        style="dim",
    )


def _short_args(args: dict[str, object]) -> str:
    text = ", ".join(f"{value!r}" for value in args.values())
    return text if len(text) <= 40 else text[:37] + "..."


class TerminalView(Events):
    """Shows a turn on the terminal as it streams."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.steps = 0
        self.streamed = ""
        self._mid_line = False
        self._activity = ""
        self._reply = SafeStream()

    def start_turn(self) -> None:
        """Forget what the previous turn streamed."""
        self.steps = 0
        self.streamed = ""
        self._activity = ""
        self._reply = SafeStream()

    def on_text(self, delta: str) -> None:
        """Print the reply as it streams."""
        shown = self._reply.feed(delta)
        self.console.print(shown, end="", markup=False, highlight=False, soft_wrap=True)
        self.streamed += delta
        self._mid_line = not delta.endswith("\n")

    def on_code(self, code: str) -> None:
        """Show the snippet about to run."""
        self._end_line()
        self.steps += 1
        self.console.print(code_panel(code, self.steps))

    def on_step(self, step: Step) -> None:
        """Show what the snippet produced."""
        self._end_line()
        self.console.print(step_panel(step, max(self.steps, 1)))

    def on_activity(self, message: str) -> None:
        """Show a changed work-done message, dimmed, on its own line."""
        if message == self._activity:
            return
        self._activity = message
        self._end_line()
        self.console.print(Text(terminal_safe(message), style="dim italic"))

    def on_message(self, message: str) -> None:
        """Show a server message."""
        self._end_line()
        self.console.print(Text(terminal_safe(message), style="yellow"))

    def on_edit(self, label: str, applied: bool, reason: str) -> None:
        """Say whether an edit reached the disk."""
        self._end_line()
        if applied:
            self.console.print(Text(terminal_safe(f"✓ {label}"), style="green"))
        else:
            self.console.print(Text(terminal_safe(f"✗ {label}: {reason}"), style="red"))

    def finish_turn(self, reply: str) -> None:
        """Print the reply if it did not stream; end the line."""
        self._reply.end()
        if not self.streamed.strip() and reply:
            self._end_line()
            self.console.print(terminal_safe(reply), markup=False, highlight=False)
        self._end_line()

    def _end_line(self) -> None:
        if self._mid_line:
            self.console.print()
            self._mid_line = False
