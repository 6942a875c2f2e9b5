"""LocalHost and its pieces: confined paths, atomic writes, allowlisted commands, ty."""

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from punie_sandbox.commands import DEFAULT_ALLOW, check_command, is_allowed, run_argv
from punie_sandbox.local import LocalHost
from punie_sandbox.paths import resolve_inside
from punie_sandbox.typecheck import parse_gitlab, run_ty


def test_paths_inside_resolve(tmp_path: Path):
    assert resolve_inside(tmp_path, "a/b.txt") == tmp_path.resolve() / "a" / "b.txt"


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/etc/passwd"])
def test_paths_leaving_the_root_are_refused(tmp_path: Path, path: str):
    with pytest.raises(PermissionError, match="outside the workspace"):
        resolve_inside(tmp_path / "ws", path)


def test_symlinks_pointing_out_are_refused(tmp_path: Path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(PermissionError):
        resolve_inside(root, "link/secret.txt")


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["git", "status", "-s"], True),
        (["git", "push"], False),
        (["ls", "-la"], True),
        (["lsblk"], False),
        (["rm", "-rf", "/"], False),
    ],
)
def test_allowlist_matches_leading_words(argv: list[str], allowed: bool):
    assert is_allowed(argv, DEFAULT_ALLOW) is allowed


async def test_run_argv_kills_the_group_on_timeout(tmp_path: Path):
    marker = tmp_path / "late"
    script = (
        "import subprocess, time; subprocess.Popen(['sleep', '5']); time.sleep(5); "
        f"open('{marker}', 'w')"
    )
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"timed out after 0\.5 s"):
        await run_argv(["python3", "-c", script], tmp_path, timeout_s=0.5)
    assert time.monotonic() - started < 3
    await asyncio.sleep(0.2)
    assert not marker.exists()


async def test_run_argv_caps_output(tmp_path: Path):
    done = await run_argv(["yes"], tmp_path, timeout_s=5, max_output_bytes=1000)
    assert done.truncated
    assert len(done.output) == 1000


async def test_run_argv_scrubs_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PUNIE_TEST_SECRET", "hunter2")
    done = await run_argv(["env"], tmp_path)
    assert "hunter2" not in done.output
    assert "PATH=" in done.output


async def test_local_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path):
    host = LocalHost(tmp_path)
    await host.write_file("a.txt", "one")
    await host.write_file("a.txt", "two")
    assert (tmp_path / "a.txt").read_text() == "two"
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


async def test_local_write_through_an_outward_symlink_is_refused(tmp_path: Path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "out").symlink_to(tmp_path)
    with pytest.raises(PermissionError):
        await LocalHost(root).write_file("out/escaped.txt", "x")
    assert not (tmp_path / "escaped.txt").exists()


async def test_local_run_command_refuses_unlisted_programs(tmp_path: Path):
    with pytest.raises(PermissionError, match="command not allowed: python3"):
        await LocalHost(tmp_path).run_command("python3", ["-c", "print(1)"])


async def test_local_run_command_appends_the_exit_code(tmp_path: Path):
    output = await LocalHost(tmp_path, allow=["false"]).run_command("false")
    assert output.endswith("[exit 1]")


def test_gitlab_output_is_parsed_into_typecheckresult(tmp_path: Path):
    entry = {
        "check_name": "invalid-assignment",
        "description": "invalid-assignment: Object of type `str` is not assignable to `int`",
        "severity": "major",
        "fingerprint": "x",
        "location": {
            "path": str(tmp_path / "pkg" / "a.py"),
            "positions": {"begin": {"line": 3, "column": 5}, "end": {"line": 3, "column": 9}},
        },
    }
    warning = {**entry, "severity": "minor", "check_name": "unused-ignore-comment"}
    result = parse_gitlab(json.dumps([entry, warning]), tmp_path)
    assert (result.success, result.error_count, result.warning_count) == (False, 1, 1)
    first = result.errors[0]
    assert (first.file, first.line, first.column) == ("pkg/a.py", 3, 5)
    assert first.message == "Object of type `str` is not assignable to `int`"


async def test_real_ty_reports_errors_with_relative_paths(tmp_path: Path):
    (tmp_path / "ok.py").write_text("x: int = 1\n")
    (tmp_path / "bad.py").write_text("def f() -> str:\n    return 1\n")
    result = await run_ty(tmp_path)
    assert result.error_count == 1
    assert (result.errors[0].file, result.errors[0].line) == ("bad.py", 2)
    assert (await run_ty(tmp_path, "ok.py")).success


async def test_typecheck_of_a_missing_path_raises_file_not_found(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        await run_ty(tmp_path, "missing.py")


@pytest.mark.parametrize(
    "argv",
    [
        ["sh", "-c", "id"],
        ["/bin/bash", "-c", "id"],
        ["env", "ls"],
        ["xargs", "rm"],
        ["git", "-c", "core.pager=sh -c id", "log"],
        ["git", "-ccore.pager=id", "log"],
        ["git", "--config-env=core.pager=X", "log"],
        ["git", "--exec-path=bin", "status"],
    ],
)
def test_shells_launchers_and_git_config_options_are_refused(tmp_path: Path, argv: list[str]):
    with pytest.raises(PermissionError, match="not allowed"):
        check_command(tmp_path, argv)


def test_git_sub_command_options_that_look_like_config_options_pass(tmp_path: Path):
    check_command(tmp_path, ["git", "log", "-c", "--oneline"])


@pytest.mark.parametrize("path", [".git/config", ".GIT/config", "sub/.git/config", ".git"])
async def test_local_write_to_gits_own_files_is_refused(tmp_path: Path, path: str):
    # git config can name programs (core.fsmonitor) that `git status` would run.
    with pytest.raises(PermissionError, match="git's own files"):
        await LocalHost(tmp_path).write_file(path, "[core]\n\tfsmonitor = touch pwned\n")
    assert not (tmp_path / "pwned").exists()
