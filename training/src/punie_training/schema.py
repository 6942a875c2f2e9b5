"""The dataset schema: one verified Code Mode example, and how it becomes mlx-lm chat rows.

An example is a chat (system, user, assistant tool call, tool result, final answer;
or system, user, answer for a direct question) plus what it was made from: kind,
category (the intent), the phrasing template, and the seed of the fixture workspace
its snippet ran against.
"""

from typing import Any, Literal

from pydantic import BaseModel

from punie_sandbox.models import ExecResult
from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt, user_turn

Kind = Literal["tool", "multi", "direct"]


def tool_message(result: ExecResult) -> str:
    """The ``tool`` message for a snippet's result: its stdout, then the failure if any.

    The server builds the same text: stdout, followed by ``Error: <Type>: <message>``
    when the snippet raised (or ``Error: killed: <reason>`` when it was killed).
    """
    parts = [result.stdout.rstrip("\n")] if result.stdout.strip() else []
    if result.killed is not None:
        parts.append(f"Error: killed: {result.killed}")
    elif result.error is not None:
        parts.append(f"Error: {result.error.type}: {result.error.message}")
    return "\n".join(parts)


def tool_call(code: str) -> dict[str, Any]:
    """An assistant ``tool_calls`` entry that runs ``code`` with ``execute_code``."""
    return {"type": "function", "function": {"name": "execute_code", "arguments": {"code": code}}}


class Example(BaseModel):
    """One example: the chat and its provenance."""

    id: str
    kind: Kind
    category: str
    template: str
    fixture_seed: int | None = None
    user: str
    code: str | None = None
    tool_output: str | None = None
    answer: str

    def messages(self) -> list[dict[str, Any]]:
        """The whole chat in OpenAI/mlx-lm message form."""
        chat: list[dict[str, Any]] = [
            {"role": "system", "content": system_prompt()},
            {"role": "user", "content": user_turn(self.user)},
        ]
        if self.code is not None:
            chat.append({"role": "assistant", "content": "", "tool_calls": [tool_call(self.code)]})
            chat.append({"role": "tool", "content": self.tool_output or ""})
        chat.append({"role": "assistant", "content": self.answer})
        return chat

    def rows(self) -> list[dict[str, Any]]:
        """mlx-lm chat JSONL rows; a tool example gives two (call turn, answer turn).

        mlx-lm's ``mask_prompt`` trains only on the last message of a row, so each
        assistant turn gets a row of its own.
        """
        chat = self.messages()
        tools = [EXECUTE_CODE_TOOL]
        if self.code is None:
            return [{"messages": chat, "tools": tools}]
        return [{"messages": chat[:3], "tools": tools}, {"messages": chat, "tools": tools}]
