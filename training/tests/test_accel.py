"""MLX on CPU picks up the system BLAS that suits its work when the machine has it."""

import ctypes.util
import subprocess
import sys

import pytest

PROBE = """
import sys
from punie_training.accel import use_fast_cpu_blas
print(use_fast_cpu_blas(sys.argv[1]))
import mlx.core as mx
print((mx.ones((4, 4)) @ mx.ones((4, 4))).sum().item())
print((mx.ones((1, 300)) @ mx.ones((300, 7))).sum().item())
"""

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux-only preload")


def probe(workload: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, workload],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


@linux_only
def test_openblas_is_preloaded_for_training_and_mlx_still_computes_correctly():
    library, square, row = probe("training")
    assert "openblas" in library
    assert float(square) == 64.0
    assert float(row) == 2100.0


@linux_only
@pytest.mark.skipif(ctypes.util.find_library("blis") is None, reason="BLIS is not installed")
def test_blis_is_preloaded_for_generation_and_mlx_still_computes_correctly():
    library, square, row = probe("generation")
    assert "blis" in library
    assert float(square) == 64.0
    assert float(row) == 2100.0
