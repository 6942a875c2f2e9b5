"""Building the ``workspace/applyEdit`` that makes a file hold new text."""

from pathlib import Path

from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from punie_server.positions import line_edits

# The one change annotation of a Punie edit: shown to the user to confirm (VS Code's
# refactor preview, Neovim's review) before the edit lands.
REVIEW_ANNOTATION = "punie.review"


def file_edit(
    target: Path,
    content: str,
    *,
    current: str | None,
    version: int | None,
    codec: PositionCodec,
    review: str | None = None,
) -> lsp.WorkspaceEdit:
    """An edit that makes ``target`` hold ``content``, changing only the lines that differ.

    ``current`` is the text the editor has now (None when the file does not exist, in
    which case the edit creates it first); ``version`` pins the edit to the open
    document's version so an edit computed from text the buffer no longer holds is
    refused instead of applied. ``review``, when given, is the label of a change
    annotation that asks the user to confirm the edit before it lands.
    """
    uri = target.as_uri()
    annotation_id = REVIEW_ANNOTATION if review is not None else None
    changes: list[lsp.TextDocumentEdit | lsp.CreateFile] = []
    if current is None:
        changes.append(
            lsp.CreateFile(
                uri=uri,
                options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=True),
                annotation_id=annotation_id,
            )
        )
    edits = line_edits(current or "", content, codec)
    if edits:
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=[
                    edit
                    if annotation_id is None
                    else lsp.AnnotatedTextEdit(
                        range=edit.range, new_text=edit.new_text, annotation_id=annotation_id
                    )
                    for edit in edits
                ],
            )
        )
    annotations = None
    if review is not None:
        annotations = {
            REVIEW_ANNOTATION: lsp.ChangeAnnotation(label=review, needs_confirmation=True)
        }
    return lsp.WorkspaceEdit(document_changes=changes, change_annotations=annotations)
