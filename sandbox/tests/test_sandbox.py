"""Running snippets: output, results, errors, callbacks, cancellation, concurrency."""

import asyncio
import os
import time
from pathlib import Path

import pytest

from punie_sandbox.local import LocalHost
from punie_sandbox.process import WorkerProcess
from punie_sandbox.sandbox import WRITE_QUOTA_BYTES, Sandbox
from punie_sandbox.worker import MAX_ERROR_CHARS

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_stdout_is_captured(sandbox: Sandbox, host: LocalHost):
    result = await sandbox.run("print('hello')\nprint(1 + 1)", host)
    assert result.ok
    assert result.stdout == "hello\n2\n"


async def test_last_expression_becomes_the_result(sandbox: Sandbox, host: LocalHost):
    result = await sandbox.run("x = [1, 2]\nx + [3]", host)
    assert result.result == "[1, 2, 3]"


async def test_a_snippet_ending_in_a_statement_has_no_result(sandbox, host):
    result = await sandbox.run("x = 1", host)
    assert result.ok
    assert result.result is None


async def test_errors_carry_type_and_snippet_line(sandbox: Sandbox, host: LocalHost):
    result = await sandbox.run("a = 1\nb = 2\nprint(x)", host)
    assert not result.ok
    assert result.error is not None
    assert result.error.type == "NameError"
    assert result.error.message == "line 3: name 'x' is not defined"


async def test_error_line_points_into_the_snippet_not_a_helper(sandbox, host):
    code = "def f():\n    return 1 / 0\n\nf()"
    result = await sandbox.run(code, host)
    assert result.error is not None
    assert result.error.type == "ZeroDivisionError"
    assert result.error.message.startswith("line 2: ")


async def test_output_before_an_error_is_kept(sandbox: Sandbox, host: LocalHost):
    result = await sandbox.run("print('before')\nraise ValueError('boom')", host)
    assert result.stdout == "before\n"
    assert result.error is not None
    assert result.error.message == "line 2: boom"


async def test_allowed_imports_work(sandbox: Sandbox, host: LocalHost):
    code = "import json, re\nfrom datetime import datetime\n"
    code += "print(json.dumps({'a': 1}), datetime.strptime('2024', '%Y').year)"
    result = await sandbox.run(code, host)
    assert result.stdout == '{"a": 1} 2024\n', result


async def test_read_file_returns_workspace_text_and_is_recorded(sandbox, host):
    result = await sandbox.run("print(read_file('README.md'))", host)
    assert result.stdout == "# Acme\nThe acme project.\n\n"
    [call] = result.calls
    assert (call.tool, call.args, call.ok) == ("read_file", {"path": "README.md"}, True)
    assert call.duration_ms >= 0


async def test_missing_file_raises_file_not_found_in_the_snippet(sandbox, host):
    code = "try:\n    read_file('nope.txt')\nexcept FileNotFoundError as e:\n    print('FNF', e)"
    result = await sandbox.run(code, host)
    assert result.stdout == "FNF no such file: nope.txt\n"
    assert result.calls[0].ok is False


async def test_write_file_writes_into_the_workspace(sandbox, host, workspace: Path):
    result = await sandbox.run("write_file('notes/todo.txt', 'done')", host)
    assert result.ok
    assert (workspace / "notes" / "todo.txt").read_text() == "done"


async def test_writing_outside_the_workspace_is_refused(sandbox, host, workspace: Path):
    result = await sandbox.run("write_file('../outside.txt', 'x')", host)
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert not (workspace.parent / "outside.txt").exists()


async def test_run_command_returns_output(sandbox, host):
    result = await sandbox.run("print(run_command('ls'))", host)
    assert "README.md" in result.stdout


async def test_run_command_marks_a_failing_exit(sandbox, host):
    result = await sandbox.run("print(run_command('ls', ['missing-dir']))", host)
    assert "[exit 2]" in result.stdout


async def test_commands_outside_the_allowlist_raise_permission_error(sandbox, host):
    result = await sandbox.run("run_command('rm', ['-rf', '.'])", host)
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert "command not allowed: rm -rf ." in result.error.message


async def test_typecheck_returns_a_real_typecheckresult(sandbox, host, workspace: Path):
    (workspace / "bad.py").write_text('x: int = "a"\n\n\ndef f() -> str:\n    return 1\n')
    code = (
        "r = typecheck('bad.py')\n"
        "print(type(r).__name__, r.success, r.error_count)\n"
        "for e in r.errors:\n"
        "    print(e.file, e.line, e.code)"
    )
    result = await sandbox._run(code, host)  # type(r).__name__ would not pass the gate
    assert result.stdout.splitlines() == [
        "TypeCheckResult False 2",
        "bad.py 1 invalid-assignment",
        "bad.py 5 invalid-explicit-return",
    ], result


async def test_a_snippet_can_use_the_result_types_without_calling_typecheck(sandbox, host):
    # They are imported on first use, inside the confined worker.
    code = "empty = TypeCheckResult(success=True, error_count=0, warning_count=0)\n"
    code += "print(empty.success, empty.errors, TypeCheckError.__name__)"
    result = await sandbox._run(code, host)  # __name__ would not pass the gate
    assert result.stdout == "True [] TypeCheckError\n", result


async def test_cancelling_run_kills_the_worker_group(sandbox: Sandbox, host: LocalHost):
    await sandbox.wait_warm(1)
    task = asyncio.create_task(sandbox.run("while True:\n    pass", host))
    await asyncio.sleep(0.3)
    [worker] = sandbox._busy
    assert worker.proc is not None
    pid = worker.proc.pid
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone_or_zombie(pid)


async def test_concurrent_runs_each_get_their_own_worker(sandbox: Sandbox, host: LocalHost):
    results = await asyncio.gather(*(sandbox.run(f"print({i})", host) for i in range(6)))
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(6)]


async def test_gated_snippets_never_start_a_worker(sandbox: Sandbox, host: LocalHost):
    async def refuse() -> WorkerProcess:
        raise AssertionError("a worker was requested for a gated snippet")

    sandbox._take = refuse
    try:
        result = await sandbox.run("import os\nos.system('true')", host)
    finally:
        del sandbox._take
    assert result.error is not None
    assert result.error.type == "SandboxViolation"
    assert result.error.message.startswith("line 1: import of 'os' is not allowed")


async def test_aclose_leaves_no_worker_behind(workspace: Path):
    sandbox = Sandbox(warm=2)
    async with sandbox:
        await sandbox.wait_warm()
        pids = [w.proc.pid for w in sandbox._spares if w.proc is not None]
        await sandbox.run("print(1)", LocalHost(workspace))
    assert len(pids) == 2
    assert all(_gone(pid) for pid in pids)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _gone_or_zombie(pid: int) -> bool:
    # SIGKILL was sent before CancelledError propagated; give the kernel a moment to act.
    for _ in range(50):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.01)
    return False


async def test_wrong_argument_types_raise_type_error_in_the_snippet(sandbox, host):
    result = await sandbox.run("read_file(123)", host)
    assert result.error is not None
    assert result.error.type == "TypeError"
    assert "read_file() got bad arguments: path: Input should be a valid string" in (
        result.error.message
    )


async def test_a_value_too_large_for_the_pipe_is_an_error_not_a_crash(
    sandbox, host, workspace: Path
):
    (workspace / "huge.txt").write_text("x" * (17 * 1024 * 1024))
    result = await sandbox.run("read_file('huge.txt')", host)
    assert result.error is not None
    assert result.error.type == "ValueError"
    assert "exceeds the 16777216 byte limit" in result.error.message


async def test_cancelling_while_a_worker_starts_kills_it(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
):
    waiting_for_ready = asyncio.Event()

    async def never_ready(self: WorkerProcess) -> None:
        waiting_for_ready.set()
        await asyncio.Event().wait()

    # The process is spawned; its "ready" frame is never read.
    monkeypatch.setattr(WorkerProcess, "receive", never_ready)
    async with Sandbox(warm=0) as sandbox:
        task = asyncio.create_task(sandbox.run("print(1)", LocalHost(workspace)))
        await asyncio.wait_for(waiting_for_ready.wait(), 30)
        [worker] = sandbox._unreaped
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert worker.proc is not None
        assert _gone_or_zombie(worker.proc.pid)


async def test_a_huge_error_message_is_cut_before_it_leaves_the_worker(sandbox, host):
    result = await sandbox.run("raise ValueError('x' * 10**7)", host)
    assert result.error is not None
    assert result.error.type == "ValueError"
    assert len(result.error.message) <= MAX_ERROR_CHARS
    assert result.error.message.endswith("…")


async def test_a_forged_done_frame_with_a_huge_result_is_a_protocol_error(sandbox, host):
    forge = (
        "import json, os, sys\n"
        "c = json.loads(sys.argv[1])\n"
        "body = json.dumps({'kind': 'done', 'result': 'x' * 10**6}).encode()\n"
        "os.write(c['fd_out'], len(body).to_bytes(4, 'big') + body)\n"
        "import time\ntime.sleep(5)\n"
    )
    result = await sandbox._run(forge, host)  # gate bypassed: the worker lies
    assert result.error is not None
    assert result.error.type == "SandboxProtocolError"
    assert len(result.error.message) < 1000


async def test_a_host_error_is_cut_before_the_snippet_sees_it(sandbox, workspace: Path):
    class LongWinded(LocalHost):
        async def read_file(self, path: str) -> str:
            raise PermissionError("no " * 100_000)

    result = await sandbox.run("read_file('README.md')", LongWinded(workspace))
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert len(result.error.message) <= MAX_ERROR_CHARS


async def test_writes_past_the_per_run_quota_are_refused(sandbox, host, workspace: Path):
    chunk = WRITE_QUOTA_BYTES // 4
    code = f"for i in range(6):\n    write_file(f'big{{i}}.txt', 'x' * {chunk})\n"
    result = await sandbox.run(code, host)
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert "write quota exceeded" in result.error.message
    assert sorted(os.listdir(workspace)) == ["README.md", *(f"big{i}.txt" for i in range(4))]


@pytest.mark.parametrize(
    "call",
    ["read_file('\\ud800')", "write_file('a.txt', 'x\\udfff')", "run_command('ls', ['\\ud800'])"],
)
async def test_a_lone_surrogate_in_a_call_is_a_clear_value_error(sandbox, host, call: str):
    result = await sandbox.run(f"try:\n    {call}\nexcept ValueError as e:\n    print(e)", host)
    assert result.ok, result
    assert "lone surrogate" in result.stdout
    assert result.calls == []


async def test_a_nul_in_a_command_argument_is_a_clear_value_error(sandbox, host):
    result = await sandbox.run("run_command('ls', ['a\\x00b'])", host)
    assert result.error is not None
    assert result.error.type == "ValueError"
    assert "NUL character" in result.error.message
