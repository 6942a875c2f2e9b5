"""Sandbox exec latency: warm worker pool vs cold subprocess vs in-process exec vs Monty.

Runs two snippets — ``print(1)`` and one making 100 ``read_file`` calls — through:

- ``warm pool``: ``Sandbox.run`` with a spare worker ready (the bench waits until the
  pool is full and idle before each sample, so start-up never overlaps a sample);
  includes the AST gate, the isolation backend, the callback pipe and result assembly;
- ``cold subprocess``: ``python -I -c CODE`` started per snippet (no isolation, no
  pydantic; ``read_file`` is a plain ``open().read()``), the classic alternative;
- ``in-process exec``: ``exec`` in this process with a direct ``read_file`` (the floor;
  no isolation at all);
- ``monty``: pydantic-monty (a Rust subset-of-Python interpreter in a worker pool):
  checkout of a warm worker + ``feed_run`` with ``read_file`` as an external function.

Prints a table and writes ``bench/results/sandbox.json``. Usage:
``uv run python bench/sandbox.py [--samples N]``.
"""

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from punie_sandbox.isolation import python_executable
from punie_sandbox.local import LocalHost
from punie_sandbox.sandbox import Sandbox

SNIPPETS = {
    "print(1)": "print(1)",
    "100x read_file": "n = 0\nfor _ in range(100):\n    n += len(read_file('README.md'))\nprint(n)",
}
COLD = {
    "print(1)": "print(1)",
    "100x read_file": (
        "n = 0\nfor _ in range(100):\n    n += len(open('README.md').read())\nprint(n)"
    ),
}
RESULTS = Path(__file__).parent / "results" / "sandbox.json"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 and p95 of ``samples_ms``."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "n": len(ordered)}


async def bench_warm(workspace: Path, samples: int) -> tuple[str, dict[str, dict[str, float]]]:
    host = LocalHost(workspace)
    out: dict[str, dict[str, float]] = {}
    async with Sandbox(warm=2) as sandbox:
        for name, code in SNIPPETS.items():
            times = []
            for _ in range(samples):
                await sandbox.wait_warm()
                await asyncio.sleep(0.02)  # let the freshly started spare go idle
                started = time.perf_counter()
                result = await sandbox.run(code, host)
                times.append((time.perf_counter() - started) * 1000)
                assert result.ok, result
            out[name] = percentiles(times)
        return sandbox.backend, out


def bench_cold(workspace: Path, samples: int) -> dict[str, dict[str, float]]:
    python = python_executable()
    out = {}
    for name, code in COLD.items():
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            subprocess.run(
                [python, "-I", "-c", code], cwd=workspace, check=True, capture_output=True
            )
            times.append((time.perf_counter() - started) * 1000)
        out[name] = percentiles(times)
    return out


def bench_exec(workspace: Path, samples: int) -> dict[str, dict[str, float]]:
    def read_file(path: str) -> str:
        return (workspace / path).read_text()

    out = {}
    for name, code in SNIPPETS.items():
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, "<snippet>", "exec"), {"read_file": read_file})
            times.append((time.perf_counter() - started) * 1000)
        out[name] = percentiles(times)
    return out


def bench_monty(workspace: Path, samples: int) -> dict[str, dict[str, float]] | str:
    try:
        from pydantic_monty import Monty
    except ImportError as exc:
        return f"not installed: {exc}"

    def read_file(path: str) -> str:
        return (workspace / path).read_text()

    def ignore(*_: object) -> None:
        return None

    out = {}
    with Monty() as pool:
        for name, code in SNIPPETS.items():
            times = []
            for _ in range(samples):
                started = time.perf_counter()
                with pool.checkout() as session:
                    session.feed_run(
                        code,
                        external_lookup={"read_file": read_file},
                        print_callback=ignore,
                        skip_type_check=True,
                    )
                times.append((time.perf_counter() - started) * 1000)
            out[name] = percentiles(times)
    return out


def _row(label: str, figures: dict[str, dict[str, float]] | str, cold: dict) -> str:
    if isinstance(figures, str):
        return f"| {label} | {figures} | | | | |"
    cells = []
    for name in SNIPPETS:
        f = figures[name]
        cells += [f"{f['p50']:.2f} / {f['p95']:.2f}", f"{cold[name]['p50'] / f['p50']:.1f}x"]
    return f"| {label} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    """Run the bench, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="punie-bench-") as tmp:
        workspace = Path(tmp)
        (workspace / "README.md").write_text("# Acme\n" + "The acme project.\n" * 20)
        backend, warm = asyncio.run(bench_warm(workspace, args.samples))
        runners: dict[str, Callable[[Path, int], object]] = {
            "cold subprocess": bench_cold,
            "in-process exec": bench_exec,
            "monty": bench_monty,
        }
        figures: dict[str, object] = {f"warm pool ({backend})": warm}
        figures |= {label: run(workspace, args.samples) for label, run in runners.items()}
    cold = figures["cold subprocess"]
    header = "| runner | print(1) p50 / p95 ms | vs cold | 100x read_file p50 / p95 ms | vs cold |"
    lines = [header, "|---|---|---|---|---|"]
    lines += [_row(label, f, cold) for label, f in figures.items()]  # ty: ignore[invalid-argument-type]
    print("\n".join(lines))
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg": os.getloadavg(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "backend": backend,
        "samples": args.samples,
        "runners": figures,
        "table": lines,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
