"""The server's LSP plumbing, through the real ``punie serve`` process.

These use a randomly initialised model: they check streaming, cancellation,
sessions and caching, which do not depend on what the model says.
"""

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled

from tests.server.conftest import chat, editor_session

LONG = {"maxTokens": 400}


async def test_status_reports_the_model_and_the_sandbox(untrained_model: Path, workspace: Path):
    async with editor_session(untrained_model, workspace) as client:
        status = await client.protocol.send_request_async("punie/status", {})
    assert status.version
    assert status.modelState in {"unloaded", "loading", "ready"}
    assert status.sandbox.backend in {"bwrap", "namespaces"}


async def test_streamed_text_arrives_before_the_result(untrained_model: Path, workspace: Path):
    async with editor_session(untrained_model, workspace, {"maxTokens": 20}) as client:
        result = await chat(client, "hello")
        partials = client.script.partials["chat"]
    assert partials, "no $/progress partial results were sent"
    assert all(p["kind"] == "text" for p in partials)
    assert "".join(p["delta"] for p in partials).strip() == result.reply


async def test_work_done_progress_begins_and_ends(untrained_model: Path, workspace: Path):
    async with editor_session(untrained_model, workspace, {"maxTokens": 5}) as client:
        await chat(client, "hello", workDoneToken="work")
        kinds = [value["kind"] for value in client.script.partials["work"]]
    assert kinds[0] == "begin"
    assert kinds[-1] == "end"


async def test_a_first_chat_starts_from_the_system_prompt_cache_and_a_follow_up_from_its_own(
    untrained_model: Path, workspace: Path
):
    async with editor_session(untrained_model, workspace, {"maxTokens": 8}) as client:
        first = await chat(client, "hello")
        second = await chat(client, "and again", sessionId=first.sessionId)
    # The first turn's prompt begins with the system turn every chat shares.
    assert 0 < first.usage.cachedTokens < first.usage.promptTokens
    assert second.usage.cachedTokens > first.usage.cachedTokens
    assert second.sessionId == first.sessionId


async def test_cancel_during_generation_answers_request_cancelled_and_the_session_goes_on(
    untrained_model: Path, workspace: Path
):
    async with editor_session(untrained_model, workspace, LONG) as client:
        first = await chat(client, "hello", partialResultToken="first")
        params = {"message": "a long story", "sessionId": first.sessionId}
        pending = client.protocol.send_request(
            "punie/chat", {**params, "partialResultToken": "long"}, msg_id="long-chat"
        )
        await client.script.arrived("long").wait()
        client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="long-chat"))
        with pytest.raises(JsonRpcRequestCancelled):
            await asyncio.wrap_future(pending)
        after = await chat(client, "still there?", sessionId=first.sessionId)
    assert after.sessionId == first.sessionId
    assert after.stopReason == "done"


async def test_two_sessions_chat_at_once(untrained_model: Path, workspace: Path):
    async with editor_session(untrained_model, workspace, {"maxTokens": 10}) as client:
        a, b = await asyncio.gather(chat(client, "one"), chat(client, "two"))
    assert a.sessionId != b.sessionId


async def test_bad_params_name_the_field(untrained_model: Path, workspace: Path):
    async with editor_session(untrained_model, workspace) as client:
        with pytest.raises(JsonRpcException, match="message"):
            await client.protocol.send_request_async("punie/chat", {"message": 42})
        status = await client.protocol.send_request_async("punie/status", {})
    assert status.version


async def test_an_unknown_session_is_an_invalid_params_error(
    untrained_model: Path, workspace: Path
):
    async with editor_session(untrained_model, workspace) as client:
        with pytest.raises(JsonRpcException, match="sessionId"):
            await chat(client, "hi", sessionId="s-nope")


async def test_reset_forgets_the_session(untrained_model: Path, workspace: Path):
    async with editor_session(untrained_model, workspace, {"maxTokens": 4}) as client:
        first = await chat(client, "hello")
        await client.protocol.send_request_async("punie/reset", {"sessionId": first.sessionId})
        status = await client.protocol.send_request_async("punie/status", {})
        with pytest.raises(JsonRpcException, match="sessionId"):
            await chat(client, "hi", sessionId=first.sessionId)
    assert status.sessions == 0


async def test_an_unknown_model_path_fails_the_chat_clearly_and_the_server_keeps_serving(
    workspace: Path,
):
    async with editor_session(workspace / "no-such-model", workspace) as client:
        with pytest.raises(JsonRpcException, match="does not exist"):
            await chat(client, "hello")
        status = await client.protocol.send_request_async("punie/status", {})
    assert status.modelState == "failed"
    assert "does not exist" in status.modelError


async def test_typecheck_command_publishes_and_then_clears_diagnostics(
    untrained_model: Path, workspace: Path
):
    async with editor_session(untrained_model, workspace) as client:
        params = lsp.ExecuteCommandParams(command="punie.typecheck", arguments=[{}])
        result = await client.workspace_execute_command_async(params)
        assert result is not None
        published = dict(client.diagnostics)
        (workspace / "acme" / "labels.py").write_text(
            "def label(n: int) -> str:\n    return str(n)\n"
        )
        clean = await client.workspace_execute_command_async(params)
        assert clean is not None
    assert result["errorCount"] == 1
    uri = (workspace / "acme" / "labels.py").resolve().as_uri()
    assert published[uri][0].source == "ty"
    assert clean["errorCount"] == 0
    assert list(client.diagnostics[uri]) == []


async def test_run_command_runs_without_a_shell_and_reports_the_exit_code(
    untrained_model: Path, workspace: Path
):
    async with editor_session(untrained_model, workspace) as client:
        params = lsp.ExecuteCommandParams(
            command="punie.runCommand", arguments=[{"command": "ls", "args": ["acme"]}]
        )
        result = await client.workspace_execute_command_async(params)
    assert result is not None
    assert result["exitCode"] == 0
    assert "labels.py" in result["output"]
