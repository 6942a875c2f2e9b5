"""Applying a server's WorkspaceEdit to disk, as the CLI client does."""

import re
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from punie_server.disk_edits import (
    EditError,
    apply_text_edits,
    plan_workspace_edit,
    write_changes,
)

UTF16 = PositionCodec()


def whole_file_edit(path: Path, old: str, new: str, *, create: bool) -> lsp.WorkspaceEdit:
    lines = re.split(r"\r\n|\r|\n", old)
    end = lsp.Position(len(lines) - 1, len(lines[-1]))
    changes: list = []
    if create:
        changes.append(lsp.CreateFile(uri=path.as_uri()))
    changes.append(
        lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                uri=path.as_uri(), version=None
            ),
            edits=[lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), end), new_text=new)],
        )
    )
    return lsp.WorkspaceEdit(document_changes=changes)


def test_create_and_fill_a_new_file(tmp_path: Path):
    target = tmp_path / "notes" / "todo.txt"
    changes = plan_workspace_edit(
        whole_file_edit(target, "", "done\n", create=True), tmp_path, UTF16
    )
    write_changes(changes)
    assert target.read_text() == "done\n"
    assert changes[0].before is None


def test_replace_an_existing_file_whole(tmp_path: Path):
    target = tmp_path / "a.py"
    target.write_text("x = 1\ny = 2\n")
    edit = whole_file_edit(target, "x = 1\ny = 2\n", "z = 3\n", create=False)
    write_changes(plan_workspace_edit(edit, tmp_path, UTF16))
    assert target.read_text() == "z = 3\n"


def test_planning_does_not_touch_disk(tmp_path: Path):
    target = tmp_path / "new.txt"
    plan_workspace_edit(whole_file_edit(target, "", "hi", create=True), tmp_path, UTF16)
    assert not target.exists()


def test_a_path_outside_the_workspace_is_refused(tmp_path: Path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    outside = tmp_path / "evil.txt"
    with pytest.raises(EditError, match="outside the workspace"):
        plan_workspace_edit(whole_file_edit(outside, "", "pwned", create=True), workspace, UTF16)
    assert not outside.exists()


def test_a_symlink_pointing_out_of_the_workspace_is_refused(tmp_path: Path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (tmp_path / "secret.txt").write_text("keep")
    (workspace / "link.txt").symlink_to(tmp_path / "secret.txt")
    edit = whole_file_edit(workspace / "link.txt", "keep", "pwned", create=False)
    with pytest.raises(EditError, match="outside the workspace"):
        plan_workspace_edit(edit, workspace, UTF16)
    assert (tmp_path / "secret.txt").read_text() == "keep"


def test_creating_an_existing_file_without_options_is_refused(tmp_path: Path):
    (tmp_path / "a.txt").write_text("old")
    edit = lsp.WorkspaceEdit(document_changes=[lsp.CreateFile(uri=(tmp_path / "a.txt").as_uri())])
    with pytest.raises(EditError, match="already exists"):
        plan_workspace_edit(edit, tmp_path, UTF16)


def test_create_with_ignore_if_exists_keeps_the_text(tmp_path: Path):
    (tmp_path / "a.txt").write_text("old")
    create = lsp.CreateFile(
        uri=(tmp_path / "a.txt").as_uri(), options=lsp.CreateFileOptions(ignore_if_exists=True)
    )
    changes = plan_workspace_edit(lsp.WorkspaceEdit(document_changes=[create]), tmp_path, UTF16)
    assert changes[0].after == "old"


def test_delete_and_rename_are_refused(tmp_path: Path):
    (tmp_path / "a.txt").write_text("old")
    edit = lsp.WorkspaceEdit(document_changes=[lsp.DeleteFile(uri=(tmp_path / "a.txt").as_uri())])
    with pytest.raises(EditError, match="unsupported resource operation: DeleteFile"):
        plan_workspace_edit(edit, tmp_path, UTF16)
    assert (tmp_path / "a.txt").exists()


def test_editing_a_missing_file_without_create_is_refused(tmp_path: Path):
    edit = whole_file_edit(tmp_path / "missing.txt", "", "x", create=False)
    with pytest.raises(EditError, match="no such file"):
        plan_workspace_edit(edit, tmp_path, UTF16)


def test_the_changes_map_form_is_applied(tmp_path: Path):
    target = tmp_path / "a.txt"
    target.write_text("hello world")
    edit = lsp.WorkspaceEdit(
        changes={
            target.as_uri(): [
                lsp.TextEdit(
                    range=lsp.Range(lsp.Position(0, 6), lsp.Position(0, 11)), new_text="acme"
                )
            ]
        }
    )
    write_changes(plan_workspace_edit(edit, tmp_path, UTF16))
    assert target.read_text() == "hello acme"


def test_several_text_edits_apply_against_the_original_text():
    edits = [
        lsp.TextEdit(range=lsp.Range(lsp.Position(1, 0), lsp.Position(1, 1)), new_text="B"),
        lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 1)), new_text="A"),
    ]
    assert apply_text_edits("a\nb\n", list(edits), UTF16) == "A\nB\n"


def test_overlapping_text_edits_are_refused():
    edits = [
        lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 3)), new_text="x"),
        lsp.TextEdit(range=lsp.Range(lsp.Position(0, 1), lsp.Position(0, 2)), new_text="y"),
    ]
    with pytest.raises(EditError, match="overlap"):
        apply_text_edits("abcd", list(edits), UTF16)


def test_a_file_keeps_its_line_ends_and_form_feeds_byte_for_byte(tmp_path: Path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"\f\r\nb = 2\rc\n")
    edit = whole_file_edit(target, "\f\r\nb = 2\rc\n", "new\n", create=False)
    write_changes(plan_workspace_edit(edit, tmp_path, UTF16))
    assert target.read_bytes() == b"new\n"


def test_columns_count_the_negotiated_encoding(tmp_path: Path):
    target = tmp_path / "a.txt"
    target.write_text("# café")
    end = lsp.Position(0, 7)  # UTF-8 bytes; in UTF-16 units this would be 6
    edit = lsp.WorkspaceEdit(changes={target.as_uri(): [lsp.TextEdit(lsp.Range(end, end), "!")]})
    utf8 = PositionCodec(lsp.PositionEncodingKind.Utf8)
    write_changes(plan_workspace_edit(edit, tmp_path, utf8))
    assert target.read_text() == "# café!"


def test_a_file_that_is_not_utf8_is_not_rewritten(tmp_path: Path):
    target = tmp_path / "latin1.txt"
    target.write_bytes(b"caf\xe9\n")
    edit = whole_file_edit(target, "caf?\n", "x\n", create=False)
    with pytest.raises(EditError, match="not UTF-8 text"):
        plan_workspace_edit(edit, tmp_path, UTF16)
