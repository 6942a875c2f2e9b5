"""Writes through the real ``punie serve``: every edit is computed against what the
editor holds (its open buffer, whatever the language, else the file), in the position
encoding the editor negotiated, and makes the file hold exactly what the snippet wrote.

A scripted model (``edit_model``) runs ``write_file`` with a path and text the test
chooses, so random texts reach the real server, sandbox and LSP host; this client
plays the editor and applies each edit with ``tests.texts.apply_lsp_edits``, written
from the LSP specification alone.
"""

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from punie_server.edits import REVIEW_ANNOTATION
from tests.acme import write_workspace
from tests.scripted_model import write_edit_request
from tests.server.conftest import EditorClient, capabilities, chat, editor_session
from tests.texts import apply_lsp_edits, text_pairs

ONE_TURN_AUTO = {"maxTurns": 1, "approval": {"writes": "auto"}}
ONE_TURN_ASK = {"maxTurns": 1}
ENCODINGS = [lsp.PositionEncodingKind.Utf8, lsp.PositionEncodingKind.Utf16]


@dataclass
class Editor:
    """One server session shared by every example of an encoding."""

    client: EditorClient
    workspace: Path
    encoding: str
    names: "count[int]" = field(default_factory=count)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=ENCODINGS)
async def editor(
    request: pytest.FixtureRequest, edit_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncGenerator[Editor]:
    workspace = write_workspace(tmp_path_factory.mktemp("ws"))
    encoding = request.param
    async with editor_session(
        edit_model, workspace, ONE_TURN_AUTO, capabilities(encoding=encoding)
    ) as client:
        yield Editor(client, workspace, encoding)


def _open(client: EditorClient, uri: str, text: str, version: int) -> None:
    item = lsp.TextDocumentItem(uri=uri, language_id="plaintext", version=version, text=text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))


def _close(client: EditorClient, uri: str) -> None:
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri=uri))
    )


def _applied(edit: lsp.WorkspaceEdit, base: str, encoding: str) -> tuple[str, list]:
    """What the edit makes of ``base``, and the versions its document edits carry."""
    text, versions = base, []
    for change in edit.document_changes or []:
        if isinstance(change, lsp.TextDocumentEdit):
            versions.append(change.text_document.version)
            text = apply_lsp_edits(text, list(change.edits), encoding)
    return text, versions


@pytest.mark.asyncio(loop_scope="module")
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pair=text_pairs(), where=st.sampled_from(["open", "disk", "new"]))
async def test_a_write_makes_the_document_hold_the_text_byte_for_byte(
    editor: Editor, pair: tuple[str, str], where: str
):
    old, new = pair
    if where == "new":
        old = ""
    name = f"doc-{next(editor.names)}.txt"
    target = editor.workspace / name
    uri = target.resolve().as_uri()
    if where == "open":
        target.write_text("what the disk holds is not what the editor holds\n")
        _open(editor.client, uri, old, version=5)
    elif where == "disk":
        target.write_bytes(old.encode("utf-8"))
    write_edit_request(editor.workspace, name, new)
    editor.client.script.edits.clear()

    result = await chat(editor.client, "write it")
    if where == "open":
        _close(editor.client, uri)

    assert result.steps[0].ok, result.steps[0]
    edits = editor.client.script.edits
    if old == new and where != "new":
        assert edits == []  # nothing to change: no edit at all
        return
    (params,) = edits
    landed, versions = _applied(params.edit, old, editor.encoding)
    assert landed.encode("utf-8") == new.encode("utf-8")
    assert versions in ([5] if where == "open" else [None], [])


async def test_a_write_to_an_open_unsaved_text_file_is_computed_against_its_buffer(
    edit_model: Path, workspace: Path
):
    uri = (workspace / "notes.txt").resolve().as_uri()
    unsaved = "saved words\nthree\nunsaved\nlines\n"
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN_AUTO) as client:
        _open(client, uri, unsaved, version=9)
        await chat(client, "write it")
        (params,) = client.script.edits
    assert _applied(params.edit, unsaved, "utf-16") == ("done\n", [9])
    assert (workspace / "notes.txt").read_text() == "saved words\n"


async def test_with_review_the_edit_needs_the_users_confirmation(edit_model: Path, workspace: Path):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN_ASK) as client:
        await chat(client, "write it")
        (params,) = client.script.edits
    annotations = params.edit.change_annotations or {}
    assert annotations[REVIEW_ANNOTATION].needs_confirmation is True
    assert annotations[REVIEW_ANNOTATION].label == "Punie: write notes.txt"
    (change,) = params.edit.document_changes or []
    assert isinstance(change, lsp.TextDocumentEdit)
    assert all(getattr(e, "annotation_id", None) == REVIEW_ANNOTATION for e in change.edits)


async def test_with_auto_approval_the_edit_applies_without_review(
    edit_model: Path, workspace: Path
):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN_AUTO) as client:
        await chat(client, "write it")
        (params,) = client.script.edits
        prompts = client.script.prompts
    assert params.edit.change_annotations is None
    assert prompts == []


async def test_an_editor_that_cannot_review_is_asked_first_and_a_no_writes_nothing(
    edit_model: Path, workspace: Path
):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(
        edit_model, workspace, ONE_TURN_ASK, capabilities(review=False)
    ) as client:
        client.script.consent = "Deny"
        result = await chat(client, "write it")
        prompts = [prompt.message for prompt in client.script.prompts]
        edits = client.script.edits
    assert prompts == ["Punie wants to change notes.txt. Allow it?"]
    assert edits == []
    error = result.steps[0].error
    assert error is not None
    assert error.type == "PermissionError"
    assert error.message.endswith("edit refused by user: notes.txt")


async def test_an_edit_that_landed_is_shown_in_the_editor(edit_model: Path, workspace: Path):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN_AUTO) as client:
        await chat(client, "write it")
        shown = list(client.shown_documents)
    assert [(d.uri, d.take_focus) for d in shown] == [
        ((workspace / "notes.txt").resolve().as_uri(), False)
    ]


async def test_a_rejected_edit_is_a_permission_error_and_is_not_shown(
    edit_model: Path, workspace: Path
):
    write_edit_request(workspace, "notes.txt", "done\n")
    async with editor_session(edit_model, workspace, ONE_TURN_ASK) as client:
        client.script.accept_edits = False
        result = await chat(client, "write it")
        shown = list(client.shown_documents)
    error = result.steps[0].error
    assert error is not None
    assert error.type == "PermissionError"
    assert error.message.endswith("edit refused by editor: user said no")
    assert shown == []


@pytest.mark.parametrize("path", [".vscode/tasks.json", "tests/conftest.py", ".envrc"])
async def test_a_write_that_steers_tools_later_asks_even_with_writes_on_auto(
    edit_model: Path, workspace: Path, path: str
):
    write_edit_request(workspace, path, '{"tasks": []}\n')
    async with editor_session(edit_model, workspace, ONE_TURN_AUTO) as client:
        client.script.consent = "Deny"
        result = await chat(client, "write it")
        prompts = [prompt.message for prompt in client.script.prompts]
        edits = client.script.edits
    assert len(prompts) == 1
    assert prompts[0].startswith(f"Punie wants to write {path}, which steers tools later: ")
    assert edits == []
    error = result.steps[0].error
    assert error is not None
    assert error.type == "PermissionError"
    assert f"write refused by user: {path}" in error.message
    assert not (workspace / path).exists()


async def test_a_steering_write_the_user_allows_is_asked_once_and_lands(
    edit_model: Path, workspace: Path
):
    write_edit_request(workspace, ".envrc", "export A=1\n")
    async with editor_session(
        edit_model, workspace, ONE_TURN_ASK, capabilities(review=False)
    ) as client:
        result = await chat(client, "write it")
        prompts = [prompt.message for prompt in client.script.prompts]
        edits = client.script.edits
    assert result.steps[0].ok, result.steps[0]
    assert len(prompts) == 1  # the steering question stands for the write's review too
    assert len(edits) == 1
