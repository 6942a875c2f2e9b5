"""Make MLX's CPU backend use an optimised BLAS when the machine has one.

The ``mlx[cpu]`` wheel links the reference (netlib) BLAS, whose ``sgemm`` is about
20x slower than OpenBLAS on the same machine. Loading a system BLAS with
``RTLD_GLOBAL`` before ``mlx.core`` is imported puts its ``cblas_*`` symbols ahead of
the bundled ones, so MLX's matrix products run on it. Nothing changes on macOS
(MLX uses Accelerate/Metal there) or where no such library is installed.

Which library depends on the work (measured on SmolLM2-135M in float32, see
docs/benchmarks.md):

- ``generation`` multiplies each weight matrix by one row, or a few verified draft
  rows, at a time. OpenBLAS (0.3.21, Debian 12) sends such a product down its general
  path, which first copies (packs) the whole weight matrix: 43 % of a decode step went
  to ``sgemm_incopy``. BLIS reads the weights in place, so a step takes ~60 instead of
  ~105 ms. BLIS runs single-threaded: its threads spin-wait, and with another process
  on the second core two of them made a 446-token prefill ten times slower.
- ``training`` multiplies whole batches, where threaded OpenBLAS is as fast or faster.
"""

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Literal

Workload = Literal["generation", "training"]

_OPENBLAS = ("libopenblas.so.0", "libopenblas.so")
_BLIS = ("libblis.so.4", "libblis.so")


@cache
def use_fast_cpu_blas(workload: Workload = "training") -> str | None:
    """Preload the best BLAS for ``workload`` for MLX on Linux; return the library
    used, or None. BLIS is preferred for generation, OpenBLAS otherwise; each falls
    back to the other.

    Must run before the first ``import mlx.core`` in the process to take effect (so
    the first call decides for the whole process).
    """
    if not sys.platform.startswith("linux") or "mlx.core" in sys.modules:
        return None
    blis = [*_BLIS, ctypes.util.find_library("blis")]
    openblas = [*_OPENBLAS, ctypes.util.find_library("openblas")]
    candidates = [*blis, *openblas] if workload == "generation" else [*openblas, *blis]
    for name in filter(None, candidates):
        try:
            library = ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            continue
        if hasattr(library, "bli_thread_set_num_threads"):
            library.bli_thread_set_num_threads(ctypes.c_int64(1))
        return name
    return None
