"""``punie ask``, ``punie chat`` and ``punie eval`` as a user runs them: real client
processes driving the real ``punie serve``.

The plumbing tests use a randomly initialised model (what it says does not matter);
the answer tests use the embedded model.
"""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from punie_server.model_manager import EMBEDDED_NAME
from punie_training.evalsuites import write_eval_workspace
from tests.scripted_model import MARKUP_REPLY


def punie(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``punie`` command with no terminal on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "punie_server.cli", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def servers_in(workspace: Path) -> list[int]:
    """Pids of processes running in ``workspace`` (the server runs with it as cwd)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == workspace.resolve():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.fixture
def eval_workspace(tmp_path: Path) -> Path:
    return write_eval_workspace(tmp_path / "ws")


def test_ask_json_prints_a_chat_result_and_leaves_no_server(
    untrained_model: Path, eval_workspace: Path
):
    done = punie(
        "ask",
        "hello",
        "--json",
        "--model",
        str(untrained_model),
        "--workspace",
        str(eval_workspace),
        cwd=eval_workspace,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["sessionId"]
    assert result["stopReason"] in {"done", "maxTurns"}
    assert result["usage"]["completionTokens"] > 0
    assert servers_in(eval_workspace) == []


MARKUP = ("<|", "|>", "<tool_call>", "</tool_call>", "</parameter>", "</function>", "tool_response")


def test_ask_never_shows_markup_in_a_reply(markup_model: Path, eval_workspace: Path):
    done = punie("ask", "hello", "--model", str(markup_model), cwd=eval_workspace)
    assert done.returncode == 0, done.stderr
    assert MARKUP_REPLY in done.stdout
    assert not [tag for tag in MARKUP if tag in done.stdout + done.stderr]


def test_ask_says_so_when_the_turn_ends_with_nothing_to_say(
    silent_model: Path, eval_workspace: Path
):
    done = punie("ask", "hello", "--model", str(silent_model), cwd=eval_workspace)
    assert done.returncode == 0, done.stderr
    assert "The model ended its turn without a reply." in done.stdout


def test_ask_with_an_unknown_model_says_so(tmp_path: Path):
    done = punie("ask", "hello", "--model", str(tmp_path / "no-such-model"), cwd=tmp_path)
    assert done.returncode == 1
    assert "no-such-model" in done.stderr


def test_ask_refuses_a_workspace_that_is_not_a_directory(tmp_path: Path):
    done = punie("ask", "hello", "--workspace", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2
    assert "not a directory" in done.stderr


def test_eval_json_reports_every_query_with_why(untrained_model: Path, tmp_path: Path):
    queries = tmp_path / "mine.jsonl"
    queries.write_text(
        '{"id": "q-1", "query": "Read README.md", "kind": "tool", '
        '"expect": {"tools": ["read_file"], "replyContains": ["acme"]}}\n'
        '{"id": "q-2", "query": "What is an ORM?", "kind": "direct", '
        '"expect": {"replyContains": ["zzz-not-there"]}}\n'
    )
    done = punie(
        "eval", "--json", "--model", str(untrained_model), "--queries", str(queries), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {"model", "suites", "results", "latency"}
    assert report["suites"]["mine"]["total"] == 2
    assert [r["id"] for r in report["results"]] == ["q-1", "q-2"]
    assert all(not r["passed"] and r["why"] for r in report["results"])
    assert report["latency"]["p95Ms"] >= report["latency"]["p50Ms"] > 0


def test_eval_runs_each_query_file_on_its_own_workspace(untrained_model: Path, tmp_path: Path):
    arguments = ["eval", "--json", "--model", str(untrained_model)]
    for name in ("alpha", "beta"):
        workspace = tmp_path / f"workspace-{name}"
        workspace.mkdir()
        (workspace / "marker.txt").write_text(f"from {name}\n")
        queries = tmp_path / f"{name}.jsonl"
        queries.write_text(
            f'{{"id": "{name}-1", "query": "hi", "kind": "direct", '
            f'"expect": {{"files": {{"marker.txt": "from {name}"}}}}}}\n'
        )
        arguments += ["--queries", str(queries), "--workspace", str(workspace)]
    done = punie(*arguments, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report["suites"]) == ["alpha", "beta"]
    assert [r["passed"] for r in report["results"]] == [True, True], report["results"]


def test_eval_refuses_workspaces_that_do_not_pair_with_the_query_files(tmp_path: Path):
    queries = [tmp_path / f"{name}.jsonl" for name in ("a", "b", "c")]
    for path in queries:
        path.write_text("")
    arguments = ["eval"]
    for path in queries:
        arguments += ["--queries", str(path)]
    arguments += ["--workspace", str(tmp_path), "--workspace", str(tmp_path)]
    done = punie(*arguments, cwd=tmp_path)
    assert done.returncode == 2
    assert "3 query files, 2 workspaces" in done.stderr


def test_chat_keeps_going_after_ctrl_c_cancels_a_turn(untrained_model: Path, eval_workspace: Path):
    chat = subprocess.Popen(
        [sys.executable, "-m", "punie_server.cli", "chat", "--model", str(untrained_model)],
        cwd=eval_workspace,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert chat.stdin is not None
    assert chat.stdout is not None
    try:
        chat.stdin.write("tell me a long story\n")
        chat.stdin.flush()
        # Wait until the turn is running, then interrupt it as Ctrl-C would.
        seen = ""
        deadline = time.monotonic() + 120
        while "Thinking" not in seen and time.monotonic() < deadline:
            seen += chat.stdout.readline()
        assert "Thinking" in seen
        chat.send_signal(signal.SIGINT)
        out, err = chat.communicate(input="hello\n/status\n", timeout=120)
    finally:
        chat.kill()
    assert chat.returncode == 0, err
    # The cancelled turn, then a whole next turn (its usage line), then the status.
    assert out.index("cancelled") < out.index("turn(s)") < out.index('"modelState": "ready"')
    assert servers_in(eval_workspace) == []


MARMALADE = "Marmalade is a command-line tool that converts recipes to shopping lists."
WHAT_IS_IT = "Read README.md and tell me what this project is"


@pytest.fixture
def marmalade(tmp_path: Path) -> Path:
    """A project the embedded model never saw, described by its README."""
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / "README.md").write_text(f"# Marmalade\n\n{MARMALADE}\n")
    return workspace


def test_ask_answers_what_the_project_is_from_its_readme(marmalade: Path):
    # The embedded model answers with the README's description: since the retrain on
    # fixtures with text files it prints the whole (short) README around it, where the
    # model before printed the description alone (docs/training.md, "Current figures").
    done = punie("ask", WHAT_IS_IT, "--json", cwd=marmalade)
    assert done.returncode == 0, done.stderr
    assert MARMALADE in json.loads(done.stdout)["reply"]


def test_ask_shows_the_step_that_read_the_readme(marmalade: Path):
    done = punie("ask", WHAT_IS_IT, cwd=marmalade)
    assert done.returncode == 0, done.stderr
    code, _, rest = done.stdout.partition("step 1: output")
    assert "step 1: code" in code
    assert 'read_file("README.md")' in code
    assert "Marmalade" in rest


@pytest.fixture(scope="module")
def seed_eval_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``punie eval --json`` on the embedded model, run once for the tests below."""
    done = punie("eval", "--json", cwd=tmp_path_factory.mktemp("eval"), timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_eval_runs_every_seed_query_through_the_embedded_model(seed_eval_report: dict):
    report = seed_eval_report
    assert report["model"] == EMBEDDED_NAME
    assert {name: s["total"] for name, s in report["suites"].items()} == {"single": 5, "multi": 5}
    assert all(r["passed"] or r["why"] != "ok" for r in report["results"])


def test_eval_on_the_embedded_model_meets_the_seed_bar(seed_eval_report: dict):
    report = seed_eval_report
    failures = {r["id"]: r["why"] for r in report["results"] if not r["passed"]}
    assert report["suites"]["single"]["passed"] == 5, failures
    assert report["suites"]["multi"]["passed"] >= 4, failures


READ_OR_CREATE = "If config.toml exists read it, otherwise create it"


def test_ask_without_a_terminal_refuses_the_edit(eval_workspace: Path):
    done = punie("ask", READ_OR_CREATE, "--json", cwd=eval_workspace)
    result = json.loads(done.stdout)
    assert not (eval_workspace / "config.toml").exists()
    errors = [step["error"] for step in result["steps"] if step["error"]]
    assert errors, result
    assert errors[0]["type"] == "PermissionError"
    assert "no terminal to ask for consent" in errors[0]["message"]


def test_ask_with_yes_writes_the_edit_to_disk(eval_workspace: Path):
    done = punie("ask", READ_OR_CREATE, "--yes", cwd=eval_workspace)
    assert done.returncode == 0, done.stderr
    assert "debug" in (eval_workspace / "config.toml").read_text()
    assert "✓ Punie: write config.toml" in done.stdout


def test_ask_on_a_terminal_applies_the_edit_the_user_accepts(eval_workspace: Path):
    main, child = pty.openpty()
    ask = subprocess.Popen(
        [sys.executable, "-m", "punie_server.cli", "ask", READ_OR_CREATE],
        cwd=eval_workspace,
        stdin=child,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    seen = b""
    try:
        deadline = time.monotonic() + 180
        while b"Apply this edit?" not in seen and time.monotonic() < deadline:
            if select.select([main], [], [], 1)[0]:
                seen += os.read(main, 4096)
        assert b"Apply this edit?" in seen, seen.decode(errors="replace")
        assert b"+debug" in seen
        os.write(main, b"y\n")
        ask.wait(timeout=180)
    finally:
        ask.kill()
        os.close(main)
    assert ask.returncode == 0
    assert "debug" in (eval_workspace / "config.toml").read_text()


def test_ask_shows_no_escape_sequence_a_file_carries(plumbing_model: Path, eval_workspace: Path):
    # A prompt-injected README that would set the clipboard (OSC 52) and the title.
    readme = eval_workspace / "README.md"
    readme.write_text(
        readme.read_text() + "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x1b\\\x1b[2J\rgone\n"
    )
    question = "Read README.md and tell me the project name"
    done = punie("ask", question, "--model", str(plumbing_model), cwd=eval_workspace)
    assert done.returncode == 0, done.stderr
    assert "acme" in done.stdout
    assert "\x1b" not in done.stdout + done.stderr
    assert "cm0gLXJmIH4" not in done.stdout
    assert "\r" not in done.stdout
