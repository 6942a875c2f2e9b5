"""Make MLX's CPU backend use an optimised BLAS when the machine has one.

The ``mlx[cpu]`` wheel links the reference (netlib) BLAS, whose ``sgemm`` is about
20x slower than OpenBLAS on the same machine. Loading the system OpenBLAS with
``RTLD_GLOBAL`` before ``mlx.core`` is imported puts its ``cblas_*`` symbols ahead of
the bundled ones, so MLX's matrix products run on it. Nothing changes on macOS
(MLX uses Accelerate/Metal there) or where OpenBLAS is not installed.
"""

import ctypes
import ctypes.util
import sys
from functools import cache

_OPENBLAS_NAMES = ("libopenblas.so.0", "libopenblas.so")


@cache
def use_fast_cpu_blas() -> str | None:
    """Preload OpenBLAS for MLX on Linux; return the library used, or None.

    Must run before the first ``import mlx.core`` in the process to take effect.
    """
    if not sys.platform.startswith("linux") or "mlx.core" in sys.modules:
        return None
    candidates = [*_OPENBLAS_NAMES, ctypes.util.find_library("openblas")]
    for name in filter(None, candidates):
        try:
            ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            continue
        return name
    return None
