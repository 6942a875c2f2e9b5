"""However ``punie serve`` stops, its sandbox is closed first: no worker directory is left
behind in the temp dir (one was, per warm worker, whenever it stopped without a
``shutdown`` request)."""

import asyncio
import os
import signal
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.server.conftest import EditorClient, capabilities, make_editor_client, serve_command


async def _warm_server(tmp: Path, model: Path, workspace: Path) -> EditorClient:
    """The real server on ``workspace``, with ``tmp`` as its temp dir and a warm pool."""
    # With no bwrap or unshare on PATH the sandbox falls back to rlimits-only, whose
    # workers each run in a directory of the host's temp dir.
    env = {**os.environ, "TMPDIR": str(tmp), "PATH": ""}
    client = make_editor_client()
    await client.start_io(*serve_command(model), env=env)
    await client.initialize_session(
        lsp.InitializeParams(capabilities=capabilities(), root_uri=workspace.as_uri())
    )
    async with asyncio.timeout(60):
        # The pool warms in the background after ``initialized``; only punie/status tells.
        while await _warm_workers(client) < 1:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return client


async def _warm_workers(client: EditorClient) -> int:
    status = await client.protocol.send_request_async("punie/status", {})
    return status.sandbox.warm


@pytest.mark.parametrize("how", ["exit without shutdown", "end of input", "SIGTERM"])
async def test_the_server_leaves_no_worker_directory_however_it_stops(
    how: str, tmp_path: Path, plumbing_model: Path, workspace: Path
):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    client = await _warm_server(tmp, plumbing_model, workspace)
    server = client._server
    assert server is not None
    assert server.stdin is not None
    assert list(tmp.glob("punie-worker-*")), "the warm worker should have its directory"
    if how == "exit without shutdown":
        client.exit(None)
    elif how == "end of input":
        server.stdin.close()
    else:
        server.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        await server.wait()
    await client.stop()
    assert list(tmp.glob("punie-worker-*")) == []
