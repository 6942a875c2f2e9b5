"""llama.cpp on a GGUF file, driven over stdin/stdout by ``bench/model_speed.py``.

Runs under the interpreter of the venv ``bench/build_llama_bench.sh`` builds (with
llama-cpp-python), never under Punie's: llama.cpp is the baseline, not a dependency.
Standard library, NumPy and llama_cpp only; token ids in and out (the bench tokenizes
with Punie's tokenizer, which is built from the same GGUF file), one JSON object a line.

Requests (``op``):
- ``load``: ``{model, threads, n_ctx}`` → ``{n_vocab}``
- ``hold``: ``{tokens}`` → the KV cache holds exactly ``tokens`` (its common prefix with
  them is kept, the rest evaluated) → ``{seconds}``
- ``generate``: ``{prompt, max_tokens, stop, forced?}`` → the common prefix of the cache
  and ``prompt`` is kept (at least one token is fed), the rest prefilled, then one token
  per step is decoded greedily (or the ``forced`` tokens are fed one per step instead,
  each step still computing the logits and the greedy choice, so it costs what a
  generated token costs) until a ``stop`` token or ``max_tokens`` →
  ``{tokens, cached, ttft_s, total_s}``
"""

import json
import sys
import time
from typing import Any

import numpy as np
from llama_cpp import Llama, llama_get_logits_ith  # ty: ignore[import-not-found]


class Engine:
    """One llama.cpp context and the tokens its KV cache holds."""

    def __init__(self, model: str, threads: int, n_ctx: int) -> None:
        self.llm = Llama(
            model_path=model,
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        self.held: list[int] = []

    def feed(self, tokens: list[int], keep_at_most: int) -> int:
        """Make the cache hold ``tokens``, reusing up to ``keep_at_most`` of what it has."""
        keep = 0
        for a, b in zip(self.held, tokens[:keep_at_most], strict=False):
            if a != b:
                break
            keep += 1
        self.llm.n_tokens = keep  # eval drops the cache past n_tokens first
        if keep < len(tokens):
            self.llm.eval(tokens[keep:])
        self.held = list(tokens)
        return keep

    def greedy(self) -> int:
        """The most likely next token after what the cache holds."""
        logits = llama_get_logits_ith(self.llm.ctx, -1)
        return int(np.argmax(np.ctypeslib.as_array(logits, shape=(self.llm.n_vocab(),))))

    def generate(
        self, prompt: list[int], max_tokens: int, stop: list[int], forced: list[int] | None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        cached = self.feed(prompt, len(prompt) - 1)
        tokens: list[int] = []
        first = None
        while len(tokens) < max_tokens:
            choice = self.greedy()
            token = forced[len(tokens)] if forced is not None else choice
            first = first or time.perf_counter()
            tokens.append(token)
            if token in stop or len(tokens) == max_tokens:
                break
            self.llm.eval([token])
            self.held.append(token)
        finished = time.perf_counter()
        return {
            "tokens": tokens,
            "cached": cached,
            "ttft_s": (first or finished) - started,
            "total_s": finished - started,
        }


def main() -> None:
    """Serve requests until the end of input."""
    engine: Engine | None = None
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        if op == "load":
            engine = Engine(request["model"], request["threads"], request["n_ctx"])
            reply: dict[str, Any] = {"n_vocab": engine.llm.n_vocab()}
        elif engine is None:
            reply = {"error": "load first"}
        elif op == "hold":
            started = time.perf_counter()
            engine.feed(request["tokens"], len(request["tokens"]))
            reply = {"seconds": time.perf_counter() - started}
        elif op == "generate":
            forced = request.get("forced")
            max_tokens = len(forced) if forced is not None else request["max_tokens"]
            reply = engine.generate(request["prompt"], max_tokens, request["stop"], forced)
        else:
            reply = {"error": f"unknown op {op!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
