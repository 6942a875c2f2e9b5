"""Data safety: unsaved work is read and never overwritten behind the user's back, and
nothing is written outside the workspace by any path a snippet can name."""

import os
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from punie_sandbox.local import LocalHost
from punie_sandbox.models import Limits
from punie_sandbox.sandbox import Sandbox
from punie_server.protocol import Settings
from tests.reliability.conftest import count
from tests.reliability.editor import Editor

pytestmark = pytest.mark.reliability


@pytest.fixture
async def sandbox() -> AsyncGenerator[Sandbox]:
    async with Sandbox(Limits(timeout_s=8), warm=1) as box:
        yield box


def _snapshot(top: Path, skip: Path) -> dict[str, bytes]:
    """Every file under ``top`` except those under ``skip`` (the workspace)."""
    files: dict[str, bytes] = {}
    for directory, _, names in os.walk(top):
        if Path(directory).is_relative_to(skip):
            continue
        for name in names:
            path = Path(directory) / name
            if not path.is_symlink():
                files[str(path)] = path.read_bytes()
    return files


def _exists(path: str) -> bool:
    return Path(path).exists()


def _bytes_written_outside(before: dict[str, bytes], after: dict[str, bytes]) -> int:
    changed = [after[k] for k in after if before.get(k) != after[k]]
    return sum(len(data) or 1 for data in changed)


async def test_read_file_returns_the_unsaved_buffer(sandbox: Sandbox, workspace: Path):
    editor = Editor(workspace)
    editor.open("notes.txt", "unsaved words\n")
    result = await sandbox.run("read_file('notes.txt')", editor.host())
    assert result.result == repr("unsaved words\n")
    assert (workspace / "notes.txt").read_text() == "saved words\n"


async def test_write_file_to_a_modified_buffer_edits_that_buffer_version(
    sandbox: Sandbox, workspace: Path
):
    editor = Editor(workspace)
    uri = editor.open("notes.txt", "draft\n", version=7)
    result = await sandbox.run("write_file('notes.txt', 'from punie\\n')", editor.host())
    assert result.ok, result
    change = (editor.edits[0].edit.document_changes or [])[-1]
    assert isinstance(change, lsp.TextDocumentEdit)
    assert change.text_document.version == 7
    assert editor.workspace.get_text_document(uri).source == "from punie\n"
    assert (workspace / "notes.txt").read_text() == "saved words\n"  # the editor saves, not us


async def test_a_stale_edit_is_rejected_and_the_users_typing_survives(
    sandbox: Sandbox, workspace: Path
):
    editor = Editor(workspace, typing_during_edit="the user kept typing\n")
    uri = editor.open("notes.txt", "draft\n", version=3)
    result = await sandbox.run("write_file('notes.txt', 'from punie\\n')", editor.host())
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert "stale" in result.error.message
    assert editor.workspace.get_text_document(uri).source == "the user kept typing\n"
    count("data_safety", stale_edits_rejected=1)


def _escapes(workspace: Path) -> list[str]:
    outside = workspace.parent / "outside.txt"
    return [
        "../outside.txt",
        "acme/../../outside.txt",
        "./../outside.txt",
        str(outside),
        "/tmp/punie-escape.txt",
        f"../{workspace.name.upper()}/x.txt",  # case tricks: a different directory here
        f"../{workspace.name}/../outside.txt",
        "link-out/x.txt",  # a symlink that points outside
        "link-out",
        "notes.txt\x00../../x",
    ]


@pytest.mark.parametrize("host_kind", ["editor", "local"])
async def test_no_path_writes_outside_the_workspace(
    sandbox: Sandbox, workspace: Path, tmp_path: Path, host_kind: str
):
    (tmp_path / "elsewhere").mkdir()
    (workspace / "link-out").symlink_to(tmp_path / "elsewhere")
    editor = Editor(workspace)
    host = editor.host() if host_kind == "editor" else LocalHost(workspace)
    before = _snapshot(tmp_path, workspace)
    refused = 0
    for path in _escapes(workspace):
        result = await sandbox.run(f"write_file({path!r}, 'escaped')", host)
        assert result.error is not None, path
        assert result.error.type in {"PermissionError", "ValueError", "FileNotFoundError"}, (
            path,
            result.error,
        )
        refused += 1
    outside = _bytes_written_outside(before, _snapshot(tmp_path, workspace))
    edits_outside = [
        e for e in editor.edits if workspace.as_uri() not in str(e.edit.document_changes)
    ]
    assert not _exists("/tmp/punie-escape.txt")
    count("data_safety", escape_writes_refused=refused, bytes_written_outside=outside)
    assert outside == 0
    assert edits_outside == []


COMMANDS = [
    ("sh", ["-c", "echo escaped > ../outside.txt"]),
    ("bash", ["-c", "cd ..; echo escaped > outside.txt"]),
    ("env", ["sh", "-c", "id"]),
    ("find", [".", "-exec", "sh", "-c", "echo escaped > ../outside.txt", ";"]),
    ("find", [".", "-fprint", "../outside.txt"]),
    ("git", ["-c", "core.pager=sh -c 'echo escaped > ../outside.txt'", "log"]),
    ("grep", ["-r", "root", "/"]),
    ("grep", ["-r", "root", ".."]),
    ("cat", ["/etc/passwd"]),
    ("ln", ["-s", "..", "up"]),
    ("ln", ["-s", "../..", "up"]),
    ("cp", ["notes.txt", "../outside.txt"]),
    ("ls", ["~"]),
]


@pytest.mark.parametrize("host_kind", ["editor", "local"])
async def test_run_command_cannot_run_a_shell_or_reach_outside(
    sandbox: Sandbox, workspace: Path, tmp_path: Path, host_kind: str
):
    # The most permissive settings: every command is allowed without asking.
    settings = Settings.model_validate({"approval": {"commands": "auto"}})
    host = (
        Editor(workspace).host(settings)
        if host_kind == "editor"
        else LocalHost(workspace, allow=[c for c, _ in COMMANDS])
    )
    before = _snapshot(tmp_path, workspace)
    for command, args in COMMANDS:
        result = await sandbox.run(f"run_command({command!r}, {args!r})", host)
        assert result.error is not None, (command, args, result)
        assert result.error.type == "PermissionError", (command, args, result.error)
    assert not (workspace / "up").exists()
    outside = _bytes_written_outside(before, _snapshot(tmp_path, workspace))
    count("data_safety", hostile_commands_refused=len(COMMANDS), bytes_written_outside=outside)
    assert outside == 0


@pytest.mark.parametrize("host_kind", ["editor", "local"])
async def test_git_config_cannot_be_written_to_make_git_status_run_a_program(
    sandbox: Sandbox, workspace: Path, host_kind: str
):
    # The chain this stops: write core.fsmonitor into .git/config, then run the
    # auto-allowed `git status`, which would run that program outside the sandbox.
    (workspace / ".git").mkdir()
    host = Editor(workspace).host() if host_kind == "editor" else LocalHost(workspace)
    code = (
        "write_file('.git/config', '[core]\\n\\tfsmonitor = \"touch pwned; false\"\\n')\n"
        "run_command('git', ['status'])\n"
    )
    result = await sandbox.run(code, host)
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert "git's own files" in result.error.message
    assert not (workspace / "pwned").exists()


STEERING = [".vscode/tasks.json", ".envrc", "tests/conftest.py", "sitecustomize.py", ".gitmodules"]


@pytest.mark.parametrize("path", STEERING)
async def test_a_write_that_steers_tools_later_asks_even_with_writes_on_auto(
    sandbox: Sandbox, workspace: Path, path: str
):
    editor = Editor(workspace, consent="Deny")
    settings = Settings.model_validate({"approval": {"writes": "auto", "commands": "auto"}})
    result = await sandbox.run(f"write_file({path!r}, 'x = 1\\n')", editor.host(settings))
    assert len(editor.prompts) == 1
    assert editor.prompts[0].startswith(f"Punie wants to write {path}, which steers tools later")
    assert result.error is not None
    assert result.error.type == "PermissionError"
    assert f"write refused by user: {path}" in result.error.message
    assert editor.edits == []
    assert not (workspace / path).exists()
    count("data_safety", steering_writes_asked=1)


async def test_a_steering_write_the_user_allows_goes_to_the_editor(
    sandbox: Sandbox, workspace: Path
):
    editor = Editor(workspace, consent="Allow")
    result = await sandbox.run("write_file('.envrc', 'export A=1\\n')", editor.host())
    assert result.ok, result
    assert len(editor.prompts) == 1
    assert len(editor.edits) == 1


async def test_an_ordinary_write_asks_nothing(sandbox: Sandbox, workspace: Path):
    editor = Editor(workspace, consent="Deny")
    result = await sandbox.run("write_file('notes.txt', 'ok\\n')", editor.host())
    assert result.ok, result
    assert editor.prompts == []


async def test_a_long_refusal_from_the_editor_is_cut_before_the_model_sees_it(
    sandbox: Sandbox, workspace: Path
):
    class Verbose(Editor):
        def _reject(self, reason: str) -> lsp.ApplyWorkspaceEditResult:
            return super()._reject("no " * 20_000)

    editor = Verbose(workspace, accept_edits=False)
    result = await sandbox.run("write_file('notes.txt', 'x')", editor.host())
    assert result.error is not None
    assert result.error.message.startswith("line 1: edit refused by editor: no no")
    assert len(result.error.message) < 600
