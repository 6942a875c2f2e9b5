"""The Neovim plugin (editors/nvim) end to end: headless Neovim 0.11 with the plugin on the
runtimepath, Neovim's own LSP client, and `punie serve` with the embedded model.

Each test runs one Lua scenario from `scenarios/` in its own Neovim, in a fresh copy of
the fixture workspace; the scenario writes what it observed as JSON, asserted here.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from punie_training.evalsuites import write_eval_workspace
from tests.scripted_model import MARKUP_REPLY, MARKUP_SCRIPT, write_scripted_model

pytestmark = pytest.mark.editor

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
NVIM = BIN / "nvim"
SERVER_CMD = [str(BIN / "punie"), "serve"]
SCENARIO_TIMEOUT_S = 240

# One ty error (int promised, str returned): the shape the model was trained on.
BROKEN = "def label_item(value: int) -> int:\n    return str(value)\n"
FIXED = "def label_item(value: int) -> int:\n    return value\n"
REQUEST_CANCELLED = -32800
WRITE_NOTES = 'Write "done" to notes.txt'
LINE_END = re.compile(r"\r\n|\r|\n")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The eval fixture workspace plus a notes file and a module with a type error."""
    root = write_eval_workspace(tmp_path / "ws")
    (root / "notes.txt").write_text("draft\n")
    (root / "acme" / "labels.py").write_text(BROKEN)
    return root


def run_scenario(
    name: str, workspace: Path, server: list[str] = SERVER_CMD, **env: str
) -> dict[str, Any]:
    """Run `scenarios/<name>.lua` in headless Neovim inside `workspace` against `server`
    (the embedded model by default); return its value."""
    out = workspace.parent / f"{name}.json"
    scenario_env = {
        **os.environ,
        "PUNIE_TEST_OUT": str(out),
        "PUNIE_TEST_CMD": json.dumps(server),
        **{f"PUNIE_TEST_{key.upper()}": value for key, value in env.items()},
    }
    command = [
        str(NVIM),
        "--headless",
        "--clean",
        "-u",
        str(HERE / "minimal_init.lua"),
        "-c",
        f"luafile {HERE / 'scenarios' / name}.lua",
    ]
    proc = subprocess.run(
        command,
        cwd=workspace,
        env=scenario_env,
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT_S,
        check=False,
    )
    assert out.exists(), f"scenario {name} wrote nothing:\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(out.read_text())
    assert report["ok"], report["error"]
    return report["value"]


def tools_called(steps: list[dict[str, Any]]) -> set[str]:
    return {call["tool"] for step in steps for call in step.get("calls", [])}


def test_ask_streams_text_before_done_and_returns_the_read_file_step(workspace: Path):
    answer = run_scenario("ask", workspace)

    assert answer.get("err") is None
    events = answer["events"]
    assert "text" in events
    assert events.index("text") < events.index("done") == len(events) - 1
    steps = answer["result"]["steps"]
    assert any("read_file" in step["code"] for step in steps)


def test_chat_buffer_holds_the_streamed_reply_and_the_step(workspace: Path):
    chat = run_scenario("chat", workspace, question="Read README.md and tell me the project name")

    assert chat.get("err") is None
    assert (chat["buftype"], chat["filetype"]) == ("prompt", "markdown")
    text = "\n".join(chat["lines"])
    assert "> Read README.md and tell me the project name" in text
    step = chat["result"]["steps"][0]
    assert "```python\n" + step["code"].rstrip("\n") + "\n```" in text
    assert "```output\n" in text
    assert chat["result"]["reply"].strip() in text


def test_punie_ask_streams_the_reply_into_a_float(workspace: Path):
    shown = run_scenario(
        "ask_float", workspace, question="Read README.md and tell me the project name"
    )

    assert shown["relative"] == "editor"
    assert shown["chat_open"] is False
    text = "\n".join(shown["lines"])
    assert "```python" in text
    assert "read_file" in text
    assert "turn(s)" in text


def written_content(steps: list[dict[str, Any]]) -> str:
    """The text the (one) successful ``write_file`` call of a turn wrote."""
    (content,) = [
        call["args"]["content"]
        for step in steps
        for call in step.get("calls", [])
        if call["tool"] == "write_file" and call["ok"]
    ]
    return content


def same_text(buffer: str, written: str) -> bool:
    """Whether the buffer holds ``written``: the same lines and the same final line break
    (a buffer's line breaks are its 'fileformat''s)."""
    return LINE_END.split(buffer) == LINE_END.split(written)


def test_write_with_auto_changes_the_modified_buffer_into_exactly_the_written_text(
    workspace: Path,
):
    written = run_scenario("write", workspace, file="notes.txt", question=WRITE_NOTES)

    answer = written["answer"]
    assert answer.get("err") is None
    assert written["before"] == ["draft", "an unsaved line"]
    assert same_text(written["text"], written_content(answer["steps"]))
    assert written["modified"] is True
    assert (workspace / "notes.txt").read_text() == "draft\n"
    assert written["after_undo"] == written["before"]
    assert written["notes"] == ["punie: edited notes.txt (not saved)"]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A write reviewed three times: rejected, made stale by typing, accepted."""
    root = write_eval_workspace(tmp_path_factory.mktemp("review") / "ws")
    (root / "notes.txt").write_text("draft\n")
    report = run_scenario("review", root, file="notes.txt", question=WRITE_NOTES)
    report["disk"] = (root / "notes.txt").read_text()
    return report


def _errors(turn: dict[str, Any]) -> list[dict[str, str]]:
    return [step["error"] for step in turn["result"]["steps"] if step.get("error")]


def test_a_write_under_review_shows_its_diff_and_takes_the_focus(review):
    shown = "\n".join(review["shown"])
    assert review["focused"] is True
    assert shown.startswith("Punie wants to edit notes.txt.\na: accept   r or q: reject\n")
    assert "--- a/notes.txt\n+++ b/notes.txt\n@@" in shown
    assert "\n-an unsaved line" in shown


def test_a_rejected_review_changes_nothing_and_the_snippet_sees_permission_error(review):
    assert review["after_reject"] == review["before"] == "draft\nan unsaved line\n"
    (error,) = _errors(review["rejected"])
    assert error["type"] == "PermissionError"
    assert error["message"].endswith("edit refused by editor: rejected in review")


def test_typing_during_a_review_makes_the_accepted_edit_stale_and_keeps_the_typing(review):
    assert review["after_stale"] == review["typed"]
    (error,) = _errors(review["stale"])
    assert error["type"] == "PermissionError"
    assert "changed since the edit was made" in error["message"]


def test_an_accepted_review_applies_exactly_the_written_text_to_the_buffer_only(review):
    accepted = review["accepted"]
    assert not _errors(accepted)
    assert same_text(review["after_accept"], written_content(accepted["result"]["steps"]))
    assert review["disk"] == "draft\n"
    assert review["notes"] == ["punie: edited notes.txt (not saved)"]
    assert review["reviews_left"] == 0


@pytest.fixture(scope="module")
def edits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One stale and one current `workspace/applyEdit` answered by Punie's client."""
    root = tmp_path_factory.mktemp("edits")
    (root / "notes.txt").write_text("draft\n")
    report = run_scenario("apply_edit", root, file="notes.txt")
    report["disk"] = (root / "notes.txt").read_text()
    return report


def test_an_edit_for_an_older_buffer_version_is_refused_with_both_versions(edits):
    versions = edits["versions"]
    assert versions["typed"] > versions["seen_by_server"] > 0
    assert edits["refused"] == {
        "applied": False,
        "failureReason": f"notes.txt changed since the edit was made "
        f"(version {versions['typed']}, edit for {versions['seen_by_server']})",
    }


def test_a_refused_edit_leaves_the_buffer_and_the_file_as_they_were(edits):
    assert edits["after_refused"] == ["draft", "typed before", "typed meanwhile"]
    assert edits["disk"] == "draft\n"


def test_an_edit_for_the_current_buffer_version_applies_to_the_buffer_only(edits):
    assert edits["applied"]["applied"] is True
    assert edits["after_applied"] == ["from punie"]
    assert edits["modified"] is True
    assert edits["disk"] == "draft\n"


def test_an_unversioned_edit_for_an_unsaved_buffer_the_server_cannot_see_is_refused(edits):
    assert edits["unseen"] == {
        "applied": False,
        "failureReason": "notes.txt has unsaved changes Punie cannot see "
        "(the buffer is not attached); save it first",
    }
    assert edits["after_unseen"] == ["from punie"]


def test_typing_while_a_write_arrives_makes_write_file_raise_and_keeps_the_typing(
    workspace: Path,
):
    run = run_scenario("write_stale", workspace, file="notes.txt", question=WRITE_NOTES)

    assert run["replies"], "the model never called write_file"
    assert all(reply["applied"] is False for reply in run["replies"])
    assert "changed since the edit was made" in run["replies"][0]["failureReason"]
    assert run["lines"] == ["draft"] + ["typed meanwhile"] * len(run["replies"])
    assert (workspace / "notes.txt").read_text() == "draft\n"
    errors = [step["error"] for step in run["answer"]["steps"] if step.get("error")]
    assert any(
        error["type"] == "PermissionError" and "changed since the edit was made" in error["message"]
        for error in errors
    )


def test_typecheck_puts_ty_errors_in_vim_diagnostic_and_a_saved_fix_clears_them(
    workspace: Path,
):
    checked = run_scenario("typecheck", workspace, file="acme/labels.py", fix=FIXED)

    assert checked["answer"].get("err") is None
    assert checked["answer"]["result"]["errorCount"] == 1
    diagnostics = checked["diagnostics"]
    assert len(diagnostics) == 1
    assert diagnostics[0]["source"] == "ty"
    assert diagnostics[0]["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert diagnostics[0]["lnum"] == 1
    assert checked["after_fix"] == []


@pytest.fixture(scope="module")
def rambling_server(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """`punie serve` on a random-weight model: it generates up to maxTokens every time,
    so a cancel always lands mid-generation (the trained model can finish a whole turn
    before the first streamed text has reached Neovim and its cancel the server)."""
    from punie_training.tiny import write_untrained_model

    model = write_untrained_model(tmp_path_factory.mktemp("rambling-model"))
    return [*SERVER_CMD, "--model", str(model)]


def test_cancel_during_generation_reports_cancellation_and_the_next_ask_works(
    workspace: Path, rambling_server: list[str]
):
    run = run_scenario(
        "cancel",
        workspace,
        server=rambling_server,
        question="Tell me a very long story",
        next_question="Read README.md and tell me the project name",
    )

    cancelled = run["cancelled"]
    assert cancelled.get("result") is None
    assert cancelled["err"] == {"code": REQUEST_CANCELLED, "message": "cancelled"}  # acknowledged
    assert len(cancelled["events"]) < 100  # stopped long before the ~1000-token ramble ended
    assert run["next"].get("err") is None
    assert run["next"]["result"]["reply"]


def test_denied_consent_shows_permission_error_and_runs_nothing(workspace: Path):
    run = run_scenario("consent", workspace, question="Which Python files are there?")

    assert run["asked"], "vim.ui.select was never asked for consent"
    assert "find" in run["asked"][0]["prompt"]
    assert run["asked"][0]["actions"] == ["Allow", "Deny"]
    steps = run["answer"]["steps"]
    assert steps
    assert steps[0]["error"]["type"] == "PermissionError"
    assert "service.py" not in steps[0]["stdout"]


def test_checkhealth_reports_ok(workspace: Path):
    lines = run_scenario("health", workspace)["lines"]

    report = "\n".join(lines)
    assert "ERROR" not in report
    assert "OK Neovim 0.11" in report
    assert "answers punie/status" in report


def test_vim_lsp_enable_attaches_the_client_to_python_buffers(workspace: Path):
    enabled = run_scenario("enable", workspace, file="acme/models.py")

    assert Path(enabled["root"]) == workspace
    assert enabled["status"]["running"] is True
    assert enabled["status"]["server"]["modelState"] in {"unloaded", "loading", "ready"}


def test_vim_lsp_enable_attaches_the_client_to_non_python_buffers_too(workspace: Path):
    enabled = run_scenario("enable", workspace, file="notes.txt")

    assert enabled["status"]["running"] is True


def test_help_tags_resolve(workspace: Path, tmp_path: Path):
    plugin = tmp_path / "plugin-copy"
    shutil.copytree(HERE.parents[1] / "editors" / "nvim", plugin)

    found = run_scenario("help", workspace, doc=str(plugin / "doc"))

    assert set(found.values()) == {"punie.txt"}


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Facts about the plugin's plain functions, from one headless Neovim without a server."""
    root = tmp_path_factory.mktemp("units")
    (root / "pkg").mkdir()
    return run_scenario("units", root, root=str(root))


def test_server_command_is_punie_serve_from_path_without_a_project_venv(units):
    assert units["cmd_without_venv"] == ["punie", "serve"]


def test_server_command_prefers_the_project_venv(units):
    assert units["cmd_with_venv"][0].endswith("/.venv/bin/punie")
    assert units["cmd_with_venv"][1:] == ["serve"]


def test_configured_server_command_wins(units):
    assert units["cmd_configured"] == ["my-punie", "serve", "--log-file", "x"]


def test_settings_are_camel_case_and_leave_unset_options_to_the_server(units):
    assert units["default_settings"] == {"typecheckOnSave": True}
    assert units["settings"] == {
        "model": "m",
        "maxTurns": 2,
        "commands": {"autoAllow": []},
        "typecheckOnSave": False,
    }


def test_a_bad_option_is_rejected_with_its_name(units):
    assert "max_turns must be a number" in units["bad_option"]
    assert "writes must be 'ask' or 'auto'" in units["bad_writes"]


def test_an_unknown_option_is_rejected(units):
    assert 'unknown option "filetypes"' in units["unknown_option"]


def test_writes_auto_reaches_the_server_as_the_approval_setting(units):
    assert units["auto_writes_settings"] == {
        "typecheckOnSave": True,
        "approval": {"writes": "auto"},
    }


def test_the_client_declares_versioned_document_changes_and_change_annotations(units):
    edit = units["capabilities"]
    assert edit["documentChanges"] is True
    assert edit["changeAnnotationSupport"] == {"groupsOnLabel": False}


def test_a_refused_step_shows_its_output_and_the_permission_error(units):
    assert units["refused_step"] == [
        "```output",
        "before",
        "PermissionError: command refused by user: pytest",
        "```",
        "",
    ]


def test_ask_on_a_range_sends_the_selection_with_its_file_and_lines(units):
    assert units["selection_question"] == (
        "What do these do?\n\n`pkg/mod.py` lines 2-3:\n```python\nb = 2\nc = 3\n```"
    )


def test_ctrl_c_in_the_chat_cancels_the_running_turn(workspace: Path, rambling_server: list[str]):
    chat = run_scenario(
        "chat_cancel", workspace, server=rambling_server, question="Tell me a very long story"
    )

    assert "_(cancelled)_" in chat["lines"]


@pytest.fixture(scope="module")
def scripted_server(tmp_path_factory: pytest.TempPathFactory):
    """`punie serve` on a model that always answers ``script`` (``tests.scripted_model``)."""

    def serve(script: str) -> list[str]:
        model = write_scripted_model(tmp_path_factory.mktemp("scripted-model"), script)
        return [*SERVER_CMD, "--model", str(model)]

    return serve


def test_the_chat_never_shows_markup_in_a_reply(workspace: Path, scripted_server):
    chat = run_scenario("chat", workspace, server=scripted_server(MARKUP_SCRIPT), question="hello")

    text = "\n".join(chat["lines"])
    assert chat["result"]["reply"] == MARKUP_REPLY
    assert MARKUP_REPLY in text
    assert not re.search(r"<\||\|>|</?tool_call>|</parameter>|</function>|tool_response", text)


def test_the_chat_says_so_when_a_turn_ends_with_nothing_to_say(workspace: Path, scripted_server):
    chat = run_scenario("chat", workspace, server=scripted_server(""), question="hello")

    assert "The model ended its turn without a reply." in chat["lines"]
