"""Which writes are refused (git's own files under any spelling) and which steer tools
that run later (asked every time, see ``steering_reason``)."""

from pathlib import Path

import pytest

from punie_sandbox.local import LocalHost
from punie_sandbox.paths import is_git_name, resolve_writable, steering_reason


@pytest.mark.parametrize(
    "name", [".git", ".GIT", ".git.", ".git ", ".git::$INDEX_ALLOCATION", "GIT~1", ".g\u200bit",
             ".\u200cgit", ".git\ufeff", ".gi\u200dt"]
)  # fmt: skip
def test_every_spelling_git_accepts_for_dot_git_is_recognised(name: str):
    assert is_git_name(name)


@pytest.mark.parametrize("name", [".github", ".gitignore", "git", ".gitx", "my.git"])
def test_names_that_only_look_alike_are_not_git(name: str):
    assert not is_git_name(name)


@pytest.mark.parametrize("path", [".git./config", "sub/.GIT\u200b/hooks/pre-commit", "GIT~1/HEAD"])
def test_writes_into_git_under_another_spelling_are_refused(tmp_path: Path, path: str):
    with pytest.raises(PermissionError, match="git's own files"):
        resolve_writable(tmp_path, path)


@pytest.mark.parametrize(
    ("path", "why"),
    [
        (".vscode/settings.json", "VS Code"),
        (".vscode/tasks.json", "VS Code"),
        ("proj.code-workspace", "VS Code"),
        (".envrc", "direnv"),
        ("tests/conftest.py", "pytest"),
        ("sitecustomize.py", "start-up"),
        ("lib/evil.pth", "start-up"),
        (".gitmodules", "git"),
        ("HEAD", "repository"),
        (".pre-commit-config.yaml", "pre-commit"),
    ],
)
def test_files_that_steer_tools_later_say_why(tmp_path: Path, path: str, why: str):
    reason = steering_reason(tmp_path, tmp_path / path)
    assert reason is not None
    assert why in reason


def test_anything_inside_a_virtual_environment_steers(tmp_path: Path):
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    reason = steering_reason(tmp_path, tmp_path / ".venv" / "bin" / "python")
    assert reason is not None
    assert "virtual environment .venv" in reason


def test_anything_inside_a_directory_git_takes_for_a_repository_steers(tmp_path: Path):
    gitdir = tmp_path / "gd"
    (gitdir / "objects").mkdir(parents=True)
    (gitdir / "refs").mkdir()
    (gitdir / "HEAD").write_text("ref: refs/heads/main\n")
    reason = steering_reason(tmp_path, gitdir / "config")
    assert reason is not None
    assert "gd is a git repository's own directory" in reason


@pytest.mark.parametrize("path", ["README.md", "acme/labels.py", "tests/test_acme.py", "notes.txt"])
def test_ordinary_files_do_not_steer(tmp_path: Path, path: str):
    assert steering_reason(tmp_path, tmp_path / path) is None


async def test_the_local_host_refuses_steering_writes_for_want_of_someone_to_ask(tmp_path: Path):
    with pytest.raises(PermissionError, match=r"needs the user's yes .*pytest imports it"):
        await LocalHost(tmp_path).write_file("conftest.py", "import os\n")
    assert not (tmp_path / "conftest.py").exists()
