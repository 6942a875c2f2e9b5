"""Who says yes to the model's edits and commands in the terminal clients.

``punie ask``/``chat`` ask the user per edit and per command on a terminal, refuse
everything when there is no terminal to ask on, and approve everything with ``--yes``
(``punie eval`` always approves), except writes that steer tools later
(``paths.steering_reason``): ``--yes`` still asks about those on a terminal, and
refuses them without one.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from punie_server.disk_edits import FileChange
from punie_server.positions import split_lines
from punie_server.terminal import terminal_safe

NO_TTY_REASON = "no terminal to ask for consent (pass --yes to approve edits and commands)"
STEERING_REASON = (
    "--yes does not cover writes that steer tools later, and there is no terminal to ask on"
)


@dataclass(frozen=True)
class Decision:
    """An answer to one request; ``reason`` explains a refusal."""

    approved: bool
    reason: str = ""


class Approver(Protocol):
    """Decides on the edits and commands the server asks the client about."""

    def approve_edit(self, label: str, changes: list[FileChange]) -> Decision:
        """May ``changes`` (described by ``label``) be written to disk?"""
        ...

    def approve_command(self, message: str) -> Decision:
        """May the command the server describes in ``message`` run?"""
        ...

    def approve_steering_write(self, message: str) -> Decision:
        """May the write that steers tools later, described in ``message``, happen?"""
        ...


class ApproveAll:
    """Approves everything (``--yes``, ``punie eval``) but writes that steer tools
    later, which go to ``steering`` (refused when there is none)."""

    def __init__(self, steering: "Approver | None" = None) -> None:
        self.steering = steering or RefuseAll(STEERING_REASON)

    def approve_edit(self, label: str, changes: list[FileChange]) -> Decision:
        """Always yes."""
        return Decision(True)

    def approve_command(self, message: str) -> Decision:
        """Always yes."""
        return Decision(True)

    def approve_steering_write(self, message: str) -> Decision:
        """What ``steering`` says."""
        return self.steering.approve_steering_write(message)


class RefuseAll:
    """Refuses everything because nobody can be asked."""

    def __init__(self, reason: str = NO_TTY_REASON) -> None:
        self.reason = reason

    def approve_edit(self, label: str, changes: list[FileChange]) -> Decision:
        """Always no, with the reason."""
        return Decision(False, self.reason)

    def approve_command(self, message: str) -> Decision:
        """Always no, with the reason."""
        return Decision(False, self.reason)

    def approve_steering_write(self, message: str) -> Decision:
        """Always no, with the reason."""
        return Decision(False, self.reason)


class AskOnTerminal:
    """Shows each edit as a diff (each command as text) and asks y/n."""

    def __init__(self, console: Console, read_line: Callable[[str], str] = input) -> None:
        self.console = console
        self.read_line = read_line

    def approve_edit(self, label: str, changes: list[FileChange]) -> Decision:
        """Show the diff of ``changes`` and ask."""
        self.console.print(Text(terminal_safe(label), style="bold yellow"))
        for change in changes:
            self.console.print(Syntax(terminal_safe(file_diff(change)), "diff", word_wrap=True))
        if self._yes("Apply this edit?"):
            return Decision(True)
        return Decision(False, "the user declined the edit")

    def approve_command(self, message: str) -> Decision:
        """Show the server's question and ask."""
        self.console.print(Text(terminal_safe(message), style="bold yellow"))
        if self._yes("Run it?"):
            return Decision(True)
        return Decision(False, "the user declined the command")

    def approve_steering_write(self, message: str) -> Decision:
        """Show the server's question (it says why the file matters) and ask."""
        self.console.print(Text(terminal_safe(message), style="bold red"))
        if self._yes("Write it?"):
            return Decision(True)
        return Decision(False, "the user declined the write")

    def _yes(self, question: str) -> bool:
        # The question goes to the console (stderr for ``ask --json``), never stdout.
        self.console.print(f"{question} [y/N] ", end="", markup=False, highlight=False)
        try:
            answer = self.read_line("")
        except EOFError:
            return False
        return answer.strip().lower() in {"y", "yes"}


def choose_approver(*, yes: bool, interactive: bool, console: Console) -> Approver:
    """``--yes`` approves all but steering writes; otherwise ask on a terminal, or refuse
    without one."""
    asker = AskOnTerminal(console) if interactive else None
    if yes:
        return ApproveAll(steering=asker)
    return asker or RefuseAll()


def file_diff(change: FileChange) -> str:
    """A unified diff of one change (a new file diffs against nothing)."""
    name = str(change.path)
    # Lines as the edit counts them (a form feed or U+2028 does not end one).
    before = [line for line in split_lines(change.before or "") if line]
    after = [line for line in split_lines(change.after) if line]
    lines = difflib.unified_diff(
        before,
        after,
        fromfile="/dev/null" if change.before is None else name,
        tofile=name,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
