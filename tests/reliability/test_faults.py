"""Faults: each one gives the user a clear message, and the next run (or chat) works.

Snippet faults drive the real sandbox and ``LspHost`` with known snippets (an editor
stand-in answers applyEdit and consent), so the snippet, not a model, decides what
happens; model-directory faults go through the real ``punie serve``.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from punie_sandbox.models import ExecResult, Limits
from punie_sandbox.sandbox import Sandbox
from punie_server import lsp_host
from tests.reliability.conftest import alive, count, worker_pids
from tests.reliability.editor import Editor
from tests.server.conftest import chat, editor_session

pytestmark = pytest.mark.reliability

HEALTHY = "print(read_file('README.md').splitlines()[0])"


@pytest.fixture
async def sandbox() -> AsyncGenerator[Sandbox]:
    async with Sandbox(Limits(timeout_s=8), warm=1) as box:
        yield box
    assert not alive(worker_pids(os.getpid())), "a worker outlived the sandbox"


async def _next_run_works(sandbox: Sandbox, editor: Editor) -> None:
    result = await sandbox.run(HEALTHY, editor.host())
    assert result.ok, result
    assert result.stdout == "# acme\n"


def _fault(name: str) -> None:
    count("faults", injected=1, **{name: 1})


class KillsWorkerOnRead:
    """A host whose ``read_file`` SIGKILLs the sandbox's workers before answering."""

    def __init__(self, editor: Editor) -> None:
        self.inner = editor.host()
        self.killed: set[int] = set()

    async def read_file(self, path: str) -> str:
        """Kill every worker of this process, then answer as usual."""
        for pid in worker_pids(os.getpid()):
            os.kill(pid, signal.SIGKILL)
            self.killed.add(pid)
        await asyncio.sleep(0.2)
        return await self.inner.read_file(path)

    async def write_file(self, path: str, content: str) -> None:
        """Unused."""
        await self.inner.write_file(path, content)

    async def run_command(self, command: str, args: list[str] | None = None) -> str:
        """Unused."""
        return await self.inner.run_command(command, args)

    async def typecheck(self, path: str = "."):
        """Unused."""
        return await self.inner.typecheck(path)


async def test_worker_killed_mid_callback_fails_the_run_clearly(sandbox: Sandbox, workspace: Path):
    editor = Editor(workspace)
    host = KillsWorkerOnRead(editor)
    result = await sandbox.run("x = read_file('README.md')\nprint('never')", host)
    _fault("worker_sigkill_mid_callback")
    assert host.killed
    assert not result.ok
    assert result.error is not None
    assert result.error.message
    assert "never" not in result.stdout
    await _next_run_works(sandbox, editor)


async def test_worker_closing_its_callback_pipe_fails_the_run_clearly(
    sandbox: Sandbox, workspace: Path
):
    editor = Editor(workspace)
    code = (
        "import json, os, sys\n"
        "c = json.loads(sys.argv[1])\n"
        "os.close(c['fd_out'])\n"
        "read_file('README.md')\n"
    )
    result = await sandbox._run(code, editor.host())  # gate bypassed: the worker misbehaves
    _fault("worker_closed_pipe")
    assert not result.ok
    assert result.error is not None
    assert result.error.message
    await _next_run_works(sandbox, editor)


async def test_worker_flooding_its_callback_pipe_is_killed_with_a_protocol_error(
    sandbox: Sandbox, workspace: Path
):
    editor = Editor(workspace)
    code = (
        "import json, os, sys\n"
        "c = json.loads(sys.argv[1])\n"
        "while True:\n"
        "    os.write(c['fd_out'], b'\\xff' * 65536)\n"
    )
    result = await sandbox._run(code, editor.host())
    _fault("worker_flooded_pipe")
    assert not result.ok
    assert result.error is not None
    assert result.error.type == "SandboxProtocolError", result.error
    await _next_run_works(sandbox, editor)


def _bin_without_ty(bare: Path) -> Path:
    bare.mkdir()
    (bare / "python").symlink_to(os.path.realpath(sys.executable))
    for tool in ("bwrap", "unshare"):  # the sandbox's launchers stay findable
        found = shutil.which(tool)
        if found:
            (bare / tool).symlink_to(found)
    return bare


async def test_ty_missing_gives_a_clear_error_and_the_next_run_works(
    sandbox: Sandbox, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # ty is looked up next to the interpreter, then on PATH: hide both.
    bare = _bin_without_ty(tmp_path / "bin")
    monkeypatch.setattr(sys, "executable", str(bare / "python"))
    monkeypatch.setenv("PATH", str(bare))
    editor = Editor(workspace)
    result = await sandbox.run("typecheck('.')", editor.host())
    _fault("ty_missing")
    assert not result.ok
    assert result.error is not None
    assert "ty is not installed" in result.error.message
    monkeypatch.undo()
    checked = await sandbox.run("r = typecheck('.')\nr.error_count", editor.host())
    assert checked.ok, checked
    assert checked.result == "1"


async def test_an_editor_refusing_every_edit_gives_permission_errors_and_loses_nothing(
    sandbox: Sandbox, workspace: Path
):
    editor = Editor(workspace, accept_edits=False)
    before = (workspace / "notes.txt").read_text()
    results: list[ExecResult] = []
    for target in ("notes.txt", "new.txt", "acme/labels.py"):
        results.append(await sandbox.run(f"write_file({target!r}, 'x')", editor.host()))
    _fault("editor_refuses_edits")
    for result in results:
        assert result.error is not None
        assert result.error.type == "PermissionError"
        assert "edit refused by editor: user refused" in result.error.message
    assert (workspace / "notes.txt").read_text() == before
    assert not (workspace / "new.txt").exists()
    await _next_run_works(sandbox, editor)


async def test_an_unanswered_consent_request_times_out_as_a_refusal(
    sandbox: Sandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(lsp_host, "CONSENT_TIMEOUT_S", 0.5)
    editor = Editor(workspace, consent=None)
    result = await sandbox.run("run_command('touch', ['made.txt'])", editor.host())
    _fault("consent_never_answered")
    assert editor.prompts == ["Punie wants to run `touch made.txt`. Allow it?"]
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert "no answer to the request to run `touch made.txt`" in result.error.message
    assert not (workspace / "made.txt").exists()
    await _next_run_works(sandbox, editor)


async def test_an_unanswered_edit_times_out_as_a_refusal(
    sandbox: Sandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(lsp_host, "CONSENT_TIMEOUT_S", 0.5)
    editor = Editor(workspace, accept_edits=None)
    before = (workspace / "notes.txt").read_text()
    result = await sandbox.run("write_file('notes.txt', 'x')", editor.host())
    _fault("edit_never_answered")
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert "the editor did not answer the edit of notes.txt" in result.error.message
    assert (workspace / "notes.txt").read_text() == before
    await _next_run_works(sandbox, editor)


def _sandbox_cli(workspace: Path, code: str, *, file_limit: int | None) -> str:
    def limit() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    done = subprocess.run(
        [sys.executable, "-m", "punie_sandbox.cli", "run", "--workspace", str(workspace), "-"],
        input=code,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        check=True,
    )
    return done.stdout


def test_disk_full_on_write_fails_clearly_and_keeps_the_old_file(workspace: Path):
    # The file-size rlimit of the writing process stands in for a full disk.
    before = (workspace / "notes.txt").read_text()
    out = _sandbox_cli(workspace, "write_file('notes.txt', 'z' * 200_000)", file_limit=50_000)
    _fault("disk_full_rlimit")
    result = ExecResult.model_validate_json(out)
    assert result.error is not None
    assert "File too large" in result.error.message
    assert (workspace / "notes.txt").read_text() == before
    assert [p.name for p in workspace.iterdir() if p.name.startswith(".notes")] == []
    after = ExecResult.model_validate_json(
        _sandbox_cli(workspace, "write_file('notes.txt', 'ok')", file_limit=None)
    )
    assert after.ok, after
    assert (workspace / "notes.txt").read_text() == "ok"


def test_disk_full_on_a_tiny_tmpfs_fails_clearly_and_keeps_the_old_file(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=False
        ).returncode
    ):
        pytest.skip("cannot mount a tmpfs here (the rlimit test covers disk full)")
    try:
        (mount / "notes.txt").write_text("saved words\n")
        out = _sandbox_cli(mount, "write_file('notes.txt', 'z' * 500_000)", file_limit=None)
        _fault("disk_full_tmpfs")
        result = ExecResult.model_validate_json(out)
        assert result.error is not None
        assert "No space left on device" in result.error.message
        assert (mount / "notes.txt").read_text() == "saved words\n"
        after = ExecResult.model_validate_json(
            _sandbox_cli(mount, "write_file('notes.txt', 'ok')", file_limit=None)
        )
        assert after.ok, after
    finally:
        subprocess.run(["umount", str(mount)], check=False)


async def test_model_directory_deleted_after_loading_does_not_stop_chats(
    untrained_model: Path, workspace: Path, tmp_path: Path
):
    model = tmp_path / "model"
    shutil.copytree(untrained_model, model)
    async with editor_session(model, workspace, {"maxTokens": 3}) as client:
        first = await chat(client, "hello")
        shutil.rmtree(model)
        _fault("model_dir_deleted_after_load")
        second = await chat(client, "again", sessionId=first.sessionId)
    assert second.stopReason in {"done", "maxTurns"}


async def test_model_directory_deleted_before_loading_fails_clearly_then_recovers(
    untrained_model: Path, workspace: Path, tmp_path: Path
):
    model = tmp_path / "model"
    async with editor_session(model, workspace, {"maxTokens": 3}) as client:
        with pytest.raises(JsonRpcException, match="does not exist"):
            await chat(client, "hello")
        _fault("model_dir_deleted_before_load")
        status = await client.protocol.send_request_async("punie/status", {})
        assert status.modelState == "failed"
        shutil.copytree(untrained_model, model)
        after = await chat(client, "hello again")
    assert after.stopReason in {"done", "maxTurns"}
