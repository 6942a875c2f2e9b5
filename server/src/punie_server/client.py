"""The LSP client behind ``punie ask``, ``punie chat`` and ``punie eval``.

It starts ``punie serve`` as a subprocess over stdio, initializes it with the
workspace as root, and plays the editor's part: applies (or refuses) the server's
``workspace/applyEdit`` on disk, answers consent requests and configuration requests,
collects published diagnostics and forwards streamed ``$/progress`` values. The
server process never outlives the client.
"""

import asyncio
import contextlib
import sys
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from lsprotocol import types as lsp
from pydantic import Field, TypeAdapter
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled
from pygls.lsp.client import LanguageClient
from pygls.protocol import JsonRPCResponseMessage, default_converter
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec

from punie_server import __version__
from punie_server.consent import Approver
from punie_server.disk_edits import EditError, plan_workspace_edit, write_changes
from punie_server.protocol import (
    CHAT,
    RESET,
    STATUS,
    ChatParams,
    ChatResult,
    CodeProgress,
    ResetParams,
    StatusResult,
    Step,
    StepProgress,
    TextProgress,
    is_steering_write_question,
)

ALLOW, DENY = "Allow", "Deny"
SHUTDOWN_TIMEOUT_S = 10.0
STDERR_TAIL_LINES = 40
STDERR_LINE_BYTES = 2000
STDERR_CHUNK = 65536

_PROGRESS: TypeAdapter[TextProgress | CodeProgress | StepProgress] = TypeAdapter(
    Annotated[TextProgress | CodeProgress | StepProgress, Field(discriminator="kind")]
)


class ServerError(RuntimeError):
    """The server failed: it exited, or answered a request with an error."""


class TurnCancelledError(RuntimeError):
    """The chat request was cancelled (the server answered ``RequestCancelled``)."""


class Events:
    """What the client reports while a turn runs; override the parts you show."""

    def on_text(self, delta: str) -> None:
        """A streamed piece of the reply."""

    def on_code(self, code: str) -> None:
        """The snippet about to run."""

    def on_step(self, step: Step) -> None:
        """A snippet that finished running."""

    def on_activity(self, message: str) -> None:
        """Work-done progress text ("Thinking…", "Running code…")."""

    def on_diagnostics(self, path: Path, diagnostics: list[lsp.Diagnostic]) -> None:
        """The server published (or cleared) diagnostics for ``path``."""

    def on_message(self, message: str) -> None:
        """A ``window/showMessage`` notification."""

    def on_edit(self, label: str, applied: bool, reason: str) -> None:
        """An edit the server asked for was applied, or refused with ``reason``."""


def _raw_results_converter() -> Any:
    """pygls's converter, except results of custom requests stay plain JSON (validated
    by pydantic here) instead of becoming pygls's namedtuples."""
    converter = default_converter()

    def keep(obj: dict[str, Any], cls: type) -> Any:
        return cls(**obj)

    converter.register_structure_hook(JsonRPCResponseMessage, keep)
    return converter


def server_command(model: str | None) -> list[str]:
    """The command line that starts ``punie serve`` with this interpreter."""
    command = [sys.executable, "-m", "punie_server.cli", "serve"]
    if model is not None:
        # The server runs in the workspace, so a model directory given relative to
        # where the user typed the command must be made absolute (else: a hub id).
        local = Path(model).expanduser()
        command += ["--model", str(local.resolve()) if local.exists() else model]
    return command


def client_capabilities() -> lsp.ClientCapabilities:
    """What this client supports: applyEdit with document changes, file creation and
    change annotations (every edit is reviewed by the approver), UTF-8 or UTF-16 columns,
    configuration, work-done progress, consent requests and diagnostics."""
    return lsp.ClientCapabilities(
        general=lsp.GeneralClientCapabilities(
            position_encodings=[lsp.PositionEncodingKind.Utf8, lsp.PositionEncodingKind.Utf16]
        ),
        workspace=lsp.WorkspaceClientCapabilities(
            apply_edit=True,
            workspace_edit=lsp.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[lsp.ResourceOperationKind.Create],
                failure_handling=lsp.FailureHandlingKind.Abort,
                change_annotation_support=lsp.ChangeAnnotationsSupportOptions(),
            ),
            configuration=True,
            workspace_folders=True,
        ),
        window=lsp.WindowClientCapabilities(
            work_done_progress=True,
            show_message=lsp.ShowMessageRequestClientCapabilities(
                message_action_item=lsp.ClientShowMessageActionItemOptions(
                    additional_properties_support=False
                )
            ),
        ),
        text_document=lsp.TextDocumentClientCapabilities(
            publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(),
        ),
    )


class PunieClient:
    """One ``punie serve`` subprocess and the LSP session with it.

    Use as ``async with PunieClient(...) as client:``; leaving the block shuts the
    server down (and kills it if it does not exit in time).
    """

    def __init__(
        self,
        workspace: Path,
        *,
        approver: Approver,
        events: Events | None = None,
        model: str | None = None,
        settings: dict[str, Any] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.workspace = workspace.resolve()
        self.approver = approver
        self.events = events or Events()
        self.settings = settings or {}
        self.command = command or server_command(model)
        self.diagnostics: dict[Path, list[lsp.Diagnostic]] = {}
        self._stderr: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self._tasks: list[asyncio.Task[None]] = []
        self._partial_tokens: set[str] = set()
        self._work_tokens: set[str] = set()
        self._chat_id: str | None = None
        # The server's answer to initialize says which encoding its columns count.
        self.codec = PositionCodec()
        self._lsp = LanguageClient(
            "punie-cli", __version__, converter_factory=_raw_results_converter
        )
        self._register_handlers()

    async def __aenter__(self) -> "PunieClient":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> lsp.InitializeResult:
        """Start the server process and run the ``initialize`` handshake."""
        # A session of its own: Ctrl-C in the terminal reaches the client (which
        # cancels the turn), not the server.
        await self._lsp.start_io(*self.command, cwd=str(self.workspace), start_new_session=True)
        process = self._process
        if process is not None and process.stderr is not None:
            self._tasks.append(asyncio.create_task(self._drain_stderr(process.stderr)))
        uri = self.workspace.as_uri()
        params = lsp.InitializeParams(
            capabilities=client_capabilities(),
            process_id=None,
            client_info=lsp.ClientInfo(name="punie-cli", version=__version__),
            root_uri=uri,
            root_path=str(self.workspace),
            workspace_folders=[lsp.WorkspaceFolder(uri=uri, name=self.workspace.name)],
            initialization_options=self.settings or None,
        )
        result = await self._request(self._lsp.initialize_async(params))
        self.codec = PositionCodec(result.capabilities.position_encoding)
        self._lsp.initialized(lsp.InitializedParams())
        return result

    async def close(self) -> None:
        """Shut the server down cleanly; kill it if it does not exit in time."""
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._lsp.shutdown_async(None), SHUTDOWN_TIMEOUT_S)
                self._lsp.exit(None)
            try:
                await asyncio.wait_for(process.wait(), SHUTDOWN_TIMEOUT_S)
            except TimeoutError:
                process.kill()
                await process.wait()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._lsp.stop(), SHUTDOWN_TIMEOUT_S)
        for task in self._tasks:
            task.cancel()

    def kill(self) -> None:
        """Kill the server process at once (last resort, e.g. on interpreter exit)."""
        process = self._process
        if process is not None and process.returncode is None:
            process.kill()

    @property
    def alive(self) -> bool:
        """Whether the server process is still running."""
        process = self._process
        return process is not None and process.returncode is None

    @property
    def stderr_tail(self) -> str:
        """The last lines the server wrote to stderr (for error messages)."""
        return "\n".join(self._stderr)

    # -- requests ------------------------------------------------------------------

    async def chat(self, message: str, session_id: str | None = None) -> ChatResult:
        """Send one ``punie/chat`` with fresh progress tokens; stream into the events.

        Raises ``TurnCancelledError`` after ``cancel()``, ``ServerError`` for error answers.
        """
        partial, work = f"p-{uuid.uuid4()}", f"w-{uuid.uuid4()}"
        params = ChatParams(
            message=message,
            session_id=session_id,
            partial_result_token=partial,
            work_done_token=work,
        )
        self._partial_tokens.add(partial)
        self._work_tokens.add(work)
        self._chat_id = msg_id = str(uuid.uuid4())
        try:
            raw = await self._request(
                self._lsp.protocol.send_request_async(
                    CHAT, params.model_dump(mode="json", by_alias=True, exclude_none=True), msg_id
                )
            )
        finally:
            self._chat_id = None
            self._partial_tokens.discard(partial)
            self._work_tokens.discard(work)
        return ChatResult.model_validate(raw)

    def cancel(self) -> bool:
        """Send ``$/cancelRequest`` for the running chat; False if none is running."""
        if self._chat_id is None:
            return False
        self._lsp.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=self._chat_id))
        return True

    async def status(self) -> StatusResult:
        """``punie/status``."""
        raw = await self._request(self._lsp.protocol.send_request_async(STATUS, {}))
        return StatusResult.model_validate(raw)

    async def reset(self, session_id: str) -> None:
        """``punie/reset``: the server forgets the session."""
        params = ResetParams(session_id=session_id).to_wire()
        await self._request(self._lsp.protocol.send_request_async(RESET, params))

    async def _request(self, pending: Any) -> Any:
        try:
            return await pending
        except JsonRpcRequestCancelled:
            raise TurnCancelledError("cancelled") from None
        except JsonRpcException as error:
            raise ServerError(error.message or str(error)) from None
        except (RuntimeError, ConnectionError, BrokenPipeError) as error:
            # The server process died: pygls fails pending requests with RuntimeError.
            raise ServerError(await self._death_message(str(error))) from None

    async def _death_message(self, reason: str) -> str:
        # The stderr pipe reaches EOF when the process is gone; let the drain finish so
        # the message carries the server's last words.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*self._tasks), 2.0)
        tail = self.stderr_tail
        return f"{reason}\n--- server stderr ---\n{tail}" if tail else reason

    @property
    def _process(self) -> asyncio.subprocess.Process | None:
        return self._lsp._server

    async def _drain_stderr(self, stream: asyncio.StreamReader) -> None:
        # Keep the pipe flowing (a full pipe would block the server) and keep a tail of
        # its lines, each cut short: read in chunks, since one endless line would make
        # readline fail (and the drain stop).
        partial = b""
        while chunk := await stream.read(STDERR_CHUNK):
            *lines, partial = (partial + chunk).split(b"\n")
            partial = partial[-STDERR_LINE_BYTES:]
            for line in lines:
                self._stderr.append(_tail_line(line))
        if partial:
            self._stderr.append(_tail_line(partial))

    # -- server → client -------------------------------------------------------------

    def _register_handlers(self) -> None:
        handlers: dict[str, Callable[[Any], Any]] = {
            lsp.WORKSPACE_APPLY_EDIT: self.on_apply_edit,
            lsp.WINDOW_SHOW_MESSAGE_REQUEST: self.on_show_message_request,
            lsp.WORKSPACE_CONFIGURATION: self.on_configuration,
            lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: self.on_publish_diagnostics,
            lsp.PROGRESS: self.on_progress,
            lsp.WINDOW_WORK_DONE_PROGRESS_CREATE: self.on_work_done_progress_create,
            lsp.WINDOW_SHOW_MESSAGE: self.on_show_message,
            lsp.WINDOW_LOG_MESSAGE: self.on_log_message,
        }
        for method, handler in handlers.items():
            self._lsp.feature(method)(_plain(handler))

    def on_apply_edit(self, params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        """Plan the edit, ask the approver, write it to disk if approved."""
        label = params.label or "Punie: edit"
        try:
            changes = plan_workspace_edit(params.edit, self.workspace, self.codec)
        except EditError as error:
            self.events.on_edit(label, False, str(error))
            return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason=str(error))
        decision = self.approver.approve_edit(label, changes)
        if not decision.approved:
            self.events.on_edit(label, False, decision.reason)
            return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason=decision.reason)
        try:
            write_changes(changes)
        except OSError as error:
            self.events.on_edit(label, False, str(error))
            return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason=str(error))
        self.events.on_edit(label, True, "")
        return lsp.ApplyWorkspaceEditResult(applied=True)

    def on_show_message_request(
        self, params: lsp.ShowMessageRequestParams
    ) -> lsp.MessageActionItem | None:
        """Consent: "Allow" when the approver agrees and the server offers it, else "Deny"."""
        titles = [action.title for action in params.actions or []]
        if ALLOW not in titles:
            self.events.on_message(params.message)
            return None
        if is_steering_write_question(params.message):
            decision = self.approver.approve_steering_write(params.message)
        else:
            decision = self.approver.approve_command(params.message)
        answer = ALLOW if decision.approved else DENY
        return lsp.MessageActionItem(title=answer) if answer in titles else None

    def on_configuration(self, params: lsp.ConfigurationParams) -> list[Any]:
        """The ``punie`` section is this client's settings; other sections are unset."""
        return [self.settings if item.section == "punie" else None for item in params.items]

    def on_publish_diagnostics(self, params: lsp.PublishDiagnosticsParams) -> None:
        """Remember the file's diagnostics (an empty list clears them)."""
        fs_path = to_fs_path(params.uri)
        if fs_path is None:
            return
        path = Path(fs_path)
        if params.diagnostics:
            self.diagnostics[path] = list(params.diagnostics)
        else:
            self.diagnostics.pop(path, None)
        self.events.on_diagnostics(path, list(params.diagnostics))

    def on_progress(self, params: lsp.ProgressParams) -> None:
        """Route streamed partial results and work-done messages to the events."""
        token = str(params.token)
        value = params.value
        if token in self._partial_tokens:
            item = _PROGRESS.validate_python(value)
            if isinstance(item, TextProgress):
                self.events.on_text(item.delta)
            elif isinstance(item, CodeProgress):
                self.events.on_code(item.code)
            else:
                self.events.on_step(item.step)
        elif token in self._work_tokens and isinstance(value, dict):
            message = value.get("message") or value.get("title")
            if message:
                self.events.on_activity(str(message))

    def on_work_done_progress_create(self, params: lsp.WorkDoneProgressCreateParams) -> None:
        """Accept server-created progress tokens."""
        self._work_tokens.add(str(params.token))

    def on_show_message(self, params: lsp.ShowMessageParams) -> None:
        """Surface the server's message."""
        self.events.on_message(params.message)

    def on_log_message(self, params: lsp.LogMessageParams) -> None:
        """Log messages are for editors' output panes; the CLI ignores them."""


def _tail_line(line: bytes) -> str:
    return line[:STDERR_LINE_BYTES].decode("utf-8", errors="replace").rstrip()


def _plain(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # pygls marks handlers with attributes, which bound methods cannot carry.
    def handler(params: Any) -> Any:
        return method(params)

    return handler
