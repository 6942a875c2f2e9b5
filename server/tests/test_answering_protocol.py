"""Requests pygls cannot structure still get an answer (instead of a silent hang)."""

import json
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from punie_server.server import build_server


class Capture:
    """A writer that keeps what the server sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        body = data.split(b"\r\n\r\n", 1)[1]
        self.sent.append(json.loads(body))

    def close(self) -> None:
        """Nothing to close."""


def _feed(payload: dict[str, Any]) -> list[dict[str, Any]]:
    server = build_server("unused")
    writer = Capture()
    server.protocol.set_writer(writer)
    with pytest.raises(JsonRpcException):
        json.loads(json.dumps(payload), object_hook=server.protocol.structure_message)
    return writer.sent


def test_a_request_with_unreadable_params_gets_invalid_params():
    sent = _feed({"jsonrpc": "2.0", "id": 4, "method": "initialize", "params": {"bad": 1}})
    assert sent[0]["id"] == 4
    assert sent[0]["error"]["code"] == -32602
    assert "initialize" in sent[0]["error"]["message"]


def test_a_notification_sent_with_an_id_gets_invalid_request():
    sent = _feed({"jsonrpc": "2.0", "id": "n", "method": "initialized", "params": {}})
    assert sent[0]["id"] == "n"
    assert sent[0]["error"]["code"] == -32600
    assert "notification" in sent[0]["error"]["message"]
