"""Applying a server's ``workspace/applyEdit`` to files on disk (the CLI client's side).

An edit is planned first (every path checked to lie inside the workspace, every text
edit applied in memory) and written only when the whole plan holds, so a refused or
malformed edit leaves the disk untouched. Positions are read the way the server wrote
them (``punie_server.positions``, in the position encoding the two negotiated), and
files are read and written byte for byte (no newline translation).
"""

from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec

from punie_sandbox.paths import resolve_inside
from punie_server import positions


class EditError(ValueError):
    """An edit that cannot be applied; the message is the ``failureReason``."""


@dataclass(frozen=True)
class FileChange:
    """One file's text before (None: the file is new) and after an edit."""

    path: Path
    before: str | None
    after: str


def plan_workspace_edit(
    edit: lsp.WorkspaceEdit, root: Path, codec: PositionCodec
) -> list[FileChange]:
    """The file changes ``edit`` makes under ``root``, computed without touching disk;
    columns count ``codec``'s code units.

    Raises ``EditError`` for paths outside ``root``, resource operations other than
    creating a file, and creating a file that exists without ``overwrite`` or
    ``ignoreIfExists``.
    """
    texts: dict[Path, str] = {}
    originals: dict[Path, str | None] = {}

    def current(path: Path) -> str:
        if path not in texts:
            originals[path] = _read(path)
            if originals[path] is None:
                raise EditError(f"no such file: {path}")
            texts[path] = originals[path] or ""
        return texts[path]

    for change in _document_changes(edit):
        if isinstance(change, lsp.CreateFile):
            path = _inside(root, change.uri)
            exists = path in texts or path.exists()
            options = change.options or lsp.CreateFileOptions()
            if exists and not (options.overwrite or options.ignore_if_exists):
                raise EditError(f"file already exists: {path.relative_to(root.resolve())}")
            if path not in originals:
                originals[path] = _read(path)
            if not exists or options.overwrite:
                texts[path] = ""
            else:
                texts[path] = current(path)
        elif isinstance(change, lsp.TextDocumentEdit):
            path = _inside(root, change.text_document.uri)
            texts[path] = apply_text_edits(current(path), list(change.edits), codec)
        else:
            raise EditError(f"unsupported resource operation: {type(change).__name__}")
    return [FileChange(path, originals[path], text) for path, text in texts.items()]


def write_changes(changes: list[FileChange]) -> None:
    """Write every planned change to disk (creating parent directories)."""
    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        change.path.write_bytes(change.after.encode("utf-8"))


TextEditKind = lsp.TextEdit | lsp.AnnotatedTextEdit | lsp.SnippetTextEdit
DocumentChange = lsp.TextDocumentEdit | lsp.CreateFile | lsp.RenameFile | lsp.DeleteFile


def apply_text_edits(text: str, edits: list[TextEditKind], codec: PositionCodec) -> str:
    """``text`` with ``edits`` applied; ranges refer to the original text (LSP rules).

    Snippet edits (with placeholders for an interactive editor) are refused.
    """
    plain = []
    for edit in edits:
        if isinstance(edit, lsp.SnippetTextEdit):
            raise EditError("snippet text edits need an interactive editor")
        plain.append(lsp.TextEdit(range=edit.range, new_text=edit.new_text))
    try:
        return positions.apply_text_edits(text, plain, codec)
    except ValueError as error:
        raise EditError(str(error)) from None


def _document_changes(edit: lsp.WorkspaceEdit) -> list[DocumentChange]:
    if edit.document_changes is not None:
        return list(edit.document_changes)
    # The older ``changes`` map: uri -> edits on existing files.
    return [
        lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=list(edits),
        )
        for uri, edits in (edit.changes or {}).items()
    ]


def _inside(root: Path, uri: str) -> Path:
    path = to_fs_path(uri)
    if path is None:
        raise EditError(f"not a file URI: {uri}")
    try:
        return resolve_inside(root, path)
    except PermissionError as error:
        raise EditError(str(error)) from None


def _read(path: Path) -> str | None:
    if not path.exists():
        return None
    if not path.is_file():
        raise EditError(f"not a regular file: {path}")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        # Writing the edited text back would replace every undecodable byte.
        raise EditError(f"not UTF-8 text: {path}") from None
