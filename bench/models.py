"""Model speed, old embedded model against the new one: prefill and generation tok/s.

Loads both through ``punie_training.model_source`` (as the server does) in one process
and interleaves their samples (alternating which goes first), so the shared machine's
noise falls on both sides alike:

- ``plumbing``: the previous embedded model, ``tests/plumbing_model`` (1 M parameters,
  trained from scratch; its tokenizer makes the system turn one token);
- ``embedded``: the current default, SmolLM2-135M-Instruct + Punie's LoRA, fused, float32.

Prefill is one forward pass over the first chat of a session (system turn with the tool
list, and a user question) with an empty cache; generation is greedy decoding of
``--tokens`` tokens after it. Prints a table and writes ``bench/results/models.json``.
Usage: ``uv run python bench/models.py [--samples N] [--tokens N]``.
"""

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt
from punie_training.accel import use_fast_cpu_blas

ROOT = Path(__file__).resolve().parents[1]
MODELS = {
    "plumbing": str(ROOT / "tests" / "plumbing_model"),
    "embedded": str(ROOT / "server" / "src" / "punie_server" / "embedded_model"),
}
QUESTION = "Read README.md and tell me what this project is"
RESULTS = Path(__file__).parent / "results" / "models.json"


def first_prompt(tokenizer: Any) -> list[int]:
    """The tokens of a session's first prompt, as the server renders it."""
    messages = [
        {"role": "system", "content": system_prompt()},
        {"role": "user", "content": QUESTION},
    ]
    return tokenizer.apply_chat_template(
        messages, tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
    )


def prefill_tps(model: Any, prompt: list[int]) -> float:
    """Prompt tokens per second of one forward pass over ``prompt`` with a fresh cache."""
    import mlx.core as mx
    from mlx_lm.models.cache import make_prompt_cache

    cache = make_prompt_cache(model)
    started = time.perf_counter()
    mx.eval(model(mx.array([prompt]), cache=cache))
    return len(prompt) / (time.perf_counter() - started)


def generation_tps(model: Any, tokenizer: Any, prompt: list[int], tokens: int) -> float:
    """Generated tokens per second of greedy decoding, as mlx-lm reports it."""
    from mlx_lm import stream_generate

    responses = list(stream_generate(model, tokenizer, prompt, max_tokens=tokens))
    return responses[-1].generation_tps


def main() -> None:
    """Run the bench, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()
    blas = use_fast_cpu_blas("generation")  # as the server does
    from punie_training import model_source

    loaded = {name: model_source.load(spec) for name, spec in MODELS.items()}
    prompts = {name: first_prompt(tokenizer) for name, (_, tokenizer) in loaded.items()}
    for name, (model, tokenizer) in loaded.items():  # warm up every kernel once
        generation_tps(model, tokenizer, prompts[name], 4)
    samples: dict[str, dict[str, list[float]]] = {n: {"prefill": [], "gen": []} for n in MODELS}
    order = list(MODELS)
    for index in range(args.samples):
        for name in order if index % 2 == 0 else reversed(order):
            model, tokenizer = loaded[name]
            samples[name]["prefill"].append(prefill_tps(model, prompts[name]))
            samples[name]["gen"].append(
                generation_tps(model, tokenizer, prompts[name], args.tokens)
            )
    rows = {
        name: {
            "prompt_tokens": len(prompts[name]),
            "prefill_tps_median": statistics.median(s["prefill"]),
            "generation_tps_median": statistics.median(s["gen"]),
            "prefill_tps": s["prefill"],
            "generation_tps": s["gen"],
        }
        for name, s in samples.items()
    }
    print(f"{'model':<10} {'prompt tokens':>13} {'prefill tok/s':>14} {'generation tok/s':>17}")
    for name, row in rows.items():
        print(
            f"{name:<10} {row['prompt_tokens']:>13} {row['prefill_tps_median']:>14.1f} "
            f"{row['generation_tps_median']:>17.1f}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    machine = {"python": platform.python_version(), "blas": blas, "samples": args.samples}
    RESULTS.write_text(json.dumps({"machine": machine, "models": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
