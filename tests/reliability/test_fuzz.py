"""LSP fuzzing: ten thousand hostile messages against a running ``punie serve``.

What the server guarantees on a byte stream it cannot trust:
- every request with a usable id gets exactly one answer (an LSP error with a message
  when the request is bad), never silence;
- a frame without a valid ``Content-Length`` header is skipped; a wrong length shifts
  the stream, and the server resynchronises at the next line that is a valid
  ``Content-Length`` header;
- nothing it reads makes it crash, hang or stop answering ``punie/status``.
"""

import contextlib
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.conftest import count
from tests.reliability.fuzz import Generator
from tests.reliability.raw_lsp import RawServer

pytestmark = pytest.mark.reliability

MESSAGES = 10_000
BATCH = 500


def _status_ok(server: RawServer, msg_id: str) -> None:
    answer = server.request(msg_id, "punie/status", {}, timeout=60)
    assert answer["result"]["version"], answer


def test_ten_thousand_hostile_messages_leave_the_server_answering(
    untrained_model: Path, workspace: Path, tmp_path: Path
):
    server = RawServer(untrained_model, workspace, tmp_path / "server.log")
    kinds: Counter[str] = Counter()
    owed: list[tuple[object, str]] = []
    try:
        generator = Generator(seed=20261123)
        # Before initialize: bad traffic and a status request are answered all the same.
        for fuzz in generator.messages(BATCH):
            server.send_raw(fuzz.data)
            kinds[fuzz.kind] += 1
            if fuzz.owed is not None:
                owed.append((fuzz.owed, fuzz.kind))
        _status_ok(server, "status-before-initialize")
        init = server.request(
            "init", "initialize", {"capabilities": {}, "rootUri": workspace.as_uri()}
        )
        assert "capabilities" in init["result"]
        server.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        sent = BATCH
        batches = 1
        while sent < MESSAGES:
            for fuzz in generator.messages(BATCH):
                server.send_raw(fuzz.data)
                kinds[fuzz.kind] += 1
                if fuzz.owed is not None:
                    owed.append((fuzz.owed, fuzz.kind))
            sent += BATCH
            batches += 1
            _status_ok(server, f"status-after-batch-{batches}")
        for msg_id, kind in owed:  # all but slow ones are in by now
            with contextlib.suppress(AssertionError):
                server.wait_response(msg_id, 30, count=2 if kind == "duplicate-id" else 1)
        unanswered = Counter(kind for msg_id, kind in owed if not server.responses(msg_id))
        duplicates_answered_twice = sum(
            len(server.responses(msg_id)) == 2 for msg_id, kind in owed if kind == "duplicate-id"
        )
        errors = [r for msg_id, _ in owed for r in server.responses(msg_id) if "error" in r]
        assert all(r["error"]["message"] for r in errors)
        assert server.proc.poll() is None, "the server exited"
        count(
            "fuzz",
            messages_sent=sent,
            batches=batches,
            requests_owed_an_answer=len(owed),
            unanswered=sum(unanswered.values()),
            lsp_errors_with_messages=len(errors),
            duplicate_ids_answered_twice=duplicates_answered_twice,
            megabytes_sent=server.bytes_sent // 2**20,
            **{f"kind_{k}": v for k, v in kinds.items()},
        )
        assert not unanswered, unanswered
        assert duplicates_answered_twice == kinds["duplicate-id"]
    finally:
        exit_code = server.close()
    assert exit_code == 0
