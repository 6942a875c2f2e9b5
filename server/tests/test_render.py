"""How the terminal clients show a turn."""

import io
from pathlib import Path

from lsprotocol import types as lsp
from rich.console import Console

from punie_server.protocol import Step, Usage
from punie_server.render import TerminalView, diagnostics_table, step_panel, usage_line
from punie_server.terminal import SafeStream


def recording_console() -> Console:
    return Console(file=io.StringIO(), width=100, record=True, color_system=None)


def shown(*renderables: object) -> str:
    console = recording_console()
    for renderable in renderables:
        console.print(renderable)
    return console.export_text()


def test_a_step_shows_its_output_result_and_calls():
    step = Step.model_validate(
        {
            "code": "print(read_file('README.md'))",
            "ok": True,
            "stdout": "# acme\n",
            "result": "3",
            "durationMs": 12.0,
            "calls": [
                {"tool": "read_file", "args": {"path": "README.md"}, "ok": True, "durationMs": 1}
            ],
        }
    )
    text = shown(step_panel(step, 1))
    assert "step 1: output" in text
    assert "# acme" in text
    assert "→ 3" in text
    assert "read_file('README.md')" in text


def test_a_failed_step_shows_the_error():
    step = Step.model_validate(
        {
            "code": "x",
            "ok": False,
            "error": {"type": "NameError", "message": "name 'x' is not defined"},
        }
    )
    text = shown(step_panel(step, 2))
    assert "step 2: failed" in text
    assert "NameError: name 'x' is not defined" in text


def test_diagnostics_are_listed_relative_to_the_workspace(tmp_path: Path):
    diagnostic = lsp.Diagnostic(
        range=lsp.Range(lsp.Position(4, 0), lsp.Position(4, 1)),
        message="Name `y` used when not defined",
        severity=lsp.DiagnosticSeverity.Error,
        code="unresolved-reference",
        source="ty",
    )
    text = shown(diagnostics_table({tmp_path / "pkg" / "a.py": [diagnostic]}, tmp_path))
    assert "pkg/a.py" in text
    assert "5" in text
    assert "unresolved-reference" in text


def test_the_usage_line_names_turns_and_cached_tokens():
    usage = Usage(turns=2, prompt_tokens=800, cached_tokens=780, total_ms=1500)
    text = shown(usage_line(usage, "done"))
    assert "2 turn(s)" in text
    assert "780 cached" in text


def test_the_view_streams_text_then_shows_code_and_step():
    console = recording_console()
    view = TerminalView(console)
    view.start_turn()
    view.on_text("Let me ")
    view.on_text("look.")
    view.on_code("print(1)")
    view.on_step(Step(code="print(1)", ok=True, stdout="1\n"))
    view.finish_turn("Let me look.")
    text = console.export_text()
    assert "Let me look.\n" in text
    assert text.index("Let me look.") < text.index("step 1: code") < text.index("step 1: output")


def test_a_reply_that_did_not_stream_is_printed_at_the_end():
    console = recording_console()
    view = TerminalView(console)
    view.start_turn()
    view.finish_turn("The answer.")
    assert "The answer." in console.export_text()


def test_refused_edits_say_why():
    console = recording_console()
    TerminalView(console).on_edit("Punie: write a.txt", False, "the user declined the edit")
    assert "✗ Punie: write a.txt: the user declined the edit" in console.export_text()


HOSTILE = "ok\x1b]52;c;cGF5bG9hZA==\x07 \x1b]0;title\x1b\\ \x1b[2J\x9b31m\rhidden\x08"


def test_streamed_text_reaches_the_terminal_without_escape_sequences():
    terminal = io.StringIO()
    view = TerminalView(Console(file=terminal, width=100, color_system=None))
    view.on_text(HOSTILE[:5])  # a sequence split across two deltas
    view.on_text(HOSTILE[5:])
    written = terminal.getvalue()
    assert "\x1b" not in written
    assert "\x9b" not in written
    assert "\r" not in written
    assert "52;" not in written
    assert "cGF5bG9hZA" not in written


def test_step_output_errors_and_diagnostics_are_shown_without_control_characters():
    step = Step.model_validate(
        {"code": "x", "ok": False, "stdout": HOSTILE, "error": {"type": "E", "message": HOSTILE}}
    )
    diagnostic = lsp.Diagnostic(
        range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 1)), message=HOSTILE
    )
    text = shown(
        step_panel(step, 1), diagnostics_table({Path("/w/a.py"): [diagnostic]}, Path("/w"))
    )
    assert not any(char in text for char in "\x1b\x9b\x07\x08\r")
    assert "ok" in text


def test_text_held_back_for_an_unfinished_sequence_is_shown_once_it_ends():
    stream = SafeStream()
    assert stream.feed("a\x1b[3") == "a"
    assert stream.feed("1mred") == "red"
