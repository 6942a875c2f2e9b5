"""The CLI client's answers to server→client requests (no server needed)."""

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from punie_server.client import (
    STDERR_LINE_BYTES,
    Events,
    PunieClient,
    ServerError,
    client_capabilities,
    server_command,
)
from punie_server.consent import ApproveAll, Decision, RefuseAll
from punie_server.disk_edits import FileChange
from punie_server.protocol import Step, steering_write_question


class Recorder(Events):
    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    def on_text(self, delta: str) -> None:
        self.seen.append(("text", delta))

    def on_code(self, code: str) -> None:
        self.seen.append(("code", code))

    def on_step(self, step: Step) -> None:
        self.seen.append(("step", step.stdout))

    def on_activity(self, message: str) -> None:
        self.seen.append(("activity", message))

    def on_edit(self, label: str, applied: bool, reason: str) -> None:
        self.seen.append(("edit", (applied, reason)))


class CommandsOnly:
    """Approves commands, declines edits."""

    def approve_edit(self, label: str, changes: list[FileChange]) -> Decision:
        return Decision(False, "edits are off")

    def approve_command(self, message: str) -> Decision:
        return Decision(True)

    def approve_steering_write(self, message: str) -> Decision:
        return Decision(False, "edits are off")


def write_edit(path: Path, text: str) -> lsp.ApplyWorkspaceEditParams:
    edit = lsp.WorkspaceEdit(
        document_changes=[
            lsp.CreateFile(uri=path.as_uri()),
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                    uri=path.as_uri(), version=None
                ),
                edits=[
                    lsp.TextEdit(
                        range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), new_text=text
                    )
                ],
            ),
        ]
    )
    return lsp.ApplyWorkspaceEditParams(edit=edit, label=f"Punie: write {path.name}")


def consent_request() -> lsp.ShowMessageRequestParams:
    return lsp.ShowMessageRequestParams(
        type=lsp.MessageType.Warning,
        message="Punie wants to run `pytest -q`. Allow it?",
        actions=[lsp.MessageActionItem(title="Allow"), lsp.MessageActionItem(title="Deny")],
    )


def test_the_server_runs_with_this_interpreter():
    assert server_command(None) == [sys.executable, "-m", "punie_server.cli", "serve"]
    assert server_command("/m")[-2:] == ["--model", "/m"]


def test_a_relative_model_directory_is_passed_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "models" / "mine").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert server_command("models/mine")[-1] == str(tmp_path / "models" / "mine")


def test_a_hub_id_is_passed_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert server_command("mlx-community/Qwen3-4B")[-1] == "mlx-community/Qwen3-4B"


def test_capabilities_declare_apply_edit_with_document_changes_and_create():
    workspace = client_capabilities().workspace
    assert workspace is not None
    assert workspace.apply_edit
    assert workspace.workspace_edit is not None
    assert workspace.workspace_edit.document_changes
    assert workspace.workspace_edit.resource_operations == [lsp.ResourceOperationKind.Create]


def test_an_approved_edit_is_written_and_reported_applied(tmp_path: Path):
    events = Recorder()
    client = PunieClient(tmp_path, approver=ApproveAll(), events=events)
    answer = client.on_apply_edit(write_edit(tmp_path / "notes.txt", "done\n"))
    assert answer.applied
    assert (tmp_path / "notes.txt").read_text() == "done\n"
    assert events.seen == [("edit", (True, ""))]


def test_a_refused_edit_leaves_the_disk_alone_and_gives_the_reason(tmp_path: Path):
    client = PunieClient(tmp_path, approver=RefuseAll("nobody to ask"))
    answer = client.on_apply_edit(write_edit(tmp_path / "notes.txt", "done\n"))
    assert not answer.applied
    assert answer.failure_reason == "nobody to ask"
    assert not (tmp_path / "notes.txt").exists()


def test_an_edit_outside_the_workspace_is_refused_even_with_yes(tmp_path: Path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    client = PunieClient(workspace, approver=ApproveAll())
    answer = client.on_apply_edit(write_edit(tmp_path / "evil.txt", "x"))
    assert not answer.applied
    assert "outside the workspace" in (answer.failure_reason or "")
    assert not (tmp_path / "evil.txt").exists()


def test_consent_answers_allow_or_deny_from_the_approver(tmp_path: Path):
    allowing = PunieClient(tmp_path, approver=CommandsOnly())
    refusing = PunieClient(tmp_path, approver=RefuseAll())
    assert allowing.on_show_message_request(consent_request()) == lsp.MessageActionItem("Allow")
    assert refusing.on_show_message_request(consent_request()) == lsp.MessageActionItem("Deny")


def test_yes_does_not_cover_a_write_that_steers_tools_later(tmp_path: Path):
    question = steering_write_question(".envrc", "direnv runs it when you enter the directory")
    request = lsp.ShowMessageRequestParams(
        type=lsp.MessageType.Warning,
        message=question,
        actions=[lsp.MessageActionItem("Allow"), lsp.MessageActionItem("Deny")],
    )
    client = PunieClient(tmp_path, approver=ApproveAll())
    assert client.on_show_message_request(request) == lsp.MessageActionItem("Deny")
    assert client.on_show_message_request(consent_request()) == lsp.MessageActionItem("Allow")


async def test_an_endless_stderr_line_is_drained_and_kept_short(tmp_path: Path):
    client = PunieClient(tmp_path, approver=ApproveAll())
    stream = asyncio.StreamReader()
    stream.feed_data(b"x" * 5_000_000 + b"\nlast words\n")
    stream.feed_eof()
    await client._drain_stderr(stream)
    assert client.stderr_tail.splitlines() == ["x" * STDERR_LINE_BYTES, "last words"]


def test_configuration_answers_the_punie_section_only(tmp_path: Path):
    client = PunieClient(tmp_path, approver=ApproveAll(), settings={"maxTurns": 2})
    items = [lsp.ConfigurationItem(section="punie"), lsp.ConfigurationItem(section="python")]
    assert client.on_configuration(lsp.ConfigurationParams(items=items)) == [{"maxTurns": 2}, None]


def test_diagnostics_are_collected_per_file_and_cleared(tmp_path: Path):
    client = PunieClient(tmp_path, approver=ApproveAll())
    uri = (tmp_path / "a.py").as_uri()
    diagnostic = lsp.Diagnostic(
        range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 1)), message="bad"
    )
    client.on_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[diagnostic]))
    assert client.diagnostics == {tmp_path / "a.py": [diagnostic]}
    client.on_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    assert client.diagnostics == {}


def test_partial_results_stream_to_the_events_by_kind(tmp_path: Path):
    events = Recorder()
    client = PunieClient(tmp_path, approver=ApproveAll(), events=events)
    client._partial_tokens.add("p")
    for value in (
        {"kind": "text", "delta": "Hi"},
        {"kind": "code", "code": "print(1)"},
        {"kind": "step", "step": {"code": "print(1)", "ok": True, "stdout": "1\n"}},
    ):
        client.on_progress(lsp.ProgressParams(token="p", value=value))
    assert events.seen == [("text", "Hi"), ("code", "print(1)"), ("step", "1\n")]


def test_work_done_messages_become_activity_and_unknown_tokens_are_ignored(tmp_path: Path):
    events = Recorder()
    client = PunieClient(tmp_path, approver=ApproveAll(), events=events)
    client.on_work_done_progress_create(lsp.WorkDoneProgressCreateParams(token="w"))
    client.on_progress(
        lsp.ProgressParams(token="w", value={"kind": "report", "message": "Running code…"})
    )
    client.on_progress(lsp.ProgressParams(token="other", value={"kind": "text", "delta": "x"}))
    assert events.seen == [("activity", "Running code…")]


def test_cancel_without_a_running_chat_does_nothing(tmp_path: Path):
    assert PunieClient(tmp_path, approver=ApproveAll()).cancel() is False


async def test_a_server_that_dies_at_start_is_reported_with_its_stderr(tmp_path: Path):
    dying = [sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"]
    client = PunieClient(tmp_path, approver=ApproveAll(), command=dying)
    with pytest.raises(ServerError, match=r"return code: 3(.|\n)*boom"):
        await client.start()
    await client.close()
    assert not client.alive
