"""Wire shapes of the LSP payloads (PROTOCOL.md §2–§3)."""

import pytest
from pydantic import ValidationError

from punie_server.protocol import ChatParams, ChatResult, Settings, Step


def test_chat_result_serialises_with_camel_case_keys():
    result = ChatResult(session_id="s-1", reply="hi", steps=[Step(code="print(1)", ok=True)])
    wire = result.to_wire()
    assert wire["sessionId"] == "s-1"
    assert wire["stopReason"] == "done"
    assert wire["steps"][0]["durationMs"] == 0.0


def test_settings_accept_the_documented_camel_case_options():
    settings = Settings.model_validate({"maxTurns": 2, "sandbox": {"timeoutS": 3}})
    assert settings.max_turns == 2
    assert settings.sandbox.timeout_s == 3
    assert "git status" in settings.commands.auto_allow


def test_chat_params_reject_an_empty_message():
    with pytest.raises(ValidationError, match="message"):
        ChatParams.model_validate({"message": ""})
