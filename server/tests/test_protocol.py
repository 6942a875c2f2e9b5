"""Wire shapes of the LSP payloads (PROTOCOL.md §2–§3)."""

import pytest
from pydantic import ValidationError

from punie_server.protocol import (
    MAX_MESSAGE_CHARS,
    ChatParams,
    ChatResult,
    RunCommandParams,
    Settings,
    Step,
    is_steering_write_question,
    steering_write_question,
)


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


def test_chat_params_reject_a_message_over_the_limit():
    with pytest.raises(ValidationError, match=f"at most {MAX_MESSAGE_CHARS} characters"):
        ChatParams.model_validate({"message": "x" * (MAX_MESSAGE_CHARS + 1)})


@pytest.mark.parametrize("message", ["a\ud800b", "a\x00b"])
def test_chat_params_reject_a_lone_surrogate_or_nul_clearly(message: str):
    with pytest.raises(ValidationError, match=r"lone surrogate|NUL character|unicode string"):
        ChatParams.model_validate({"message": message})


@pytest.mark.parametrize("field", [{"args": ["a\x00"]}, {"command": "l\ud800s"}, {"cwd": "\x00"}])
def test_run_command_params_reject_nul_and_surrogates(field: dict[str, object]):
    with pytest.raises(ValidationError, match=r"lone surrogate|NUL character|unicode string"):
        RunCommandParams.model_validate({"command": "ls", **field})


@pytest.mark.parametrize(
    "update",
    [
        {"temperature": float("nan")},
        {"maxTokens": -1},
        {"maxTurns": 0},
        {"sandbox": {"timeoutS": float("inf")}},
        {"sandbox": {"memoryMb": -512}},
        {"commands": {"timeoutS": float("nan")}},
        {"maxContextTokens": 0},
    ],
)
def test_settings_refuse_nan_infinite_zero_and_negative_limits(update: dict[str, object]):
    with pytest.raises(ValidationError):
        Settings.model_validate(update)


def test_the_steering_write_question_is_recognised_and_a_command_question_is_not():
    assert is_steering_write_question(steering_write_question(".envrc", "direnv runs it"))
    assert not is_steering_write_question("Punie wants to run `pytest`. Allow it?")
