"""Models of every payload Punie's LSP surface carries (PROTOCOL.md §2–§4).

One module shared by the server, its CLI clients and the editors' tests: field names
are snake_case here and camelCase on the wire.
"""

from typing import Literal

from pydantic import Field

from punie_sandbox.commands import DEFAULT_ALLOW
from punie_sandbox.models import (
    CommandResult,
    ExecResult,
    Limits,
    TypeCheckResult,
    WireModel,
)

__all__ = [
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

CHAT = "punie/chat"
RESET = "punie/reset"
STATUS = "punie/status"
RUN_COMMAND = "punie.runCommand"
TYPECHECK = "punie.typecheck"


class ApprovalSettings(WireModel):
    """How edits and commands are approved."""

    writes: Literal["ask", "auto"] = "ask"
    commands: Literal["ask", "auto", "deny"] = "ask"


class CommandsSettings(WireModel):
    """Commands that run without asking."""

    auto_allow: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOW))


class Settings(WireModel):
    """``initializationOptions`` and the ``punie`` section of ``workspace/configuration``."""

    model: str | None = None
    max_tokens: int = 1024
    temperature: float = 0.0
    max_turns: int = 4
    sandbox: Limits = Field(default_factory=Limits)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    commands: CommandsSettings = Field(default_factory=CommandsSettings)
    typecheck_on_save: bool = True
    eager_load: bool = False


class ChatParams(WireModel):
    """Params of ``punie/chat``."""

    message: str = Field(min_length=1)
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
    """Result of ``punie/chat``."""

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

    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    cwd: str | None = None


class TypecheckParams(WireModel):
    """The single (optional) argument of ``punie.typecheck``."""

    path: str = "."
