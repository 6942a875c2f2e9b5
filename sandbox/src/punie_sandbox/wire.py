"""The callback pipe between the host and a worker: length-prefixed JSON frames.

Each frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
The worker side (inside the sandbox) only packs and unpacks frames; the host side
validates every frame it receives with the pydantic models below and treats anything
else as a protocol violation.
"""

import json
import struct
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from punie_sandbox.models import ToolName
from punie_sandbox.worker import MAX_ERROR_CHARS, MAX_ERROR_TYPE_CHARS, MAX_RESULT_CHARS

HEADER = struct.Struct(">I")
# Large enough for any workspace file a snippet should handle, small enough that a
# hostile worker cannot make the host buffer gigabytes.
MAX_FRAME_BYTES = 16 * 1024 * 1024
# Bounds of a call's fields, checked before the host uses them: a path no file system
# takes (PATH_MAX), more arguments or longer ones than exec(2) passes (MAX_ARG_STRLEN).
MAX_PATH_CHARS = 4096
MAX_ARGS = 1024
MAX_ARG_CHARS = 128 * 1024


class ProtocolError(Exception):
    """A worker broke the callback protocol (garbage, oversized or unexpected frame)."""


def pack(message: dict[str, Any]) -> bytes:
    """One frame holding ``message``."""
    body = json.dumps(message, separators=(",", ":")).encode()
    if len(body) > MAX_FRAME_BYTES:
        raise ValueError(f"message of {len(body)} bytes exceeds the {MAX_FRAME_BYTES} byte limit")
    return HEADER.pack(len(body)) + body


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ready(_Strict):
    """The worker has imported everything and waits for its snippet."""

    kind: Literal["ready"]


PathText = Annotated[str, Field(max_length=MAX_PATH_CHARS)]
ArgumentText = Annotated[str, Field(max_length=MAX_ARG_CHARS)]


class ReadFileArgs(_Strict):
    path: PathText


class WriteFileArgs(_Strict):
    path: PathText
    content: str


class RunCommandArgs(_Strict):
    command: ArgumentText
    args: list[ArgumentText] = Field(default_factory=list, max_length=MAX_ARGS)


class TypecheckArgs(_Strict):
    path: PathText = "."


_ARGS: dict[str, type[_Strict]] = {
    "read_file": ReadFileArgs,
    "write_file": WriteFileArgs,
    "run_command": RunCommandArgs,
    "typecheck": TypecheckArgs,
}


class Call(_Strict):
    """The snippet called a tool with that tool's parameter names.

    Unknown parameter names cannot come from the toolset, so they are a protocol
    violation; wrong value types are the snippet's mistake (see ``tool_arguments``).
    """

    kind: Literal["call"]
    tool: ToolName
    args: dict[str, Any]

    @model_validator(mode="after")
    def _names_fit_the_tool(self) -> "Call":
        unknown = set(self.args) - set(_ARGS[self.tool].model_fields)
        if unknown:
            raise ValueError(f"{self.tool} has no parameter(s) {sorted(unknown)}")
        return self


def tool_arguments(call: Call) -> dict[str, Any]:
    """The call's arguments checked against the tool's signature.

    Raises ``TypeError`` with a short message (what the snippet sees) on a mismatch.
    """
    try:
        return _ARGS[call.tool].model_validate(call.args).model_dump()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()
        )
        raise TypeError(f"{call.tool}() got bad arguments: {problems}") from None


class WorkerError(_Strict):
    """The exception that ended a snippet, as the worker reports it (cut to size)."""

    type: str = Field(max_length=MAX_ERROR_TYPE_CHARS)
    message: str = Field(max_length=MAX_ERROR_CHARS)


class Done(_Strict):
    """The snippet finished (normally or with an exception).

    The worker cuts its result and error to the bounds below; a longer field is a
    forged frame, refused before it can reach the model's next turn.
    """

    kind: Literal["done"]
    result: str | None = Field(None, max_length=MAX_RESULT_CHARS)
    error: WorkerError | None = None


WorkerMessage = Annotated[Ready | Call | Done, Field(discriminator="kind")]
_WORKER_MESSAGE: TypeAdapter[Ready | Call | Done] = TypeAdapter(WorkerMessage)


def parse_worker_message(body: bytes) -> Ready | Call | Done:
    """Validate one frame body from a worker; raise ``ProtocolError`` if it is not valid."""
    try:
        return _WORKER_MESSAGE.validate_json(body)
    except ValueError as exc:
        raise ProtocolError(f"invalid frame from worker: {str(exc)[:300]}") from None


def frame_length(header: bytes) -> int:
    """The body length announced by a frame header; oversized frames are a violation."""
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {length} bytes exceeds the {MAX_FRAME_BYTES} byte limit")
    return length
