"""An editor stand-in for driving ``LspHost`` directly with known snippets: real
pygls documents, applyEdit applied (or refused) the way an editor does, consent
answered per script. Fault tests use it so the snippet, not a model, decides what runs."""

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import Workspace

from punie_server.diagnostics import DiagnosticsBook
from punie_server.lsp_host import LspHost
from punie_server.protocol import Settings
from tests.texts import apply_lsp_edits


@dataclass
class Editor:
    """What ``LspHost`` needs from a language server, answered like an editor would.

    ``accept_edits`` False refuses every edit, None never answers one; ``consent``
    None never answers a ``showMessageRequest``; ``typing_during_edit`` changes the
    open buffer while an edit is in flight (so the edit's version is stale when it arrives).
    """

    root: Path
    accept_edits: bool | None = True
    consent: str | None = "Allow"
    typing_during_edit: str | None = None
    edits: list[lsp.ApplyWorkspaceEditParams] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    published: list[lsp.PublishDiagnosticsParams] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workspace = Workspace(self.root.as_uri())
        self.client_capabilities = lsp.ClientCapabilities(
            workspace=lsp.WorkspaceClientCapabilities(
                apply_edit=True,
                workspace_edit=lsp.WorkspaceEditClientCapabilities(
                    document_changes=True,
                    change_annotation_support=lsp.ChangeAnnotationsSupportOptions(),
                ),
            )
        )

    def host(self, settings: Settings | None = None) -> LspHost:
        """An ``LspHost`` talking to this editor."""
        book = DiagnosticsBook(self.root)
        server = cast(LanguageServer, self)  # duck-typed: the parts LspHost uses
        return LspHost(server, self.root, settings or Settings(), book)

    def open(self, relative: str, text: str, version: int = 1) -> str:
        """Open ``relative`` with (unsaved) ``text``; returns its URI."""
        uri = (self.root / relative).resolve().as_uri()
        self.workspace.put_text_document(
            lsp.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
        return uri

    def type_into(self, uri: str, text: str) -> None:
        """The user replaces the buffer's text (a full-content didChange)."""
        document = self.workspace.get_text_document(uri)
        self.workspace.update_text_document(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=(document.version or 0) + 1),
            lsp.TextDocumentContentChangeWholeDocument(text=text),
        )

    async def workspace_apply_edit_async(
        self, params: lsp.ApplyWorkspaceEditParams
    ) -> lsp.ApplyWorkspaceEditResult:
        """Apply the edit to the open buffer (version checked) or to disk."""
        self.edits.append(params)
        if self.accept_edits is None:
            await asyncio.Event().wait()
        if not self.accept_edits:
            return self._reject("user refused")
        changes: list[Any] = list(params.edit.document_changes or [])
        for change in changes:
            if isinstance(change, lsp.TextDocumentEdit):
                uri = change.text_document.uri
                if self.typing_during_edit is not None and uri in self.workspace.text_documents:
                    self.type_into(uri, self.typing_during_edit)
                open_doc = self.workspace.text_documents.get(uri)
                if open_doc is not None and change.text_document.version != open_doc.version:
                    return self._reject(
                        f"version {change.text_document.version} is stale "
                        f"(buffer is at {open_doc.version})"
                    )
        self._apply(changes)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    def _apply(self, changes: list[Any]) -> None:
        for change in changes:
            if isinstance(change, lsp.CreateFile):
                path = Path(to_fs_path(change.uri) or "")
                if not path.exists():
                    path.write_text("")
            elif isinstance(change, lsp.TextDocumentEdit):
                uri = change.text_document.uri
                edits = list(change.edits)
                if uri in self.workspace.text_documents:
                    source = self.workspace.get_text_document(uri).source
                    self.type_into(uri, apply_lsp_edits(source, edits, "utf-16"))
                else:
                    path = Path(to_fs_path(uri) or "")
                    text = path.read_bytes().decode()
                    path.write_bytes(apply_lsp_edits(text, edits, "utf-16").encode())

    def _reject(self, reason: str) -> lsp.ApplyWorkspaceEditResult:
        self.rejected.append(reason)
        return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason=reason)

    async def window_show_message_request_async(
        self, params: lsp.ShowMessageRequestParams
    ) -> lsp.MessageActionItem | None:
        """Answer a consent prompt per ``consent`` (None: never answer)."""
        self.prompts.append(params.message)
        if self.consent is None:
            await asyncio.Event().wait()
        return lsp.MessageActionItem(title=self.consent or "")

    def text_document_publish_diagnostics(self, params: lsp.PublishDiagnosticsParams) -> None:
        """Keep what was published."""
        self.published.append(params)
