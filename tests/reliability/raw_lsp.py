"""A raw JSON-RPC framing client for ``punie serve``: writes arbitrary bytes to the
server's stdin and collects every frame it answers with, so tests can send what no
well-behaved client would."""

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from tests.server.conftest import serve_command


def frame(body: bytes) -> bytes:
    """``body`` with a correct ``Content-Length`` header."""
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def message(payload: Any) -> bytes:
    """``payload`` as JSON in a correct frame."""
    return frame(json.dumps(payload).encode())


class RawServer:
    """``punie serve`` as a subprocess, spoken to in raw bytes."""

    def __init__(self, model: Path, cwd: Path, log: Path) -> None:
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            serve_command(model),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=cwd,
        )
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.received: list[dict[str, Any]] = []
        self.bytes_sent = 0
        self._by_id: dict[Any, list[dict[str, Any]]] = {}
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stdout: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                line = stdout.readline()
                if not line:
                    return
                if line.startswith(b"Content-Length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            payload = json.loads(stdout.read(length))
            with self._changed:
                self.received.append(payload)
                if "id" in payload and "method" not in payload:
                    self._by_id.setdefault(_key(payload["id"]), []).append(payload)
                elif "id" in payload:  # a server → client request: answer it with null
                    self.send({"jsonrpc": "2.0", "id": payload["id"], "result": None})
                self._changed.notify_all()

    def send_raw(self, data: bytes) -> None:
        """Write ``data`` to the server's stdin as is."""
        self.stdin.write(data)
        self.stdin.flush()
        self.bytes_sent += len(data)

    def send(self, payload: Any) -> None:
        """Write one correctly framed JSON message."""
        self.send_raw(message(payload))

    def responses(self, msg_id: Any) -> list[dict[str, Any]]:
        """Every response received so far for ``msg_id``."""
        with self._changed:
            return list(self._by_id.get(_key(msg_id), []))

    def wait_response(self, msg_id: Any, timeout: float = 60.0, count: int = 1) -> dict[str, Any]:
        """The first response to ``msg_id`` once ``count`` have arrived; fails on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._by_id.get(_key(msg_id), [])) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(
                        f"no response to id {msg_id!r} (server exit code {self.proc.poll()})"
                    )
                self._changed.wait(min(left, 0.5))
            return self._by_id[_key(msg_id)][0]

    def request(self, msg_id: Any, method: str, params: Any = None, timeout: float = 60.0) -> Any:
        """Send a request and return its response."""
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return self.wait_response(msg_id, timeout)

    def close(self) -> int:
        """Shut down and exit politely, then make sure the process is gone."""
        try:
            self.request("bye", "shutdown", None, timeout=30)
            self.send({"jsonrpc": "2.0", "method": "exit"})
            self.stdin.close()
        except (AssertionError, BrokenPipeError, ValueError):
            pass
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            self._log.close()


def _key(msg_id: Any) -> str:
    return json.dumps(msg_id)
