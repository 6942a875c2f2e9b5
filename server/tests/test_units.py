"""The server's plain modules, without a client."""

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from punie_sandbox.commands import command_text
from punie_sandbox.models import CommandResult, TypeCheckError, TypeCheckResult
from punie_server.diagnostics import DiagnosticsBook, to_diagnostic
from punie_server.edits import REVIEW_ANNOTATION, file_edit
from punie_server.generation import common_prefix
from punie_server.protocol import Settings
from punie_server.sessions import SessionStore
from punie_server.settings import SettingsError, merge_settings

UTF16 = PositionCodec()


def test_common_prefix_counts_equal_leading_tokens():
    assert common_prefix([1, 2, 3, 4], [1, 2, 9]) == 2
    assert common_prefix([], [1]) == 0
    assert common_prefix([1, 2], [1, 2, 3]) == 2


def test_a_new_file_edit_creates_then_fills_the_file(tmp_path: Path):
    edit = file_edit(tmp_path / "new.txt", "hi\n", current=None, version=None, codec=UTF16)
    assert edit.document_changes is not None
    create, fill = edit.document_changes
    assert isinstance(create, lsp.CreateFile)
    assert isinstance(fill, lsp.TextDocumentEdit)
    assert isinstance(fill.edits[0], lsp.TextEdit)
    assert fill.edits[0].new_text == "hi\n"
    assert fill.edits[0].range == lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))


def test_an_open_file_edit_changes_the_buffer_at_its_version(tmp_path: Path):
    edit = file_edit(tmp_path / "a.py", "new\n", current="old\ntext", version=7, codec=UTF16)
    assert edit.document_changes is not None
    (only,) = edit.document_changes
    assert isinstance(only, lsp.TextDocumentEdit)
    assert only.text_document.version == 7
    assert only.edits[0].range.end == lsp.Position(1, 4)


def test_an_edit_under_review_carries_an_annotation_that_needs_confirmation(tmp_path: Path):
    edit = file_edit(
        tmp_path / "new.txt", "hi\n", current=None, version=None, codec=UTF16, review="Punie"
    )
    assert edit.change_annotations == {
        REVIEW_ANNOTATION: lsp.ChangeAnnotation(label="Punie", needs_confirmation=True)
    }
    create, fill = edit.document_changes or []
    assert isinstance(create, lsp.CreateFile)
    assert create.annotation_id == REVIEW_ANNOTATION
    assert isinstance(fill, lsp.TextDocumentEdit)
    assert all(
        isinstance(e, lsp.AnnotatedTextEdit) and e.annotation_id == REVIEW_ANNOTATION
        for e in fill.edits
    )


def _result(*files: str) -> TypeCheckResult:
    errors = [
        TypeCheckError(
            file=f, line=2, column=5, severity="error", code="invalid-return-type", message="m"
        )
        for f in files
    ]
    return TypeCheckResult(
        success=not errors, error_count=len(errors), warning_count=0, errors=errors
    )


def test_ty_errors_become_zero_based_lsp_diagnostics():
    diagnostic = to_diagnostic(_result("a.py").errors[0])
    assert diagnostic.range.start == lsp.Position(1, 4)
    assert diagnostic.source == "ty"
    assert diagnostic.code == "invalid-return-type"
    assert diagnostic.severity == lsp.DiagnosticSeverity.Error


def test_a_file_that_became_clean_gets_an_empty_publication(tmp_path: Path):
    book = DiagnosticsBook(tmp_path)
    first = book.publications(_result("a.py", "b.py"), tmp_path)
    second = book.publications(_result("b.py"), tmp_path)
    assert len(first) == 2
    cleared = [p for p in second if not p.diagnostics]
    assert [p.uri for p in cleared] == [(tmp_path / "a.py").as_uri()]


def test_checking_one_file_does_not_clear_the_others(tmp_path: Path):
    book = DiagnosticsBook(tmp_path)
    book.publications(_result("a.py", "b.py"), tmp_path)
    after = book.publications(_result(), tmp_path / "a.py")
    assert [p.uri for p in after] == [(tmp_path / "a.py").as_uri()]


def test_command_text_marks_truncation_and_failure():
    assert command_text(CommandResult(exit_code=0, output="ok")) == "ok"
    text = command_text(CommandResult(exit_code=2, output="x", truncated=True))
    assert text == "x\n[output truncated]\n[exit 2]"


def test_settings_merge_deeply_and_name_bad_fields():
    merged = merge_settings(Settings(), {"sandbox": {"timeoutS": 3}, "maxTurns": 2})
    assert merged.sandbox.timeout_s == 3
    assert merged.sandbox.memory_mb == Settings().sandbox.memory_mb
    with pytest.raises(SettingsError, match="maxTurns"):
        merge_settings(Settings(), {"maxTurns": "many"})


def test_sessions_are_created_continued_and_reset():
    store = SessionStore()
    session = store.get_or_create(None)
    assert store.get_or_create(session.id) is session
    assert store.reset(session.id)
    with pytest.raises(KeyError, match=session.id):
        store.get_or_create(session.id)


def test_a_new_session_starts_with_the_generated_system_prompt():
    from punie_sandbox.prompt import system_prompt

    session = SessionStore().get_or_create(None)
    assert session.messages == [{"role": "system", "content": system_prompt()}]
