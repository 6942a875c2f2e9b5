"""pytest-lsp fixtures: the real ``punie serve`` over stdio, and a client that records
what an editor would see (partial results, edits, consent prompts, diagnostics)."""

import asyncio
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from punie_server.model_manager import embedded_model_path
from tests.acme import write_workspace
from tests.scripted_model import EDIT_SCRIPT, MARKUP_SCRIPT, TYPECHECK_SCRIPT, write_scripted_model


@dataclass
class EditorScript:
    """How the fake editor answers the server, and what it saw."""

    accept_edits: bool = True
    consent: str | None = "Allow"
    edits: list[lsp.ApplyWorkspaceEditParams] = field(default_factory=list)
    prompts: list[lsp.ShowMessageRequestParams] = field(default_factory=list)
    partials: dict[Any, list[Any]] = field(default_factory=dict)
    _arrived: dict[Any, asyncio.Event] = field(default_factory=dict)

    def arrived(self, token: Any) -> asyncio.Event:
        """Set once the first ``$/progress`` value for ``token`` has arrived."""
        return self._arrived.setdefault(token, asyncio.Event())


class EditorClient(LanguageClient):
    """pytest-lsp's client plus an ``EditorScript``."""

    script: EditorScript


def make_editor_client() -> EditorClient:
    """A test client whose applyEdit / showMessageRequest / $/progress follow its script."""
    client = EditorClient(converter_factory=default_converter)
    client.script = EditorScript()
    features = {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k != lsp.PROGRESS}
    register_lsp_features(client, features)

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: EditorClient, params: lsp.ApplyWorkspaceEditParams):
        ls.script.edits.append(params)
        if ls.script.accept_edits:
            return lsp.ApplyWorkspaceEditResult(applied=True)
        return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason="user said no")

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def show_message_request(ls: EditorClient, params: lsp.ShowMessageRequestParams):
        ls.script.prompts.append(params)
        if ls.script.consent is None:
            return None
        return lsp.MessageActionItem(title=ls.script.consent)

    @client.feature(lsp.PROGRESS)
    def progress(ls: EditorClient, params: lsp.ProgressParams):
        ls.script.partials.setdefault(params.token, []).append(params.value)
        ls.script.arrived(params.token).set()

    return client


def capabilities(
    *, encoding: str = lsp.PositionEncodingKind.Utf16, review: bool = True
) -> lsp.ClientCapabilities:
    """An editor that applies edits with documentChanges, creates files, counts columns
    in ``encoding`` and (``review``) shows an edit that needs confirmation to the user."""
    return lsp.ClientCapabilities(
        general=lsp.GeneralClientCapabilities(position_encodings=[encoding]),
        workspace=lsp.WorkspaceClientCapabilities(
            apply_edit=True,
            configuration=True,
            workspace_edit=lsp.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[lsp.ResourceOperationKind.Create],
                change_annotation_support=(
                    lsp.ChangeAnnotationsSupportOptions() if review else None
                ),
            ),
        ),
        window=lsp.WindowClientCapabilities(
            work_done_progress=True,
            show_document=lsp.ShowDocumentClientCapabilities(support=True),
        ),
    )


def serve_command(model: Path) -> list[str]:
    """The real server, as an editor would start it."""
    return [sys.executable, "-m", "punie_server.cli", "serve", "--model", str(model)]


PLUMBING_MODEL = Path(__file__).parents[1] / "plumbing_model"


@pytest.fixture(scope="session")
def plumbing_model() -> Path:
    """A 1 M-parameter model (``punie train --preset tiny``): fast, and reliable on the
    phrasings these tests use, so they test the server's plumbing, not a model."""
    assert (PLUMBING_MODEL / "config.json").is_file(), f"plumbing model missing at {PLUMBING_MODEL}"
    return PLUMBING_MODEL


@pytest.fixture(scope="session")
def embedded_model() -> Path:
    """The model Punie ships and uses by default (SmolLM2-135M-Instruct + Punie's LoRA)."""
    path = embedded_model_path()
    assert (path / "adapter_config.json").is_file(), f"embedded model missing at {path}"
    return path


@asynccontextmanager
async def editor_session(
    model: Path,
    workspace: Path,
    options: dict[str, Any] | None = None,
    editor: lsp.ClientCapabilities | None = None,
) -> AsyncGenerator[EditorClient]:
    """Start ``punie serve`` on ``model``, initialize it on ``workspace`` as an editor with
    ``editor``'s capabilities (default: ``capabilities()``), shut it down after."""
    client = make_editor_client()
    await client.start_io(*serve_command(model))
    try:
        await client.initialize_session(
            lsp.InitializeParams(
                capabilities=editor or capabilities(),
                root_uri=workspace.as_uri(),
                initialization_options=options or {},
            )
        )
        yield client
        await client.shutdown_session()
    finally:
        await client.stop()


async def chat(client: EditorClient, message: str, **params: Any) -> Any:
    """Send ``punie/chat`` with a partial-result token; return the result."""
    return await client.protocol.send_request_async(
        "punie/chat", {"message": message, "partialResultToken": "chat", **params}
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of the small project."""
    root = tmp_path / "ws"
    root.mkdir()
    return write_workspace(root)


@pytest.fixture(scope="session")
def untrained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model directory with random weights: for plumbing, not for answers."""
    from punie_training.tiny import write_untrained_model

    return write_untrained_model(tmp_path_factory.mktemp("untrained-model"))


@pytest.fixture(scope="session")
def edit_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model whose every turn writes what ``write_edit_request`` asked for."""
    return write_scripted_model(tmp_path_factory.mktemp("edit-model"), EDIT_SCRIPT)


@pytest.fixture(scope="session")
def typecheck_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model whose every turn typechecks the whole workspace and prints the count."""
    return write_scripted_model(tmp_path_factory.mktemp("typecheck-model"), TYPECHECK_SCRIPT)


@pytest.fixture(scope="session")
def markup_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model that answers ``MARKUP_REPLY`` followed by special tokens and tool tags."""
    return write_scripted_model(tmp_path_factory.mktemp("markup-model"), MARKUP_SCRIPT)


@pytest.fixture(scope="session")
def silent_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model that ends every turn at once, without a word."""
    return write_scripted_model(tmp_path_factory.mktemp("silent-model"), "")
