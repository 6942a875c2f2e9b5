"""The Code Mode loop with a scripted model and a fake sandbox."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mlx_lm.tool_parsers.qwen3_coder import parse_tool_call

from punie_sandbox.local import LocalHost
from punie_sandbox.models import ExecResult, SnippetError
from punie_server import chat as chat_module
from punie_server.chat import ChatEvents, run_chat
from punie_server.generation import TurnOutput
from punie_server.model_manager import LoadedModel
from punie_server.protocol import Settings
from punie_server.sessions import Session

# The fake sandbox never calls back, so the host is never used.
NO_HOST = LocalHost(Path("."))


def call(code: str) -> str:
    return (
        "<tool_call>\n<function=execute_code>\n<parameter=code>\n"
        f"{code}\n</parameter>\n</function>\n</tool_call>"
    )


class FakeTokenizer:
    tool_call_start = "<tool_call>"
    tool_call_end = "</tool_call>"
    tool_parser = staticmethod(parse_tool_call)

    def apply_chat_template(self, messages: list[dict[str, Any]], **_: Any) -> list[int]:
        return list(range(len(messages)))


@dataclass
class FakeModels:
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))

    async def get(self) -> LoadedModel:
        return LoadedModel("fake", None, FakeTokenizer())


@dataclass
class FakeSandbox:
    results: list[ExecResult]
    codes: list[str] = field(default_factory=list)

    async def run(self, code: str, host: Any) -> ExecResult:
        self.codes.append(code)
        return self.results.pop(0)


@dataclass
class Recorder:
    seen: list[tuple[str, Any]] = field(default_factory=list)

    def events(self) -> ChatEvents:
        return ChatEvents(
            text=lambda d: self.seen.append(("text", d)),
            code=lambda c: self.seen.append(("code", c)),
            step=lambda s: self.seen.append(("step", s)),
            phase=lambda p: self.seen.append(("phase", p)),
        )


def script(monkeypatch: pytest.MonkeyPatch, replies: list[str]) -> None:
    """Make generation return ``replies`` in order, streaming each through on_text."""

    def fake_generate(loaded, session, prompt, *, on_text, **_: Any) -> TurnOutput:
        text = replies.pop(0)
        on_text(text)
        return TurnOutput(text, len(prompt), 0, 3, 1.0, 0.01, False)

    monkeypatch.setattr(chat_module, "generate_turn", fake_generate)


async def run(monkeypatch, replies, results, settings=None, message="question"):
    script(monkeypatch, replies)
    sandbox, recorder, session = FakeSandbox(results), Recorder(), Session("s-test")
    result = await run_chat(
        message,
        session,
        models=FakeModels(),
        sandbox=sandbox,
        host=NO_HOST,
        settings=settings or Settings(),
        events=recorder.events(),
    )
    return result, sandbox, recorder, session


async def test_a_reply_without_a_tool_call_ends_the_turn(monkeypatch):
    result, sandbox, recorder, _ = await run(monkeypatch, ["Just an answer."], [])
    assert result.reply == "Just an answer."
    assert result.stop_reason == "done"
    assert sandbox.codes == []
    assert ("text", "Just an answer.") in recorder.seen


async def test_the_model_sees_the_names_a_message_mentions_quoted_after_it(monkeypatch):
    *_, session = await run(monkeypatch, ["Ok."], [], message="Open kelp/tide.py")
    assert session.messages[1] == {
        "role": "user",
        "content": 'Open kelp/tide.py\n\nNames as written: "kelp/tide.py"',
    }


async def test_a_tool_call_runs_the_snippet_and_feeds_back_its_output(monkeypatch):
    result, sandbox, recorder, session = await run(
        monkeypatch,
        [call('print(read_file("README.md"))'), "It is acme."],
        [ExecResult(ok=True, stdout="# acme\n")],
    )
    assert sandbox.codes == ['print(read_file("README.md"))']
    assert result.reply == "It is acme."
    assert result.usage.turns == 2
    assert session.messages[-2] == {"role": "tool", "content": "# acme"}
    kinds = [kind for kind, _ in recorder.seen]
    assert kinds.index("code") < kinds.index("step")
    assert not any(kind == "text" and "tool_call" in value for kind, value in recorder.seen)


async def test_an_empty_answer_after_a_step_replies_with_what_the_step_printed(monkeypatch):
    result, _, recorder, session = await run(
        monkeypatch,
        [call('print("The project is called acme.")'), ""],
        [ExecResult(ok=True, stdout="The project is called acme.\n")],
    )
    assert result.reply == "The project is called acme."
    assert ("text", "The project is called acme.") in recorder.seen
    assert session.messages[-1] == {"role": "assistant", "content": ""}


async def test_an_empty_answer_after_a_failed_step_says_so_without_its_output(monkeypatch):
    failure = ExecResult(
        ok=False, stdout="partial\n", error=SnippetError(type="KeyError", message="x")
    )
    result, *_ = await run(monkeypatch, [call("x"), ""], [failure])
    assert result.reply == (
        "The model ended its turn without a reply. Its last step failed with KeyError: x"
    )


async def test_a_turn_with_nothing_to_say_tells_the_user_so(monkeypatch):
    result, _, recorder, _ = await run(monkeypatch, ["  \n"], [])
    assert result.reply == "The model ended its turn without a reply."
    assert result.stop_reason == "done"
    assert ("text", result.reply) in recorder.seen


async def test_markup_never_reaches_the_reply_or_the_stream(monkeypatch):
    said = "It is acme.</parameter>\n</function>\n</tool_call><|endoftext|></tool_response>"
    result, _, recorder, session = await run(monkeypatch, [said], [])
    streamed = "".join(value for kind, value in recorder.seen if kind == "text")
    assert result.reply == "It is acme."
    assert streamed.strip() == "It is acme."
    assert session.messages[-1] == {"role": "assistant", "content": said}


async def test_a_reply_of_markup_only_is_a_turn_with_nothing_to_say(monkeypatch):
    result, *_ = await run(monkeypatch, ["<|endoftext|><|im_end|>"], [])
    assert result.reply == "The model ended its turn without a reply."


async def test_a_model_answer_after_a_step_is_the_reply_as_written(monkeypatch):
    result, *_ = await run(
        monkeypatch, [call("print(1)"), "One."], [ExecResult(ok=True, stdout="1\n")]
    )
    assert result.reply == "One."


async def test_a_snippet_that_keeps_failing_stops_at_max_turns_with_a_clear_reply(monkeypatch):
    failure = ExecResult(ok=False, error=SnippetError(type="NameError", message="x"))
    result, *_ = await run(
        monkeypatch,
        [call("x"), call("x")],
        [failure, failure],
        Settings(max_turns=2),
    )
    assert result.stop_reason == "maxTurns"
    assert "NameError" in result.reply
    assert len(result.steps) == 2


async def test_an_unparseable_call_is_reported_back_to_the_model(monkeypatch):
    result, sandbox, _, session = await run(
        monkeypatch, ["<tool_call>\nnonsense</tool_call>", "Sorry."], []
    )
    assert sandbox.codes == []
    assert session.messages[-2]["content"].startswith("Error: ToolCallError")
    assert result.reply == "Sorry."


async def test_cancelling_restores_the_session_messages(monkeypatch):
    class SlowSandbox(FakeSandbox):
        async def run(self, code: str, host: Any) -> ExecResult:
            await asyncio.sleep(10)
            raise AssertionError("not reached")

    script(monkeypatch, [call("print(1)")])
    session = Session("s-test")
    before = list(session.messages)
    task = asyncio.create_task(
        run_chat(
            "question",
            session,
            models=FakeModels(),
            sandbox=SlowSandbox([]),
            host=NO_HOST,
            settings=Settings(),
            events=Recorder().events(),
        )
    )
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.messages == before


async def test_a_first_prompt_longer_than_the_context_is_refused_clearly(monkeypatch):
    # The fake tokenizer makes one token per message: system + user = 2 > 1.
    settings = Settings().model_copy(update={"max_context_tokens": 1})  # below the minimum
    with pytest.raises(chat_module.ContextTooLongError, match="message too long") as refused:
        await run(monkeypatch, ["never"], [], settings)
    assert "context of 1 tokens" in str(refused.value)


async def test_a_turn_that_outgrows_the_context_stops_with_an_error_reply(monkeypatch):
    # system + user + assistant + tool = 4 tokens on the second turn, over a context of 3.
    settings = Settings().model_copy(update={"max_context_tokens": 3})  # below the minimum
    result, _, _, _ = await run(
        monkeypatch, [call("print(1)"), "never"], [ExecResult(ok=True, stdout="1\n")], settings
    )
    assert result.stop_reason == "error"
    assert "reached 4 tokens" in result.reply
    assert len(result.steps) == 1
