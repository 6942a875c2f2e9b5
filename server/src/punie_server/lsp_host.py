"""The sandbox's callbacks, served by the editor on the other end of the LSP link.

``read_file`` prefers the editor's open (possibly unsaved) buffer; ``write_file``
becomes a ``workspace/applyEdit`` the editor may refuse, after asking the user first
when the file steers tools later; ``run_command`` asks for consent unless
auto-allowed and runs in the sandbox; ``typecheck`` runs ty there and publishes
diagnostics. The host never writes to disk itself while a client is attached.
"""

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from punie_sandbox.commands import command_text, is_allowed
from punie_sandbox.host import waiting_for_user
from punie_sandbox.isolation import Backend
from punie_sandbox.models import TypeCheckResult
from punie_sandbox.paths import read_text, resolve_inside, resolve_writable, steering_reason
from punie_sandbox.typecheck import run_ty
from punie_sandbox.worker import clip
from punie_server.commands import execute_command
from punie_server.diagnostics import DiagnosticsBook
from punie_server.edits import file_edit
from punie_server.protocol import RunCommandParams, Settings, steering_write_question

ALLOW, DENY = "Allow", "Deny"
# The editor may ask the user about a command or an edit; an unanswered request
# must not hold the turn (and the sandbox, whose clock pauses meanwhile) forever.
CONSENT_TIMEOUT_S = 120.0
# The most of an editor's reason for refusing an edit that goes back to the model.
MAX_REASON_CHARS = 500

T = TypeVar("T")


async def _answer_in_time(request: Awaitable[T], unanswered: str) -> T:
    """The editor's answer to ``request``; ``PermissionError(unanswered)`` if none comes
    within ``CONSENT_TIMEOUT_S``. The snippet's clock stops meanwhile: this is the
    user's time (the editor may ask them), not the snippet's."""
    with waiting_for_user():
        try:
            return await asyncio.wait_for(request, CONSENT_TIMEOUT_S)
        except TimeoutError:
            raise PermissionError(unanswered) from None


class LspHost:
    """A ``punie_sandbox.host.Host`` whose side effects go through the LSP client."""

    def __init__(
        self,
        server: LanguageServer,
        root: Path,
        settings: Settings,
        book: DiagnosticsBook,
        *,
        backend: Backend | None = None,
    ) -> None:
        self.server = server
        self.root = root
        self.settings = settings
        self.book = book
        self.backend = backend

    def open_document(self, target: Path) -> Any | None:
        """The editor's open document for ``target``, if it has one."""
        for uri, document in self.server.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path is not None and Path(path).resolve() == target:
                return document
        return None

    async def read_file(self, path: str) -> str:
        """The open buffer's text, else the file on disk, inside the workspace only."""
        target = resolve_inside(self.root, path)
        document = self.open_document(target)
        if document is not None:
            return document.source
        return read_text(target, path)

    async def write_file(self, path: str, content: str) -> None:
        """Ask the editor to make ``path`` hold ``content`` (it may refuse).

        The edit is computed against the open buffer (pinned to its version) or the file
        on disk; with ``approval.writes: ask`` the user reviews it before it lands, and a
        file that steers tools later is asked about first whatever that setting says
        (``confirm_steering_write``). Once it has landed the editor is asked to show the
        file.
        """
        target = resolve_writable(self.root, path)
        if target.is_dir():
            raise IsADirectoryError(f"is a directory: {path}")
        capabilities = self.server.client_capabilities.workspace
        if capabilities is None or not capabilities.apply_edit:
            raise PermissionError(
                "this editor does not support workspace/applyEdit, so Punie cannot write files"
            )
        document = self.open_document(target)
        if document is not None:
            current, version = document.source, document.version
        elif target.exists():
            current, version = read_text(target, path), None
        else:
            current, version = None, None
        if current == content:
            return
        steering = steering_reason(self.root, target)
        if steering is not None:
            await self.confirm_steering_write(path, steering)
        label = f"Punie: write {path}"
        review = self.settings.approval.writes == "ask"
        annotated = review and _supports_change_annotations(capabilities)
        if review and not annotated and steering is None:  # a steering write was just asked
            await self._confirm_write(path, created=current is None)
        edit = file_edit(
            target,
            content,
            current=current,
            version=version,
            codec=self.server.workspace.position_codec,
            review=label if annotated else None,
        )
        response = await _answer_in_time(
            self.server.workspace_apply_edit_async(
                lsp.ApplyWorkspaceEditParams(edit=edit, label=label)
            ),
            f"the editor did not answer the edit of {path}",
        )
        if not response.applied:
            reason = response.failure_reason or (
                "not applied (rejected, or the file changed since the edit was made)"
            )
            raise PermissionError(f"edit refused by editor: {clip(reason, MAX_REASON_CHARS)}")
        self._show(target)

    async def confirm_steering_write(self, path: str, reason: str) -> None:
        """Ask the user before writing ``path``, which steers tools later (``reason``);
        ``PermissionError`` unless they allow it. Asked whatever ``approval.writes`` says:
        such a file decides what runs the next time the user opens the folder or runs
        the tests, long after they looked at this edit."""
        request = lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=steering_write_question(path, reason),
            actions=[lsp.MessageActionItem(title=ALLOW), lsp.MessageActionItem(title=DENY)],
        )
        answer = await _answer_in_time(
            self.server.window_show_message_request_async(request),
            f"no answer to the request to write {path}",
        )
        if answer is None or answer.title != ALLOW:
            raise PermissionError(f"write refused by user: {path} ({reason})")

    async def _confirm_write(self, path: str, *, created: bool) -> None:
        """Ask before an edit the editor cannot show for review; ``PermissionError`` if not."""
        verb = "create" if created else "change"
        request = lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=f"Punie wants to {verb} {path}. Allow it?",
            actions=[lsp.MessageActionItem(title=ALLOW), lsp.MessageActionItem(title=DENY)],
        )
        answer = await _answer_in_time(
            self.server.window_show_message_request_async(request),
            f"no answer to the request to {verb} {path}",
        )
        if answer is None or answer.title != ALLOW:
            raise PermissionError(f"edit refused by user: {path}")

    def _show(self, target: Path) -> None:
        """Ask the editor to show a file that was just edited, without taking the focus
        from the chat (``window/showDocument``, when the editor supports it)."""
        window = self.server.client_capabilities.window
        if window is None or window.show_document is None or not window.show_document.support:
            return
        self.server.window_show_document(
            lsp.ShowDocumentParams(uri=target.as_uri(), take_focus=False)
        )

    async def run_command(self, command: str, args: list[str] | None = None) -> str:
        """Run a command through ``punie.runCommand`` once the user allows it."""
        params = RunCommandParams(command=command, args=list(args or []))
        result = await execute_command(
            params, self.root, self.settings, consent=self.consent, backend=self.backend
        )
        return command_text(result)

    async def consent(self, argv: list[str]) -> None:
        """Return if ``argv`` may run; raise ``PermissionError`` if not."""
        policy = self.settings.approval.commands
        shown = " ".join(argv)
        if policy == "deny":
            raise PermissionError(f"commands are disabled by the punie.approval setting: {shown}")
        if policy == "auto" or is_allowed(argv, self.settings.commands.auto_allow):
            return
        request = lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=f"Punie wants to run `{shown}`. Allow it?",
            actions=[lsp.MessageActionItem(title=ALLOW), lsp.MessageActionItem(title=DENY)],
        )
        answer = await _answer_in_time(
            self.server.window_show_message_request_async(request),
            f"no answer to the request to run `{shown}`",
        )
        if answer is None or answer.title != ALLOW:
            raise PermissionError(f"command refused by user: {shown}")

    async def typecheck(self, path: str = ".") -> TypeCheckResult:
        """Run ty on ``path`` and publish what it found as diagnostics."""
        return await typecheck_and_publish(
            self.server, self.root, self.book, path, backend=self.backend
        )


def _supports_change_annotations(workspace: lsp.WorkspaceClientCapabilities) -> bool:
    edit = workspace.workspace_edit
    return edit is not None and edit.change_annotation_support is not None


async def typecheck_and_publish(
    server: LanguageServer,
    root: Path,
    book: DiagnosticsBook,
    path: str,
    *,
    backend: Backend | None = None,
) -> TypeCheckResult:
    """Run ty on ``path`` (inside ``root``, in the sandbox) and publish/clear diagnostics."""
    checked = resolve_inside(root, path)
    result = await run_ty(root, path, backend=backend)
    for params in book.publications(result, checked):
        server.text_document_publish_diagnostics(params)
    return result
