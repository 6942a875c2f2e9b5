"""The ``punie-sandbox`` console script."""

import subprocess
import sys


def test_help_describes_the_sandbox():
    done = subprocess.run(
        [sys.executable, "-m", "punie_sandbox.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "usage: punie-sandbox" in done.stdout
