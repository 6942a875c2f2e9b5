"""Ordinary commands print the same in the sandbox as on the host.

Each command runs twice on its own copy of a small git project: on the host, as a
user would in a terminal, and through ``run_argv`` under each isolation backend. The
outputs must match, but for what is meant to differ: timings, and nothing else.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from punie_sandbox.commands import COMMAND_PATH, command_env, run_argv
from punie_sandbox.isolation import Backend, available

COMMANDS = [
    ["git", "status"],
    ["git", "status", "--short"],
    ["git", "diff"],
    ["git", "log", "--stat", "--format=%H %an %s"],
    ["ls", "-l", "acme"],
    ["find", ".", "-name", "*.py", "-not", "-path", "./.git/*"],
    ["grep", "-rn", "def ", "acme", "tests"],
    ["wc", "-l", "README.md", "acme/labels.py"],
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "."],
    ["ty", "check"],
    ["pytest", "-q", "-p", "no:randomly", "tests"],
]
TIMINGS = re.compile(r"\d+\.\d+s")


def _project(root: Path) -> Path:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    (root / "acme").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "README.md").write_text("# acme\n\nA tiny project.\n")
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    (root / "acme" / "__init__.py").write_text("")
    (root / "acme" / "labels.py").write_text("def label(n: int) -> int:\n    return str(n)\n")
    (root / "tests" / "test_labels.py").write_text(
        "import os\n\nfrom acme.labels import label\n\n\ndef test_label():\n"
        "    assert label(1) == '1'\n"
    )
    for argv in (
        ["init", "-q", "-b", "main"],
        ["add", "."],
        ["-c", "user.name=A", "-c", "user.email=a@b", "commit", "-qm", "first"],
    ):
        subprocess.run(["git", *argv], cwd=root, env=env, check=True, capture_output=True)
    (root / "README.md").write_text("# acme\n\nA tiny project, changed.\n")
    (root / "notes.txt").write_text("untracked\n")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("confined") / "acme-project")


def _on_the_host(argv: list[str], workspace: Path) -> str:
    # As a user runs it, with Punie's environment active: the same programs and clean
    # environment, in the workspace, which is writable here.
    done = subprocess.run(
        argv,
        cwd=workspace,
        env={**command_env(isolated=False), "PATH": COMMAND_PATH},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout


@pytest.mark.parametrize("backend", ["bwrap", "namespaces"])
@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a[:3]) for a in COMMANDS])
async def test_an_ordinary_command_prints_the_same_in_the_sandbox(
    project: Path, tmp_path: Path, argv: list[str], backend: Backend
):
    if not available(backend):
        pytest.skip(f"{backend} does not work on this machine")
    confined = await run_argv(argv, project, backend=backend)
    # The host's copy lives elsewhere; what it prints is relative to the workspace.
    host_copy = shutil.copytree(project, tmp_path / project.name, symlinks=True)
    on_host = _on_the_host(argv, host_copy)
    assert TIMINGS.sub("<t>", confined.output) == TIMINGS.sub("<t>", on_host)
