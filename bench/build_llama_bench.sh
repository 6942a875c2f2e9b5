#!/usr/bin/env bash
# Build the llama.cpp baseline of bench/model_speed.py: a venv of its own holding
# llama-cpp-python compiled from PyPI's source package. It is never a dependency of
# Punie; the bench runs bench/llama_worker.py under this venv's interpreter.
#
# Usage: bench/build_llama_bench.sh [DIR]   (default: .cache/bench-llama; takes ~10 min)
#
# The flags pin the CPU features instead of -march=native: a native build died with an
# illegal instruction on the development VM (its CPU reports more than the VM allows).
set -euo pipefail
dir=${1:-"$(dirname "$0")/../.cache/bench-llama"}
python=${PYTHON:-python3}
"$python" -m venv "$dir/venv"
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
  "$dir/venv/bin/pip" install --no-binary llama-cpp-python "llama-cpp-python==0.3.36" numpy
echo "built: $dir/venv/bin/python (pass it to bench/model_speed.py --llama-python)"
