"""The Code Mode loop: generate, run the snippet, feed back the result, repeat.

A turn ends when the model answers without a tool call, or after ``max_turns``
generations. An empty answer right after a step that succeeded replies with what the
step printed (Code Mode snippets may print the whole answer themselves); a turn with
nothing to say says so. A reply never holds protocol text (``strip_markup``).
Everything the editor sees while it runs goes through ``ChatEvents``.
"""

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

from punie_sandbox.host import Host
from punie_sandbox.models import ExecResult
from punie_sandbox.prompt import EXECUTE_CODE_TOOL, user_turn
from punie_server.generation import TurnOutput, generate_turn
from punie_server.model_manager import LoadedModel
from punie_server.protocol import ChatResult, Settings, Step, Usage
from punie_server.sessions import Session
from punie_server.streaming import TextBatch, VisibleText, strip_markup
from punie_training.decode import extract_code
from punie_training.schema import tool_call, tool_message


class ModelSource(Protocol):
    """Where the loop gets the loaded model and the thread MLX work runs on."""

    @property
    def executor(self) -> Executor:
        """The single thread that runs MLX work."""
        ...

    async def get(self) -> LoadedModel:
        """The loaded model (loading it first if needed)."""
        ...


class SnippetRunner(Protocol):
    """Runs one snippet against a host (the sandbox, in the product)."""

    async def run(self, code: str, host: Host) -> ExecResult:
        """Run ``code``; callbacks go to ``host``."""
        ...


@dataclass
class ChatEvents:
    """Callbacks for what happens during a turn (all optional in spirit, never None)."""

    text: Callable[[str], None]
    code: Callable[[str], None]
    step: Callable[[Step], None]
    phase: Callable[[str], None]


# The context when neither the settings nor the model's config give one.
DEFAULT_CONTEXT_TOKENS = 32_768


class ContextTooLongError(ValueError):
    """The conversation with the new message does not fit the model's context."""


def _unparsed_call_error(text: str) -> str:
    return (
        "Error: ToolCallError: the execute_code call could not be parsed; "
        f"write it as <tool_call><function=execute_code><parameter=code>…: {text[-200:]!r}"
    )


async def run_chat(
    message: str,
    session: Session,
    *,
    models: ModelSource,
    sandbox: SnippetRunner,
    host: Host,
    settings: Settings,
    events: ChatEvents,
) -> ChatResult:
    """Run one user message through the Code Mode loop and return the result.

    On cancellation the session's messages are restored to what they were before
    this message, generation stops at the next prefill chunk or token and a running
    snippet is killed. A first prompt longer than the context (``maxContextTokens``, else
    the model's own) raises ``ContextTooLongError``; a later one ends the turn with
    ``stopReason: "error"``.
    """
    loaded = await models.get()
    tokenizer = loaded.tokenizer
    started = time.perf_counter()
    saved = list(session.messages)
    session.messages.append({"role": "user", "content": user_turn(message)})
    steps: list[Step] = []
    usage = Usage()
    generation_s = 0.0
    loop = asyncio.get_running_loop()
    cancel = threading.Event()
    context = settings.max_context_tokens or loaded.context_tokens or DEFAULT_CONTEXT_TOKENS
    reply, stop_reason = "", "maxTurns"
    try:
        for turn in range(settings.max_turns):
            events.phase("Thinking…")
            visible = VisibleText(tokenizer.tool_call_start)
            batch = TextBatch()

            def on_text(
                delta: str, visible: VisibleText = visible, batch: TextBatch = batch
            ) -> None:
                due = batch.add(visible.feed(delta), time.perf_counter())
                if due:
                    loop.call_soon_threadsafe(events.text, due)

            prompt = tokenizer.apply_chat_template(
                session.messages, tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
            )
            if len(prompt) > context:
                if turn == 0:
                    raise ContextTooLongError(_too_long(len(prompt), context, len(saved)))
                reply, stop_reason = _context_full(len(prompt), context), "error"
                break
            output: TurnOutput = await _in_model_thread(
                models,
                lambda prompt=prompt, on_text=on_text: generate_turn(
                    loaded,
                    session,
                    prompt,
                    max_tokens=settings.max_tokens,
                    temperature=settings.temperature,
                    on_text=on_text,
                    cancel=cancel,
                    stop_after=tokenizer.tool_call_end,
                ),
                cancel,
            )
            usage.turns = turn + 1
            usage.prompt_tokens += output.prompt_tokens
            usage.cached_tokens += output.cached_tokens
            usage.completion_tokens += output.completion_tokens
            if turn == 0:
                usage.ttft_ms = output.ttft_ms
            generation_s += output.generation_s
            said = output.text.split(tokenizer.tool_call_start, 1)[0].strip()
            # What is still queued, plus the held-back tail of a reply without a tool
            # call (after the marker, VisibleText releases nothing more).
            rest = batch.take() + visible.flush()
            if rest:
                events.text(rest)
            if tokenizer.tool_call_start not in output.text:
                session.messages.append({"role": "assistant", "content": output.text.strip()})
                text = strip_markup(output.text).strip()
                reply, stop_reason = final_reply(text, steps), "done"
                if reply != text:  # relayed from the step or a note: not streamed yet
                    events.text(reply)
                break
            code = extract_code(output.text, tokenizer)
            if code is None:
                session.messages.append({"role": "assistant", "content": output.text.strip()})
                session.messages.append(
                    {"role": "tool", "content": _unparsed_call_error(output.text)}
                )
                continue
            session.messages.append(
                {"role": "assistant", "content": said, "tool_calls": [tool_call(code)]}
            )
            events.code(code)
            events.phase("Running code…")
            result = await sandbox.run(code, host)
            step = Step(code=code, **result.model_dump())
            steps.append(step)
            events.step(step)
            session.messages.append({"role": "tool", "content": tool_message(result)})
        else:
            reply = _gave_up(steps, settings.max_turns)
    except BaseException:
        cancel.set()
        session.messages[:] = saved
        raise
    usage.total_ms = (time.perf_counter() - started) * 1000
    usage.tokens_per_second = usage.completion_tokens / generation_s if generation_s else 0.0
    return ChatResult(
        session_id=session.id, reply=reply, steps=steps, usage=usage, stop_reason=stop_reason
    )


def final_reply(text: str, steps: list[Step]) -> str:
    """The reply of a turn whose visible model text (markup stripped) is ``text``.

    A model that ends its turn without text right after a step that printed its answer
    replies with what that step printed (the system prompt tells it so): the facts come
    from the real output, not from the model copying them. A turn that ends with
    nothing to say at all says so (never an empty reply), and why when its last step
    failed.
    """
    last = steps[-1] if steps else None
    if text:
        return text
    if last is not None and last.ok and last.stdout.strip():
        return last.stdout.strip()
    return _nothing_to_say(last)


def _nothing_to_say(last: Step | None) -> str:
    said = "The model ended its turn without a reply."
    if last is not None and last.error is not None:
        return f"{said} Its last step failed with {last.error.type}: {last.error.message}"
    if last is not None and last.killed is not None:
        return f"{said} Its last step was stopped ({last.killed})."
    return said


def _too_long(tokens: int, context: int, history: int) -> str:
    advice = "start a new session or send a shorter message" if history > 1 else "shorten it"
    return (
        f"message too long: the conversation would be {tokens} tokens, more than the "
        f"model's context of {context} tokens; {advice}"
    )


def _context_full(tokens: int, context: int) -> str:
    return (
        f"I stopped: the conversation reached {tokens} tokens, more than the model's "
        f"context of {context} tokens. Start a new session to go on."
    )


def _gave_up(steps: list[Step], max_turns: int) -> str:
    last = steps[-1] if steps else None
    if last is not None and last.error is not None:
        return (
            f"I stopped after {max_turns} turns without an answer; the last snippet failed "
            f"with {last.error.type}: {last.error.message}"
        )
    return f"I stopped after {max_turns} turns without a final answer."


async def _in_model_thread(
    models: ModelSource, job: Callable[[], TurnOutput], cancel: threading.Event
) -> TurnOutput:
    """Run ``job`` on the MLX thread; cancelling the await also stops the job."""
    future: Awaitable[Any] = asyncio.get_running_loop().run_in_executor(models.executor, job)
    try:
        return await future
    except asyncio.CancelledError:
        cancel.set()
        raise
