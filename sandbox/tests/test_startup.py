"""What a worker costs to start: it is paid for every snippet, while the model runs."""

import subprocess
import sys


def test_a_worker_starts_without_importing_pydantic():
    # pydantic would be most of a worker's start-up; only typecheck's results need it.
    code = "import sys, punie_sandbox.worker; print('pydantic' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert shown.stdout == "False\n", shown.stderr
