"""A seeded generator of hostile LSP traffic: every message says whether (and under
which id) the server owes an answer, so a test can hold it to that."""

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.reliability.raw_lsp import frame, message

# Values of every JSON type, none of which is what any punie/* field wants as a whole.
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    1.5,
    float("1e308"),
    "",
    "x" * 300,
    "\x00",
    "é🐍",
    [],
    [1, "a"],
    {},
    {"nested": {"deep": [None]}},
]
PUNIE_PARAMS: dict[str, list[str]] = {
    "punie/chat": ["message", "sessionId", "workDoneToken", "partialResultToken"],
    "punie/reset": ["sessionId"],
    "punie/status": [],
}
COMMAND_PARAMS: dict[str, list[str]] = {
    "punie.runCommand": ["command", "args", "cwd"],
    "punie.typecheck": ["path"],
}
# Standard methods whose params pygls structures itself (and may fail to).
LSP_METHODS = [
    "initialize",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didSave",
    "textDocument/didClose",
    "workspace/didChangeConfiguration",
    "$/cancelRequest",
    "$/setTrace",
    "workspace/executeCommand",
]


@dataclass
class Fuzz:
    """One message: the bytes, the id the server must answer (if any), its kind."""

    data: bytes
    kind: str
    owed: Any = None


def _wrong(rng: random.Random, field: str) -> Any:
    value = rng.choice(ODD_VALUES)
    # A string is right for every field except list-typed ones; never send a valid one.
    if isinstance(value, str) and field != "args":
        value = rng.choice([1, [], {}, None]) if field in ("message", "command") else 7.5
    if field in ("workDoneToken", "partialResultToken") and isinstance(value, (int, str)):
        value = [value]
    return value


def _punie_params(rng: random.Random, method: str) -> Any:
    fields = PUNIE_PARAMS[method]
    if not fields:  # punie/status: anything goes; its answer is the status
        return rng.choice(ODD_VALUES)
    if rng.random() < 0.2:
        return rng.choice([None, [], 3, "params"])
    params = {f: _wrong(rng, f) for f in fields if rng.random() < 0.6}
    bad = rng.choice(fields)
    params[bad] = _wrong(rng, bad)
    if method == "punie/chat" and "message" not in params and rng.random() < 0.5:
        params.pop("message", None)  # missing message is wrong too
    return params


def _command_args(rng: random.Random, command: str) -> Any:
    fields = COMMAND_PARAMS[command]
    if rng.random() < 0.3:
        return rng.choice([[1], ["x"], [[]], [3.5], [True]])
    args = {f: _wrong(rng, f) for f in fields if rng.random() < 0.5}
    bad = rng.choice(fields)
    args[bad] = rng.choice([1, [], {}, 2.5]) if bad != "args" else rng.choice(["ls", 3, [1]])
    return [args]


class Generator:
    """Hostile messages from a seed; ids are unique unless duplication is the point."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 0

    def _id(self) -> Any:
        self.next_id += 1
        return self.next_id if self.rng.random() < 0.5 else f"fz-{self.next_id}"

    def _request(self, method: str, params: Any, kind: str) -> Fuzz:
        msg_id = self._id()
        body = {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}
        return Fuzz(message(body), kind, msg_id)

    def messages(self, count: int) -> Iterator[Fuzz]:
        """``count`` messages of every kind, in a seeded random order."""
        makers = [
            (self.punie_request, 30),
            (self.command_request, 12),
            (self.unknown_method, 10),
            (self.lsp_bad_params, 10),
            (self.notification_with_id, 6),
            (self.malformed_json, 10),
            (self.not_an_object, 5),
            (self.bad_envelope, 6),
            (self.bad_header, 8),
            (self.duplicate_id, 3),
        ]
        funcs, weights = zip(*makers, strict=True)
        for index in range(count):
            if index % 500 == 250:
                yield self.huge()
            else:
                yield self.rng.choices(funcs, weights)[0]()

    def punie_request(self) -> Fuzz:
        method = self.rng.choice(list(PUNIE_PARAMS))
        return self._request(method, _punie_params(self.rng, method), "punie-wrong-types")

    def command_request(self) -> Fuzz:
        command = self.rng.choice(list(COMMAND_PARAMS))
        params = {"command": command, "arguments": _command_args(self.rng, command)}
        return self._request("workspace/executeCommand", params, "command-wrong-types")

    def unknown_method(self) -> Fuzz:
        method = self.rng.choice(["punie/chatt", "punie/", "foo/bar", "", "punie/status/x"])
        if self.rng.random() < 0.3:  # an unknown notification owes nothing
            body = {"jsonrpc": "2.0", "method": method + "!", "params": {}}
            return Fuzz(message(body), "unknown-notification")
        return self._request(method + str(self.rng.randrange(100)), {}, "unknown-method")

    def lsp_bad_params(self) -> Fuzz:
        method = self.rng.choice(LSP_METHODS)
        params = self.rng.choice([{}, [], 5, {"textDocument": 3}, {"capabilities": "no"}])
        if method == "$/cancelRequest":
            params = {"id": self.rng.choice(ODD_VALUES)}
        if method == "workspace/executeCommand":
            params = {"command": self.rng.choice([3, None, "nope", "punie.nope"])}
        return self._request(method, params, "lsp-bad-params")

    def notification_with_id(self) -> Fuzz:
        method = self.rng.choice(["initialized", "textDocument/didSave", "exit!", "$/progress"])
        return self._request(method, self.rng.choice([{}, None, 1]), "notification-with-id")

    def malformed_json(self) -> Fuzz:
        good = json.dumps({"jsonrpc": "2.0", "id": self._id(), "method": "punie/status"})
        cut = good[: self.rng.randrange(1, len(good) - 1)]
        body = self.rng.choice([cut, good + "}", good.replace('"', "'"), "{" * 50, "\xff"])
        return Fuzz(frame(body.encode("utf-8", "surrogatepass")), "malformed-json")

    def not_an_object(self) -> Fuzz:
        body = self.rng.choice(["[]", "[1,2]", "42", '"str"', "null", "true", "[{}]"])
        return Fuzz(frame(body.encode()), "not-an-object")

    def bad_envelope(self) -> Fuzz:
        body = self.rng.choice(
            [
                {"jsonrpc": "1.0", "id": 1, "method": "punie/status"},
                {"id": 1, "method": "punie/status"},
                {"jsonrpc": "2.0", "id": 99999999, "result": 1},
                {"jsonrpc": "2.0", "id": 99999998, "error": {"code": 1, "message": "x"}},
                {"jsonrpc": "2.0"},
                {"jsonrpc": "2.0", "method": 5},
                {"jsonrpc": 2, "method": "punie/status", "id": 3},
            ]
        )
        return Fuzz(message(body), "bad-envelope")

    def bad_header(self) -> Fuzz:
        body = json.dumps({"jsonrpc": "2.0", "method": "punie/noise"}).encode()
        choice = self.rng.randrange(6)
        if choice == 0:  # no Content-Length at all
            data = b"Content-Type: application/json\r\n\r\n" + body
        elif choice == 1:
            data = b"Content-Length: abc\r\n\r\n" + body
        elif choice == 2:
            data = b"content-length: %d\r\n\r\n" % len(body) + body
        elif choice == 3:  # too short: the rest of the body is read as header lines
            data = b"Content-Length: %d\r\n\r\n" % (len(body) // 2) + body
        elif choice == 4:  # too long: the declared bytes are consumed, whatever they are
            data = b"Content-Length: %d\r\n\r\n" % (len(body) + 7) + body + b"garbage"
        else:  # headers with junk lines and no body
            data = b"X-Junk: 1\r\nContent-Length: -3\r\n\r\n"
        # A line break after the damage: the server resynchronises at the next header line.
        return Fuzz(data + b"\r\n", "bad-header")

    def duplicate_id(self) -> Fuzz:
        msg_id = f"dup-{self._id()}"
        body = {"jsonrpc": "2.0", "id": msg_id, "method": "punie/status", "params": {}}
        return Fuzz(message(body) * 2, "duplicate-id", msg_id)

    def huge(self) -> Fuzz:
        size = self.rng.choice([1, 2, 4]) * 1024 * 1024
        params = {"message": ["x" * size]} if self.rng.random() < 0.5 else {"pad": "y" * size}
        method = self.rng.choice(["punie/chat", "punie/unknown"])
        return self._request(method, params, "huge")
