"""The ``punie`` console script as a user runs it."""

import subprocess
import sys

from punie_server import __version__


def run_punie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "punie_server.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version_prints_the_package_version():
    done = run_punie("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"punie {__version__}"


def test_help_names_the_program():
    done = run_punie("--help")
    assert done.returncode == 0
    assert "usage: punie" in done.stdout
