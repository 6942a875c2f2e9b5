"""Code Mode chats through the real ``punie serve`` and the embedded model.

Each test asks what a user would ask; the model writes the snippet, the sandbox runs
it, and its callbacks come back to this client as an editor would see them: reads of
open buffers, ``workspace/applyEdit`` requests, consent prompts and diagnostics. The
questions are ones the plumbing model maps to the right snippet; writes and type checks,
which it does not do reliably, come from scripted models (``tests/scripted_model.py``).
"""

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from tests.scripted_model import write_edit_request
from tests.server.conftest import chat, editor_session

PROJECT_NAME = "Read README.md and tell me the project name"
NO_AUTO_ALLOW = {"commands": {"autoAllow": []}}
# A scripted model asks for the same step every turn: one turn is the whole chat.
ONE_TURN = {"maxTurns": 1}


def _called(result: Any, tool: str) -> bool:
    return any(call.tool == tool for step in result.steps for call in step.calls)


async def test_a_chat_reads_a_file(plumbing_model: Path, workspace: Path):
    async with editor_session(plumbing_model, workspace) as client:
        result = await chat(client, PROJECT_NAME)
    assert _called(result, "read_file")
    assert "acme" in result.steps[0].stdout


async def test_the_reply_is_grounded_in_what_the_step_printed(
    plumbing_model: Path, workspace: Path
):
    async with editor_session(plumbing_model, workspace) as client:
        result = await chat(client, PROJECT_NAME)
    assert "acme" in result.reply


async def test_read_file_sees_the_unsaved_buffer_not_the_disk(
    plumbing_model: Path, workspace: Path
):
    uri = (workspace / "README.md").resolve().as_uri()
    async with editor_session(plumbing_model, workspace) as client:
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(
                    uri=uri, language_id="markdown", version=3, text="# typed\n\nUnsaved.\n"
                )
            )
        )
        result = await chat(client, PROJECT_NAME)
    assert "typed" in result.steps[0].stdout


async def test_an_accepted_write_arrives_as_an_apply_edit_with_the_content(
    edit_model: Path, workspace: Path
):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN) as client:
        result = await chat(client, 'Write "done" to notes.txt')
        edits = client.script.edits
    assert result.steps[0].ok, result.steps[0]
    assert len(edits) == 1
    changes = edits[0].edit.document_changes or []
    assert all(isinstance(c, lsp.TextDocumentEdit) for c in changes)
    texts = {
        c.text_document.uri: [
            e.new_text for e in c.edits if isinstance(e, lsp.TextEdit | lsp.AnnotatedTextEdit)
        ]
        for c in changes
        if isinstance(c, lsp.TextDocumentEdit)
    }
    assert texts == {(workspace / "notes.txt").resolve().as_uri(): ["done\n"]}


async def test_a_refused_write_is_a_permission_error_and_nothing_is_written(
    edit_model: Path, workspace: Path
):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN) as client:
        client.script.accept_edits = False
        result = await chat(client, 'Write "done" to notes.txt')
    error = result.steps[0].error
    assert error is not None
    assert error.type == "PermissionError"
    assert "user said no" in error.message
    assert (workspace / "notes.txt").read_text() == "saved words\n"


async def test_a_command_the_user_allows_runs(plumbing_model: Path, workspace: Path):
    (workspace / "tests").mkdir()
    (workspace / "tests" / "test_acme.py").write_text("def test_acme():\n    pass\n")
    async with editor_session(plumbing_model, workspace, NO_AUTO_ALLOW) as client:
        result = await chat(client, "Run ls on tests")
        prompts = [p.message for p in client.script.prompts]
    assert prompts == ["Punie wants to run `ls tests`. Allow it?"]
    assert "test_acme.py" in result.steps[0].stdout


async def test_a_command_the_user_denies_does_not_run(plumbing_model: Path, workspace: Path):
    async with editor_session(plumbing_model, workspace, NO_AUTO_ALLOW) as client:
        client.script.consent = "Deny"
        result = await chat(client, "Run ls on tests")
        prompts = client.script.prompts
    assert len(prompts) == 1
    error = result.steps[0].error
    assert error is not None
    assert error.type == "PermissionError"
    assert "command refused by user: ls tests" in error.message


async def test_a_typecheck_publishes_diagnostics_and_a_clean_recheck_clears_them(
    typecheck_model: Path, workspace: Path
):
    uri = (workspace / "acme" / "labels.py").resolve().as_uri()
    async with editor_session(typecheck_model, workspace, ONE_TURN) as client:
        first = await chat(client, "Run ty on .")
        published = list(client.diagnostics.get(uri, []))
        (workspace / "acme" / "labels.py").write_text(
            "def label(n: int) -> str:\n    return str(n)\n"
        )
        second = await chat(client, "Run ty on .")
        cleared = list(client.diagnostics.get(uri, []))
    assert _called(first, "typecheck")
    assert first.steps[0].stdout.startswith("1 type errors")
    assert [d.source for d in published] == ["ty"]
    assert second.steps[0].stdout.startswith("0 type errors")
    assert cleared == []
