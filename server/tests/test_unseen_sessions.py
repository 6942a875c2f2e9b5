"""A chat that never answers leaves no session behind (the client never learnt its id)."""

import pytest
from pygls.exceptions import JsonRpcInternalError

from punie_server.protocol import ChatParams
from punie_server.server import build_server


async def test_a_failed_first_chat_leaves_no_session():
    server = build_server("./no-such-model")
    with pytest.raises(JsonRpcInternalError, match="does not exist"):
        await server.chat(ChatParams(message="hi"))
    assert len(server.sessions) == 0
    await server.close()


async def test_a_failed_follow_up_keeps_the_session_the_client_knows():
    server = build_server("./no-such-model")
    session = server.sessions.get_or_create(None)
    with pytest.raises(JsonRpcInternalError):
        await server.chat(ChatParams.model_validate({"message": "hi", "sessionId": session.id}))
    assert len(server.sessions) == 1
    await server.close()
