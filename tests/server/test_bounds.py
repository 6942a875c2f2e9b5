"""Chat requests are bounded, through the real ``punie serve``: a long message is
prefilled in chunks a cancel can interrupt, a message over the model's context gets a
clear error, and bad text in a call is an ``InvalidParams`` naming the field."""

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled

from tests.server.conftest import chat, editor_session

QUESTION = "Read README.md and tell me the project name"
# 32 KB of prose: about 11 900 tokens for the embedded model, some 15 s of prefill.
LONG_MESSAGE = (
    "Summarise this report: the acme project labels numbers, and its README says so. " * 500
)[: 32 * 1024]
ROOMY = {"maxContextTokens": 65_536}


async def test_a_cancelled_chat_with_a_32_kb_message_frees_the_server_within_a_second(
    plumbing_model: Path, workspace: Path
):
    async with editor_session(plumbing_model, workspace, ROOMY) as client:
        await chat(client, QUESTION)  # loads the model
        started = time.monotonic()
        await chat(client, QUESTION)
        idle_s = time.monotonic() - started  # the same chat on a server with nothing to do
        pending = client.protocol.send_request(
            "punie/chat", {"message": LONG_MESSAGE}, msg_id="long-chat"
        )
        await asyncio.sleep(2)  # well into the long message's prefill
        assert not pending.done(), "the long message was prefilled too soon to test cancel"
        client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="long-chat"))
        cancelled = time.monotonic()
        after = await chat(client, QUESTION)
        waited_s = time.monotonic() - cancelled - idle_s
        with pytest.raises(JsonRpcRequestCancelled):
            await asyncio.wrap_future(pending)
    print(f"next chat waited {waited_s:.3f} s past its own {idle_s:.3f} s after the cancel")
    assert after.stopReason == "done"
    assert waited_s <= 1.0


async def test_a_message_over_the_context_gets_a_clear_error_at_once(
    plumbing_model: Path, workspace: Path
):
    async with editor_session(plumbing_model, workspace, {"maxContextTokens": 2048}) as client:
        started = time.monotonic()
        with pytest.raises(JsonRpcException, match=r"message too long: .* context of 2048 tokens"):
            await chat(client, LONG_MESSAGE)
        refused_s = time.monotonic() - started
        after = await chat(client, QUESTION)
    assert refused_s < 5
    assert after.stopReason == "done"


async def test_a_message_over_the_size_limit_is_invalid_params(
    plumbing_model: Path, workspace: Path
):
    async with editor_session(plumbing_model, workspace) as client:
        with pytest.raises(JsonRpcException, match="message: String should have at most"):
            await chat(client, "x" * 100_001)


@pytest.mark.parametrize(
    ("command", "argument", "field"),
    [
        ("punie.runCommand", {"command": "ls", "args": ["a\x00b"]}, "args.0"),
        ("punie.runCommand", {"command": "ls", "args": ["\ud800"]}, "args.0"),
        ("punie.typecheck", {"path": "a\x00"}, "path"),
    ],
)
async def test_nul_or_a_lone_surrogate_in_a_command_is_invalid_params_naming_the_field(
    plumbing_model: Path, workspace: Path, command: str, argument: dict[str, object], field: str
):
    async with editor_session(plumbing_model, workspace) as client:
        params = lsp.ExecuteCommandParams(command=command, arguments=[argument])
        with pytest.raises(JsonRpcException, match=f"{field}: Value error") as refused:
            await client.workspace_execute_command_async(params)
    assert "Traceback" not in str(refused.value)
