"""LocalHost and its pieces: confined paths, atomic writes, allowlisted commands, ty."""

import asyncio
import json
import os
import pwd
import subprocess
import time
from pathlib import Path

import pytest

from punie_sandbox import cgroup
from punie_sandbox.commands import (
    DEFAULT_ALLOW,
    check_command,
    command_env,
    is_allowed,
    run_argv,
)
from punie_sandbox.isolation import Backend, available
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


def _processes_with(marker: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                found.append(pid)
        except OSError:
            continue
    return found


async def test_run_argv_kills_everything_it_started_on_timeout(workspace: Path):
    marker = "7.654321"  # a sleep nobody else runs
    script = f"import subprocess, time; subprocess.Popen(['sleep', '{marker}']); time.sleep(9)"
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"timed out after 0\.5 s"):
        await run_argv(["python3", "-c", script], workspace, timeout_s=0.5)
    assert time.monotonic() - started < 3
    await asyncio.sleep(0.2)
    assert _processes_with(marker) == []


async def test_run_argv_caps_output(workspace: Path):
    done = await run_argv(["yes"], workspace, timeout_s=5, max_output_bytes=1000)
    assert done.truncated
    assert len(done.output) == 1000


async def test_run_argv_scrubs_the_environment(workspace: Path, monkeypatch):
    monkeypatch.setenv("PUNIE_TEST_SECRET", "hunter2")
    done = await run_argv(["env"], workspace)
    assert "hunter2" not in done.output
    assert "PATH=" in done.output


async def test_a_command_sees_the_workspace_read_only(workspace: Path):
    done = await run_argv(["touch", "made.txt"], workspace)
    assert done.exit_code != 0
    assert "Read-only file system" in done.output
    assert not (workspace / "made.txt").exists()


async def test_a_command_sees_nothing_outside_the_workspace(workspace: Path, tmp_path: Path):
    (tmp_path / "secret.txt").write_text("hunter2")
    (workspace / "out").symlink_to(tmp_path)
    done = await run_argv(["cat", "out/secret.txt"], workspace)
    assert "hunter2" not in done.output
    assert "No such file or directory" in done.output


async def test_a_command_writes_only_to_a_private_tmp_that_is_thrown_away(workspace: Path):
    first = await run_argv(["python3", "-c", "open('/tmp/kept', 'w').write('x')"], workspace)
    second = await run_argv(["ls", "/tmp"], workspace)
    assert first.exit_code == 0, first.output
    assert "kept" not in second.output
    assert "kept" not in os.listdir("/tmp")


@pytest.mark.skipif(os.geteuid() != 0, reason="as root, commands run as nobody")
async def test_a_root_host_runs_commands_as_nobody(workspace: Path):
    done = await run_argv(["id", "-un"], workspace)
    assert done.output.strip() == "nobody"


@pytest.mark.skipif(os.geteuid() != 0, reason="as root, commands run as nobody")
async def test_a_workspace_nobody_cannot_enter_is_refused_clearly(tmp_path: Path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    with pytest.raises(PermissionError, match="chmod o\\+rx"):
        await run_argv(["ls"], private)


async def test_git_ignores_the_users_global_configuration(workspace: Path, monkeypatch):
    home = workspace.parent / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[alias]\n\tst = status\n")
    monkeypatch.setenv("HOME", str(home))
    done = await run_argv(["git", "st"], workspace)
    assert "'st' is not a git command" in done.output


async def test_a_missing_program_raises_file_not_found(workspace: Path):
    with pytest.raises(FileNotFoundError, match="no such program: no-such-tool"):
        await run_argv(["no-such-tool"], workspace)


async def test_a_file_that_cannot_be_executed_raises_permission_error(workspace: Path):
    with pytest.raises(PermissionError, match=r"cannot run \./README\.md"):
        await run_argv(["./README.md"], workspace)


@pytest.mark.skipif(not cgroup.available(), reason="no memory cgroup on this machine")
async def test_a_command_over_its_memory_limit_is_killed_and_says_so(workspace: Path):
    fill = "import os\nf = os.memfd_create('x')\nwhile True:\n    os.write(f, b'x' * 2**20)\n"
    done = await run_argv(["python3", "-c", fill], workspace, memory_mb=64)
    assert done.exit_code != 0
    assert done.output.endswith("[killed: out of memory (limit 64 MB)]")


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


async def test_local_run_command_appends_the_exit_code(workspace: Path):
    output = await LocalHost(workspace, allow=["false"]).run_command("false")
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


async def test_real_ty_reports_errors_with_relative_paths(workspace: Path):
    (workspace / "ok.py").write_text("x: int = 1\n")
    (workspace / "bad.py").write_text("def f() -> str:\n    return 1\n")
    result = await run_ty(workspace)
    assert result.error_count == 1
    assert (result.errors[0].file, result.errors[0].line) == ("bad.py", 2)
    assert (await run_ty(workspace, "ok.py")).success


async def test_ty_sees_no_configured_path_outside_the_workspace(workspace: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.py").write_text("SECRET = 'hunter2'\n")
    (workspace / "ty.toml").write_text(f'[environment]\nextra-paths = ["{outside}"]\n')
    (workspace / "a.py").write_text("import leak\nreveal_type(leak.SECRET)\n")
    with pytest.raises(RuntimeError, match="does not point to a directory") as failed:
        await run_ty(workspace)
    assert "hunter2" not in str(failed.value)


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


@pytest.mark.parametrize(
    "argv",
    [
        ["ruff", "check", "-o/tmp/x.txt"],  # a short option's attached value
        ["grep", "-rf/etc/passwd", "."],  # ... after a cluster of flags
        ["ruff", "check", "-olink/x.txt"],  # ... through a symlink out
        ["ruff", "check", "--output-file=../x.txt"],
        ["ruff", "check", "--config", "cache-dir = '/tmp/cache'"],  # a config string
        ["ruff", "check", "--config=extend = '~/ruff.toml'"],
        ["find", ".", "-fprintf", ".git", "gitdir: gd"],  # find actions that write
        ["find", ".", "-delete"],
    ],
)
def test_arguments_that_reach_outside_or_write_are_refused(workspace: Path, argv: list[str]):
    (workspace / "link").symlink_to(workspace.parent)
    with pytest.raises(PermissionError, match=r"outside the workspace|writes files"):
        check_command(workspace, argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["git", "log", "--format=%h %s"],
        ["grep", "-rn", "def label", "acme/"],
        ["find", ".", "-name", "*.py", "-path", "./acme/*"],
        ["ruff", "check", "--select=E,F", "-q", "acme"],
    ],
)
def test_ordinary_arguments_pass_the_checks(workspace: Path, argv: list[str]):
    check_command(workspace, argv)


def test_a_nul_in_an_argument_is_a_value_error(workspace: Path):
    with pytest.raises(ValueError, match="NUL character"):
        check_command(workspace, ["ls", "a\x00b"])


def _git(*args: str, cwd: Path) -> None:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _repository(path: Path, secret: str) -> Path:
    path.mkdir()
    _git("init", "-q", "-b", "main", cwd=path)
    (path / "notes.txt").write_text(secret)
    _git("add", ".", cwd=path)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "notes", cwd=path)
    return path


async def test_git_works_in_a_worktree_whose_repository_is_outside(tmp_path: Path):
    main = _repository(tmp_path / "main", "hello\n")
    _git("worktree", "add", "-q", "-b", "side", str(tmp_path / "side"), cwd=main)
    done = await run_argv(["git", "status", "--short", "--branch"], tmp_path / "side")
    assert done.output == "## side\n", done.output


async def test_a_git_file_pointing_at_another_repository_shows_none_of_it(tmp_path: Path):
    other = _repository(tmp_path / "other", "hunter2\n")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / ".git").write_text(f"gitdir: {other / '.git'}\n")
    done = await run_argv(["git", "log", "-p", "--all"], workspace)
    assert "hunter2" not in done.output
    assert "not a git repository" in done.output


async def test_a_local_write_keeps_the_files_mode_and_gives_a_new_file_the_usual_one(
    workspace: Path,
):
    (workspace / "script.sh").write_text("echo hi\n")
    (workspace / "script.sh").chmod(0o755)
    host = LocalHost(workspace)
    await host.write_file("script.sh", "echo bye\n")
    await host.write_file("new.txt", "x")
    assert (workspace / "script.sh").stat().st_mode & 0o777 == 0o755
    umask = os.umask(0)
    os.umask(umask)
    assert (workspace / "new.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_git_trusts_the_workspace_only_inside_the_sandbox():
    # Outside it, git's ownership check must stand: a repository of someone else's
    # could name programs (core.fsmonitor) that git would run as the user.
    assert command_env(isolated=True)["GIT_CONFIG_KEY_0"] == "safe.directory"
    assert "GIT_CONFIG_KEY_0" not in command_env(isolated=False)
    assert command_env(isolated=False)["GIT_CONFIG_GLOBAL"] == "/dev/null"


@pytest.mark.parametrize("backend", ["bwrap", "namespaces"])
async def test_a_command_sees_its_own_user_tables_not_the_machines(
    workspace: Path, backend: Backend
):
    if not available(backend):
        pytest.skip(f"{backend} does not work on this machine")
    argv = ["python3", "-c", "print(open('/etc/passwd').read())"]
    done = await run_argv(argv, workspace, backend=backend)
    names = {line.split(":")[0] for line in done.output.split()}
    assert names == {pwd.getpwuid(uid).pw_name for uid in _expected_users(workspace)}
    assert "/root" not in done.output


def _expected_users(workspace: Path) -> set[int]:
    return {0, 65534, os.getuid(), workspace.stat().st_uid}
