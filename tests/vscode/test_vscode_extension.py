"""The VS Code extension (editors/vscode), through node's test runner.

`scripts/vscode-e2e-deps` installs what the suites need (Chromium, code-server 4.100.3,
the extension's npm packages; cached) and packages the .vsix; then the unit suite runs
in node with jsdom, and the end-to-end suite drives the installed .vsix in code-server
with headless Chromium against the real `punie serve` and its embedded model.
"""

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.editor

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"


def run_node_suite(script: str, env: dict[str, str], timeout_s: int) -> None:
    """Run `npm run <script>` in the extension; fail with node's report when it fails."""
    result = subprocess.run(
        ["npm", "run", "--silent", script],
        cwd=EXTENSION,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"npm run {script} failed:\n{report[-20000:]}"
    assert "# fail 0" in report, report[-5000:]


@pytest.fixture(scope="module")
def node_env() -> dict[str, str]:
    """The environment for the node suites, after installing what they need."""
    setup = subprocess.run(
        [str(REPO / "scripts" / "vscode-e2e-deps")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert setup.returncode == 0, f"scripts/vscode-e2e-deps failed:\n{setup.stderr[-5000:]}"
    code_server = setup.stdout.strip().splitlines()[-1]
    return {**os.environ, "PUNIE_CODE_SERVER": code_server}


def test_unit_suite_passes(node_env: dict[str, str]) -> None:
    run_node_suite("test", node_env, timeout_s=300)


@pytest.mark.timeout(900)
def test_end_to_end_suite_passes_in_code_server(node_env: dict[str, str]) -> None:
    run_node_suite("test:e2e", node_env, timeout_s=840)
