"""MLX on CPU picks up the system OpenBLAS when it is there."""

import subprocess
import sys

import pytest

PROBE = """
from punie_training.accel import use_fast_cpu_blas
print(use_fast_cpu_blas())
import mlx.core as mx
print((mx.ones((4, 4)) @ mx.ones((4, 4))).sum().item())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux-only preload")
def test_openblas_is_preloaded_and_mlx_still_computes_correctly():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    library, total = done.stdout.split()
    assert "openblas" in library
    assert float(total) == 64.0
