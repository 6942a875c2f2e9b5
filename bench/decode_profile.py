"""Where a decoding step's time goes, for the default model on this machine.

One step is one forward pass of the last token (or of a token plus its drafts) over a
cache holding a first turn's prompt. Measured for the float32 model and for the same
model decoding from the GGUF file's packed weights (``punie_kernels``), each part alone,
in one run:

- ``step``: the whole forward pass, evaluated;
- ``graph``: building the pass's MLX graph in Python (no evaluation);
- ``products``: every linear layer's product alone, with its real weights, in layer
  order (the output layer included); ``output layer``: that one alone;
- ``rest``: ``step`` minus ``products`` (attention, norms, RoPE, SwiGLU, the cache
  update, and the scheduling of ~25 graph nodes per layer).

Prints a table and writes ``bench/results/decode_profile.json``. Usage:
``uv run python bench/decode_profile.py [--model SPEC] [--repeats N]``.
"""

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from punie_server.model_manager import LoadedModel, load_model

RESULTS = Path(__file__).resolve().parent / "results" / "decode_profile.json"
PROMPT_TOKENS = 480  # about a first turn: the system turn and a question
ROWS = (1, 5)  # a plain step, and one verifying four drafts (decoding.MAX_DRAFT)


def median_ms(job: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``job`` in milliseconds, after two warm-up runs."""
    for _ in range(2):
        job()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        job()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def profile(loaded: LoadedModel, rows: int, repeats: int) -> dict[str, float]:
    """The parts of one step of ``rows`` rows, in milliseconds."""
    import mlx.core as mx
    import mlx.nn as nn
    from mlx_lm.models.cache import make_prompt_cache, trim_prompt_cache

    model = loaded.model
    cache = make_prompt_cache(model)
    model(mx.array([list(range(200, 200 + PROMPT_TOKENS))]), cache=cache)
    mx.eval([c.state for c in cache])
    step_input = mx.array([[1000 + i for i in range(rows)]])

    def step() -> None:
        mx.eval(model(step_input, cache=cache))
        trim_prompt_cache(cache, rows)

    def graph() -> None:
        model(step_input, cache=cache)
        trim_prompt_cache(cache, rows)

    layers = [m for name, m in model.named_modules() if _is_product(name, m, nn)]
    head = model.model.embed_tokens
    inputs = {id(m): mx.ones((1, rows, _in_features(m))) for m in layers}
    head_input = mx.ones((1, rows, model.args.hidden_size))
    mx.eval(list(inputs.values()), head_input)

    def products() -> None:
        mx.eval([m(inputs[id(m)]) for m in layers], head.as_linear(head_input))

    def output_layer() -> None:
        mx.eval(head.as_linear(head_input))

    whole = median_ms(step, repeats)
    parts = {
        "step": whole,
        "graph": median_ms(graph, repeats),
        "products": median_ms(products, repeats),
        "outputLayer": median_ms(output_layer, repeats),
    }
    parts["rest"] = whole - parts["products"]
    return parts


def _is_product(name: str, module: Any, nn: Any) -> bool:
    """A linear layer of the model (a packed one, not also the float32 layer inside it)."""
    from punie_kernels.layers import PackedLinear

    if isinstance(module, PackedLinear):
        return True
    return isinstance(module, nn.Linear) and not name.endswith(".dense")


def _in_features(module: Any) -> int:
    dense = getattr(module, "dense", module)
    return int(dense.weight.shape[1])


def main() -> None:
    """Profile both forms of the model and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model spec (default: the embedded model)")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    forms = {
        "float32": load_model(args.model, "float32", packed_decoding=False),
        "packed": load_model(args.model, "packed"),
    }
    report: dict[str, Any] = {
        "model": args.model or "embedded",
        "promptTokens": PROMPT_TOKENS,
        "loadAverage": os.getloadavg()[0],
        "parts": {
            form: {str(rows): profile(loaded, rows, args.repeats) for rows in ROWS}
            for form, loaded in forms.items()
        },
    }
    print(
        "| part (ms, median) | " + " | ".join(f"{f} {r} row(s)" for f in forms for r in ROWS) + " |"
    )
    print("|---|" + "---|" * (len(forms) * len(ROWS)))
    for part in ("step", "graph", "products", "outputLayer", "rest"):
        cells = [f"{report['parts'][f][str(r)][part]:.1f}" for f in forms for r in ROWS]
        print(f"| {part} | " + " | ".join(cells) + " |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
