"""Set-up shared by every package's tests, run before any test module is imported."""

from punie_training.accel import use_fast_cpu_blas

# The first import of mlx.core in a process fixes its BLAS for good. Without this, a test
# module that imports MLX at collection time leaves the whole run on the reference BLAS
# bundled with mlx[cpu] (a 2-iteration LoRA run on SmolLM2 took over 10 minutes instead
# of about one). Threaded OpenBLAS: the in-process model work of the suite is mostly
# training; the server's own processes still choose BLIS for generation.
use_fast_cpu_blas("training")
