"""``punie serve``: the pygls language server. Handlers parse, delegate and reply.

The state lives in ``PunieServer`` (settings, model, sessions, sandbox); the logic
lives in ``chat``, ``lsp_host``, ``commands`` and friends, which know nothing of the
wire.
"""

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from lsprotocol import types as lsp
from pydantic import BaseModel, ValidationError
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
)
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    LanguageServerProtocol,
    default_converter,
)
from pygls.uris import to_fs_path

from punie_sandbox.models import WireModel
from punie_sandbox.sandbox import Sandbox
from punie_server import __version__
from punie_server.chat import ChatEvents, ContextTooLongError, run_chat
from punie_server.commands import execute_command
from punie_server.diagnostics import DiagnosticsBook
from punie_server.lsp_host import LspHost, typecheck_and_publish
from punie_server.model_manager import ModelLoadError, ModelManager
from punie_server.protocol import (
    CHAT,
    RESET,
    RUN_COMMAND,
    STATUS,
    TYPECHECK,
    ChatParams,
    ChatResult,
    CodeProgress,
    ResetParams,
    RunCommandParams,
    SandboxStatus,
    Settings,
    StatusResult,
    Step,
    StepProgress,
    TextProgress,
    TypecheckParams,
)
from punie_server.sessions import SessionStore
from punie_server.settings import SettingsError, describe_validation_error, merge_settings

if TYPE_CHECKING:
    from pygls.io_ import AsyncReader

log = logging.getLogger(__name__)
# How an editor, a closed terminal or Ctrl-C asks the server to stop.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
P = TypeVar("P", bound=BaseModel)


def _raw_params_converter() -> Any:
    """pygls's converter, except custom requests keep their params as plain dicts
    (validated by pydantic here) instead of pygls's namedtuples."""
    converter = default_converter()

    def keep(obj: dict[str, Any], cls: type) -> Any:
        return cls(**obj)

    converter.register_structure_hook(JsonRPCRequestMessage, keep)
    converter.register_structure_hook(JsonRPCNotification, keep)
    return converter


def parse_params(model: type[P], raw: Any) -> P:
    """Validate request params, or raise ``InvalidParams`` naming the bad fields."""
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        raise JsonRpcInvalidParams(describe_validation_error(error)) from None


class AnsweringProtocol(LanguageServerProtocol):
    """pygls's protocol, except a request whose params cannot be read still gets an
    answer: pygls only logs it, so the client would wait for that id forever."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Structure one incoming message. A request whose params do not fit gets
        ``InvalidParams``; a notification sent with an id gets ``InvalidRequest``
        (pygls would run it and never answer the id)."""
        msg_id, method = data.get("id"), data.get("method")
        is_request = isinstance(msg_id, (int, str)) and isinstance(method, str)
        try:
            message = super().structure_message(data)
        except JsonRpcException as error:
            if is_request:
                cause = str(error.__cause__ or error).strip().splitlines()[0]
                self._answer_error(
                    msg_id, JsonRpcInvalidParams(f"invalid params for {method}: {cause}")
                )
            raise
        if is_request and not hasattr(message, "id"):
            error = JsonRpcInvalidRequest(f"{method} is a notification; it must not carry an id")
            self._answer_error(msg_id, error)
            raise error
        return message

    def _answer_error(self, msg_id: int | str, error: JsonRpcException) -> None:
        self._send_response(msg_id, error=error.to_response_error())


class PunieServer(LanguageServer):
    """The language server and the state its handlers share."""

    def __init__(self, model: str | None = None) -> None:
        super().__init__(
            "punie",
            __version__,
            protocol_cls=AnsweringProtocol,
            converter_factory=_raw_params_converter,
            # The editor sends every document's whole text on each change: pygls applies
            # incremental changes to lines it splits with str.splitlines (which also
            # breaks at form feeds, U+2028, …), so its copy of a document holding one of
            # those would drift from the editor's, and edits computed from it with it.
            text_document_sync_kind=lsp.TextDocumentSyncKind.Full,
        )
        self.settings = Settings(model=model)
        self.cli_model = model
        self.models = ModelManager(model)
        self.sessions = SessionStore()
        self.root = Path.cwd().resolve()
        self.book = DiagnosticsBook(self.root)
        self._sandbox: Sandbox | None = None

    @property
    def sandbox(self) -> Sandbox:
        """The shared sandbox; created on first use, inside the event loop."""
        if self._sandbox is None:
            self._sandbox = Sandbox(self.settings.sandbox)
        return self._sandbox

    def apply_settings(self, update: Any) -> None:
        """Take the client's ``punie`` settings (``initializationOptions``, then each answer
        to ``workspace/configuration``); the ``--model`` flag wins over the editor's setting.

        Each update is the client's whole section, so it applies to the server defaults: a
        field the client leaves out (a setting the user cleared) is back at its default
        rather than what an earlier update said. ``None`` (no such section) changes nothing.
        """
        if update is None:
            return
        self.settings = merge_settings(Settings(), update)
        if self.cli_model is not None:
            self.settings.model = self.cli_model
        self.models.configure(self.settings.model)
        if self._sandbox is not None:
            self._sandbox.limits = self.settings.sandbox

    def set_root(self, params: lsp.InitializeParams) -> None:
        """Take the workspace root from the first workspace folder or the root URI."""
        uri = (params.workspace_folders or [None])[0]
        root_uri = uri.uri if uri is not None else params.root_uri
        path = to_fs_path(root_uri) if root_uri else (params.root_path or os.getcwd())
        self.root = Path(path or os.getcwd()).resolve()
        self.book = DiagnosticsBook(self.root)

    def host(self) -> LspHost:
        """A callback host for one snippet run, with the current settings; its commands
        and ty run under the sandbox's backend."""
        return LspHost(self, self.root, self.settings, self.book, backend=self.sandbox.backend)

    def status(self) -> StatusResult:
        """What ``punie/status`` reports."""
        sandbox = self.sandbox
        return StatusResult(
            version=__version__,
            model=self.models.name,
            model_state=self.models.state,
            model_error=self.models.error,
            sessions=len(self.sessions),
            sandbox=SandboxStatus(
                backend=sandbox.backend, warm=sandbox.warm, warning=sandbox.warning
            ),
        )

    async def chat(self, params: ChatParams) -> ChatResult:
        """Handle one ``punie/chat``, streaming to the client as it goes."""
        try:
            session = self.sessions.get_or_create(params.session_id)
        except KeyError as error:
            raise JsonRpcInvalidParams(f"sessionId: {error.args[0]}") from None
        progress = ProgressSender(self, params)
        async with session.lock:
            progress.begin()
            try:
                return await run_chat(
                    params.message,
                    session,
                    models=self.models,
                    sandbox=self.sandbox,
                    host=self.host(),
                    settings=self.settings,
                    events=progress.events(),
                )
            except ModelLoadError as error:
                self._forget_unseen(params, session.id)
                raise JsonRpcInternalError(f"model failed: {error}") from None
            except ContextTooLongError as error:
                self._forget_unseen(params, session.id)
                raise JsonRpcInvalidParams(str(error)) from None
            except BaseException:
                self._forget_unseen(params, session.id)
                raise
            finally:
                progress.end()

    def _forget_unseen(self, params: ChatParams, session_id: str) -> None:
        # A session created by a chat that never answered is one the client cannot
        # name; keeping it would hold its prompt cache until the server exits.
        if params.session_id is None:
            self.sessions.reset(session_id)

    async def close(self) -> None:
        """Stop the sandbox's workers and the model thread."""
        if self._sandbox is not None:
            await self._sandbox.aclose()
        self.models.shutdown()

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve one client on stdin/stdout until it leaves (see ``_serve_until_done``)."""
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        self._serve_until_done(lambda: self._serve_connection(reader))

    def start_tcp(self, host: str, port: int) -> None:
        """Serve the first client that connects to ``host:port`` until it leaves."""

        async def serve() -> None:
            clients: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
            clients = asyncio.Queue()
            listener = await asyncio.start_server(
                lambda reader, writer: clients.put_nowait((reader, writer)), host, port
            )
            log.info("Serving on %s:%s", host, port)
            try:
                reader, writer = await clients.get()
            finally:
                listener.close()
            self.protocol.set_writer(writer)
            await self._serve_connection(reader)

        self._serve_until_done(serve)

    async def _serve_connection(self, reader: "AsyncReader") -> None:
        assert self._stop_event is not None
        await run_async(
            stop_event=self._stop_event,
            reader=reader,
            protocol=self.protocol,
            logger=log,
            error_handler=self.report_server_error,
        )

    def _serve_until_done(self, serve: Callable[[], Awaitable[None]]) -> None:
        """Run ``serve`` in a new event loop, then close the server before the loop ends.

        Serving ends with the client's ``exit``, the end of its input, a lost connection
        or a stop signal (SIGTERM, SIGHUP, SIGINT); ``close`` runs in every case, since
        pygls's own loop ends without it and each live worker would leave its directory
        behind. After a stop signal the process then dies of that signal, as it would
        have without the handler (and without waiting for a blocked stdin read).
        """
        self._stop_event = threading.Event()
        stopped_by: list[signal.Signals] = []

        async def main() -> None:
            loop = asyncio.get_running_loop()
            task = asyncio.current_task()
            assert task is not None

            def stop(signum: signal.Signals) -> None:
                stopped_by.append(signum)
                task.cancel()

            for signum in STOP_SIGNALS:
                loop.add_signal_handler(signum, stop, signum)
            try:
                await serve()
            except asyncio.CancelledError:
                if not stopped_by:
                    raise
                task.uncancel()
            finally:
                # A second signal while closing takes its default action: a way out of a
                # close that hangs.
                for signum in STOP_SIGNALS:
                    loop.remove_signal_handler(signum)
                await self.close()

        try:
            asyncio.run(main())
        except ConnectionError:  # the client went away (broken pipe, reset socket)
            log.error("Connection to the client is lost! Shutting down the server.")
        except (KeyboardInterrupt, SystemExit):  # SystemExit: how pygls obeys ``exit``
            pass
        if stopped_by:
            signal.signal(stopped_by[0], signal.SIG_DFL)
            os.kill(os.getpid(), stopped_by[0])
        self.shutdown()


class ProgressSender:
    """Sends a chat's partial results and work-done progress, when the client asked."""

    def __init__(self, server: PunieServer, params: ChatParams) -> None:
        self.server = server
        self.partial = params.partial_result_token
        self.work = params.work_done_token

    def _partial(self, value: WireModel) -> None:
        if self.partial is not None:
            self.server.progress(lsp.ProgressParams(token=self.partial, value=value.to_wire()))

    def events(self) -> ChatEvents:
        """Callbacks for ``run_chat``."""

        def step(step: Step) -> None:
            self._partial(StepProgress(step=step))

        return ChatEvents(
            text=lambda delta: self._partial(TextProgress(delta=delta)),
            code=lambda code: self._partial(CodeProgress(code=code)),
            step=step,
            phase=self.report,
        )

    def begin(self) -> None:
        """Open the work-done progress."""
        if self.work is not None:
            self.server.work_done_progress.begin(
                self.work, lsp.WorkDoneProgressBegin(title="Punie", message="Thinking…")
            )

    def report(self, message: str) -> None:
        """Say what the turn is doing now."""
        if self.work is not None:
            self.server.work_done_progress.report(
                self.work, lsp.WorkDoneProgressReport(message=message)
            )

    def end(self) -> None:
        """Close the work-done progress."""
        if self.work is not None:
            self.server.work_done_progress.end(self.work, lsp.WorkDoneProgressEnd())
            self.server.work_done_progress.tokens.pop(self.work, None)


def build_server(model: str | None = None) -> PunieServer:
    """A Punie server with every handler registered."""
    server = PunieServer(model)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: PunieServer, params: lsp.InitializeParams) -> None:
        ls.set_root(params)
        try:
            ls.apply_settings(params.initialization_options)
        except SettingsError as error:
            raise JsonRpcInvalidParams(f"initializationOptions: {error}") from None

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: PunieServer, _: lsp.InitializedParams) -> None:
        await pull_configuration(ls)
        if ls.settings.eager_load:
            ls.models.start_loading()
        # Warm the pool now so the first snippet does not wait for a worker to start.
        await ls.sandbox.wait_warm(1)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: PunieServer, _: Any) -> None:
        await pull_configuration(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: PunieServer, params: lsp.DidSaveTextDocumentParams) -> None:
        relative = _workspace_python_file(ls.root, params.text_document.uri)
        if not ls.settings.typecheck_on_save or relative is None:
            return
        try:
            await typecheck_and_publish(ls, ls.root, ls.book, relative, backend=ls.sandbox.backend)
        except Exception as error:  # a save must never fail loudly; say why in the log
            ls.window_log_message(
                lsp.LogMessageParams(lsp.MessageType.Warning, f"typecheck on save: {error}")
            )

    @server.feature(CHAT)
    async def chat(ls: PunieServer, params: Any) -> dict[str, Any]:
        result = await ls.chat(parse_params(ChatParams, params))
        return result.to_wire()

    @server.feature(RESET)
    def reset(ls: PunieServer, params: Any) -> None:
        ls.sessions.reset(parse_params(ResetParams, params).session_id)

    @server.feature(STATUS)
    def status(ls: PunieServer, _: Any) -> dict[str, Any]:
        return ls.status().to_wire()

    @server.command(RUN_COMMAND)
    async def run_command(ls: PunieServer, *args: Any) -> dict[str, Any]:
        params = parse_params(RunCommandParams, args[0] if args else None)
        try:
            result = await execute_command(params, ls.root, ls.settings, backend=ls.sandbox.backend)
        except (PermissionError, FileNotFoundError, ValueError) as error:
            raise JsonRpcInvalidParams(str(error)) from None
        except OSError as error:  # includes TimeoutError
            raise JsonRpcInternalError(str(error)) from None
        return result.to_wire()

    @server.command(TYPECHECK)
    async def typecheck(ls: PunieServer, *args: Any) -> dict[str, Any]:
        params = parse_params(TypecheckParams, args[0] if args else None)
        try:
            result = await typecheck_and_publish(
                ls, ls.root, ls.book, params.path, backend=ls.sandbox.backend
            )
        except (PermissionError, FileNotFoundError, ValueError) as error:
            raise JsonRpcInvalidParams(str(error)) from None
        except (OSError, RuntimeError) as error:  # ty failed, timed out or is missing
            raise JsonRpcInternalError(str(error)) from None
        return result.to_wire()

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: PunieServer, _: Any) -> None:
        await ls.close()

    return server


def _workspace_python_file(root: Path, uri: str) -> str | None:
    """The workspace-relative path of a Python file URI, or None if it is not one."""
    path = to_fs_path(uri)
    if path is None or not path.endswith(".py"):
        return None
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return None


async def pull_configuration(ls: PunieServer) -> None:
    """Ask the client for the ``punie`` section, when it supports that."""
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        return
    try:
        values = await asyncio.wait_for(
            ls.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="punie")])
            ),
            10,
        )
        ls.apply_settings(values[0] if values else None)
    except (TimeoutError, SettingsError, JsonRpcException) as error:
        ls.window_log_message(
            lsp.LogMessageParams(lsp.MessageType.Warning, f"punie settings ignored: {error}")
        )
