"""Building the ``workspace/applyEdit`` that replaces a whole file's text."""

from pathlib import Path

from lsprotocol import types as lsp


def end_position(text: str) -> lsp.Position:
    """The position just after the last character of ``text`` (UTF-16 columns)."""
    lines = text.split("\n")
    last = lines[-1]
    return lsp.Position(len(lines) - 1, len(last.encode("utf-16-le")) // 2)


def replace_file_edit(
    target: Path, content: str, *, current: str | None, version: int | None
) -> lsp.WorkspaceEdit:
    """An edit that makes ``target`` hold ``content``.

    ``current`` is the text the editor has now (None when the file does not exist, in
    which case the edit creates it first); ``version`` pins the edit to the open
    document's version so a stale edit is rejected instead of overwriting newer text.
    """
    uri = target.as_uri()
    changes: list[lsp.TextDocumentEdit | lsp.CreateFile] = []
    if current is None:
        changes.append(
            lsp.CreateFile(
                uri=uri, options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=True)
            )
        )
    whole = lsp.Range(lsp.Position(0, 0), end_position(current or ""))
    changes.append(
        lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=[lsp.TextEdit(range=whole, new_text=content)],
        )
    )
    return lsp.WorkspaceEdit(document_changes=changes)
