"""Who approves edits and commands in the terminal clients."""

import io
from pathlib import Path

from rich.console import Console

from punie_server.consent import (
    NO_TTY_REASON,
    ApproveAll,
    AskOnTerminal,
    RefuseAll,
    choose_approver,
    file_diff,
)
from punie_server.disk_edits import FileChange

CHANGE = FileChange(Path("/ws/a.txt"), "old\n", "new\n")


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=100)


def test_yes_approves_everything_even_without_a_terminal():
    approver = choose_approver(yes=True, interactive=False, console=quiet_console())
    assert isinstance(approver, ApproveAll)
    assert approver.approve_edit("Punie: write a.txt", [CHANGE]).approved
    assert approver.approve_command("Punie wants to run `pytest`. Allow it?").approved


def test_yes_without_a_terminal_refuses_a_write_that_steers_tools_later():
    approver = choose_approver(yes=True, interactive=False, console=quiet_console())
    decision = approver.approve_steering_write("Punie wants to write .envrc, which …")
    assert not decision.approved
    assert "--yes does not cover" in decision.reason


def test_yes_on_a_terminal_still_asks_about_a_write_that_steers_tools_later():
    approver = ApproveAll(steering=AskOnTerminal(quiet_console(), read_line=lambda _: "n"))
    decision = approver.approve_steering_write("Punie wants to write .envrc, which …")
    assert not decision.approved
    assert decision.reason == "the user declined the write"


def test_without_a_terminal_everything_is_refused_with_a_reason():
    approver = choose_approver(yes=False, interactive=False, console=quiet_console())
    assert isinstance(approver, RefuseAll)
    decision = approver.approve_edit("Punie: write a.txt", [CHANGE])
    assert not decision.approved
    assert decision.reason == NO_TTY_REASON
    assert not approver.approve_command("run?").approved


def test_on_a_terminal_the_user_is_asked():
    approver = choose_approver(yes=False, interactive=True, console=quiet_console())
    assert isinstance(approver, AskOnTerminal)


def test_answering_y_approves_the_edit():
    approver = AskOnTerminal(quiet_console(), read_line=lambda _: "y")
    assert approver.approve_edit("Punie: write a.txt", [CHANGE]).approved


def test_any_other_answer_declines_the_command():
    approver = AskOnTerminal(quiet_console(), read_line=lambda _: "")
    decision = approver.approve_command("Punie wants to run `pytest`. Allow it?")
    assert not decision.approved
    assert "declined" in decision.reason


def test_end_of_input_declines():
    def eof(_: str) -> str:
        raise EOFError

    assert not AskOnTerminal(quiet_console(), read_line=eof).approve_edit("x", [CHANGE]).approved


def test_the_question_shows_the_diff():
    console = Console(file=io.StringIO(), width=100, record=True)
    AskOnTerminal(console, read_line=lambda _: "n").approve_edit("Punie: write a.txt", [CHANGE])
    shown = console.export_text()
    assert "Punie: write a.txt" in shown
    assert "-old" in shown
    assert "+new" in shown
    assert "Apply this edit? [y/N]" in shown


def test_a_new_file_diffs_against_nothing():
    diff = file_diff(FileChange(Path("/ws/b.txt"), None, "hello\n"))
    assert "--- /dev/null" in diff
    assert "+hello" in diff


def test_the_diff_counts_lines_as_the_edit_does():
    diff = file_diff(FileChange(Path("/ws/a.txt"), "a\fb\n", "a\fc\n"))
    assert "-a\fb\n+a\fc\n" in diff
