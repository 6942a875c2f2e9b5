"""Models of every payload Punie's LSP surface carries (PROTOCOL.md §2–§4).

One module shared by the server, its CLI clients and the editors' tests: field names
are snake_case here and camelCase on the wire.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from punie_sandbox.commands import DEFAULT_ALLOW, DEFAULT_TIMEOUT_S
from punie_sandbox.models import (
    CommandResult,
    ExecResult,
    Limits,
    TypeCheckResult,
    WireModel,
)

__all__ = [
    "MAX_MESSAGE_CHARS",
    "ApprovalSettings",
    "ChatParams",
    "ChatResult",
    "CodeProgress",
    "CommandResult",
    "CommandsSettings",
    "ResetParams",
    "RunCommandParams",
    "SandboxStatus",
    "Settings",
    "StatusResult",
    "Step",
    "StepProgress",
    "TextProgress",
    "TypeCheckResult",
    "TypecheckParams",
    "Usage",
]

# Longest chat message: a cheap bound checked before anything tokenizes it (the
# model's context, checked after, is the real one).
MAX_MESSAGE_CHARS = 100_000


def _valid_text(text: str) -> str:
    """``text`` if it is valid Unicode without NUL characters, else a clear ValueError."""
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid text (it holds a lone surrogate)") from None
    return text


# Text that reaches a tokenizer, a path or a program's argv.
Text = Annotated[str, AfterValidator(_valid_text)]

# The question before a write that steers tools later (``paths.steering_reason``):
# asked whatever ``approval.writes`` says; clients tell it from a command's by its start.
STEERING_WRITE_QUESTION = (
    "Punie wants to write {path}, which steers tools later: {reason}. Allow it?"
)


def steering_write_question(path: str, reason: str) -> str:
    """The consent question for writing ``path``, which steers tools for ``reason``."""
    return STEERING_WRITE_QUESTION.format(path=path, reason=reason)


def is_steering_write_question(message: str) -> bool:
    """Whether a ``window/showMessageRequest`` is the question before such a write."""
    return message.startswith(STEERING_WRITE_QUESTION.split("{", 1)[0])


CHAT = "punie/chat"
RESET = "punie/reset"
STATUS = "punie/status"
RUN_COMMAND = "punie.runCommand"
TYPECHECK = "punie.typecheck"


class ApprovalSettings(WireModel):
    """How edits and commands are approved.

    ``writes``: ``ask`` sends every edit with a change annotation that needs the user's
    confirmation (or, for an editor without annotation support, asks first with
    ``window/showMessageRequest``); ``auto`` sends it plain, to land at once.
    """

    writes: Literal["ask", "auto"] = "ask"
    commands: Literal["ask", "auto", "deny"] = "ask"


class CommandsSettings(WireModel):
    """Commands that run without asking, and how long one may run."""

    auto_allow: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOW))
    timeout_s: float = Field(DEFAULT_TIMEOUT_S, gt=0, le=3600, allow_inf_nan=False)


class Settings(WireModel):
    """``initializationOptions`` and the ``punie`` section of ``workspace/configuration``."""

    model: str | None = None
    max_tokens: int = Field(1024, ge=1, le=1 << 20)
    temperature: float = Field(0.0, ge=0, le=10, allow_inf_nan=False)
    max_turns: int = Field(4, ge=1, le=64)
    # None: the model's own (``max_position_embeddings``).
    max_context_tokens: int | None = Field(None, ge=256, le=1 << 22)
    sandbox: Limits = Field(default_factory=Limits)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    commands: CommandsSettings = Field(default_factory=CommandsSettings)
    typecheck_on_save: bool = True
    eager_load: bool = False


class ChatParams(WireModel):
    """Params of ``punie/chat``."""

    message: Text = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    session_id: str | None = None
    work_done_token: int | str | None = None
    partial_result_token: int | str | None = None


class Step(ExecResult):
    """One executed Code Mode snippet: the code and what running it produced."""

    code: str


class Usage(WireModel):
    """Token counts and timings of one chat request. ``cached_tokens``: prompt tokens
    taken from a prompt cache instead of prefilled (the session's own, or on a new
    session's first turn the system turn every chat shares)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    ttft_ms: float = 0.0
    tokens_per_second: float = 0.0
    total_ms: float = 0.0
    turns: int = 0


class ChatResult(WireModel):
    """Result of ``punie/chat``.

    ``reply`` is never empty (a turn with nothing to say says so) and never holds
    protocol text (tool-call tags, chat-template tokens): see docs/architecture.md.
    """

    session_id: str
    reply: str
    steps: list[Step] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    stop_reason: Literal["done", "maxTurns", "error"] = "done"


class TextProgress(WireModel):
    """A streamed piece of the reply."""

    kind: Literal["text"] = "text"
    delta: str


class CodeProgress(WireModel):
    """The snippet about to run."""

    kind: Literal["code"] = "code"
    code: str


class StepProgress(WireModel):
    """A snippet that has finished running."""

    kind: Literal["step"] = "step"
    step: Step


class ResetParams(WireModel):
    """Params of ``punie/reset``."""

    session_id: str


class SandboxStatus(WireModel):
    """The sandbox part of ``punie/status``."""

    backend: Literal["bwrap", "namespaces", "seatbelt", "rlimits-only"]
    warm: int
    warning: str | None = None


class StatusResult(WireModel):
    """Result of ``punie/status``."""

    version: str
    model: str
    model_state: Literal["unloaded", "loading", "ready", "failed"]
    model_error: str | None = None
    sessions: int
    sandbox: SandboxStatus


class RunCommandParams(WireModel):
    """The single argument of ``punie.runCommand``."""

    command: Text = Field(min_length=1)
    args: list[Text] = Field(default_factory=list)
    cwd: Text | None = None


class TypecheckParams(WireModel):
    """The single (optional) argument of ``punie.typecheck``."""

    path: Text = "."
