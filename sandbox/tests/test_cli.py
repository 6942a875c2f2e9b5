"""The ``punie-sandbox`` console script (PROTOCOL §1)."""

import json
import subprocess
import sys
from pathlib import Path


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "punie_sandbox.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_describes_the_sandbox():
    done = _cli("--help")
    assert done.returncode == 0
    assert "usage: punie-sandbox" in done.stdout


def test_run_prints_the_exec_result_as_camelcase_json(tmp_path: Path):
    (tmp_path / "README.md").write_text("Acme: a project to test the sandbox")
    done = _cli(
        "run", "--workspace", str(tmp_path), "-", stdin="print(read_file('README.md')[:20])"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True
    assert result["stdout"] == "Acme: a project to t\n"
    assert result["calls"][0]["tool"] == "read_file"
    assert "durationMs" in result


def test_a_failing_snippet_still_exits_zero_and_writes_nothing(tmp_path: Path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    snippet = tmp_path / "s.py"
    snippet.write_text("write_file('../outside.txt', 'x')")
    done = _cli("run", "--workspace", str(workspace), "--timeout", "5", str(snippet))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["error"]["type"] == "PermissionError"
    assert not (tmp_path / "outside.txt").exists()


def test_usage_errors_exit_non_zero(tmp_path: Path):
    done = _cli("run", "--workspace", str(tmp_path / "missing"), "-")
    assert done.returncode == 2
    assert "is not a directory" in done.stderr


def test_nan_or_negative_limits_are_usage_errors(tmp_path: Path):
    for flag, value in (("--timeout", "nan"), ("--timeout", "-1"), ("--memory-mb", "0")):
        done = _cli("run", "--workspace", str(tmp_path), flag, value, "-")
        assert done.returncode == 2, (flag, value)
        assert flag in done.stderr
