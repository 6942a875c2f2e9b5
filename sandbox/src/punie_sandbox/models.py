"""Pydantic models for every payload that crosses the sandbox boundary.

Field names are snake_case in Python and camelCase on the wire (LSP convention), so
``model_dump(by_alias=True)`` is what goes into JSON and either form validates.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

ToolName = Literal["read_file", "write_file", "run_command", "typecheck"]
KillReason = Literal["timeout", "memory", "output"]


class WireModel(BaseModel):
    """Base for wire payloads: camelCase aliases, population by either name."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict with camelCase keys."""
        return self.model_dump(mode="json", by_alias=True)


class TypeCheckError(WireModel):
    """One diagnostic reported by ty."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str


class TypeCheckResult(WireModel):
    """What ``typecheck()`` returns to a snippet and ``punie.typecheck`` to an editor."""

    success: bool
    error_count: int
    warning_count: int
    errors: list[TypeCheckError] = Field(default_factory=list)


class CommandResult(WireModel):
    """The outcome of one ``punie.runCommand`` / ``run_command`` call."""

    exit_code: int
    output: str
    truncated: bool = False


class SnippetError(WireModel):
    """An exception that ended a snippet (or the reason it never started)."""

    type: str
    message: str


class CallRecord(WireModel):
    """One callback a snippet made, as recorded by the host side."""

    tool: ToolName
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool
    duration_ms: float


class ExecResult(WireModel):
    """Everything the caller learns from running one snippet."""

    ok: bool
    stdout: str = ""
    result: str | None = None
    error: SnippetError | None = None
    killed: KillReason | None = None
    duration_ms: float = 0.0
    calls: list[CallRecord] = Field(default_factory=list)


class Limits(WireModel):
    """Resource limits for one snippet run (the ``sandbox`` settings section).

    Each must be positive and finite (NaN, infinity, zero or a negative value is a
    validation error naming the field), and no larger than a bound the host can honour.
    """

    timeout_s: float = Field(10.0, gt=0, le=3600, allow_inf_nan=False)
    memory_mb: int = Field(512, ge=32, le=1 << 20)
    max_output_bytes: int = Field(65536, gt=0, le=16 * 1024 * 1024)
