"""Chat turn benchmarks: one run, four comparisons side by side.

1. ``overhead``: a ``punie/chat`` turn through the real ``punie serve`` (stdio LSP,
   ``PunieClient``, the same client as ``punie ask``) vs a bare in-process loop of
   ``mlx_lm.stream_generate`` + ``Sandbox.run`` producing the same tokens (greedy, same
   prompt, same prompt-cache reuse across the turn's generations). Goal: ≤ 5 % overhead.
2. ``followup``: time to first token of a follow-up message with the session's prompt
   cache (the server's ``generate_turn`` on a ``Session`` that already holds the
   conversation) vs the same prompt re-prefilled from an empty cache. Goal: ≥ 5x.
3. ``http``: Punie's in-process generation (``generate_turn``) vs the same model behind
   ``mlx_lm.server`` on 127.0.0.1 (streaming chat completions, same messages and tools,
   greedy, direct questions so both stream text). Both keep a prompt cache between
   requests (mlx_lm.server's LRU cache; Punie's common-prefix reuse), and each sample
   asks a slightly different question so both must prefill it.
4. ``multistep``: the seed task "Find all Python files and count their lines" as one
   Code Mode turn (one snippet calling ``run_command`` and ``read_file`` per file, run
   in the sandbox; it prints the reply, so the model then just ends its turn) vs classic
   tool calling, one tool per model turn (``run_command find``, then one ``read_file``
   per file, each executed directly by the host with no sandbox process, then the
   answer, which the model must write itself). Both sides decode *scripted*
   tokens (a logits processor forces the reference messages, so every token still
   costs a full forward pass) so the comparison does not depend on what a given model
   would say. Goal: ≥ 60 % less wall time.

Each comparison interleaves its two sides sample by sample and reports the median and
the fastest sample (on a shared machine the fastest is the least disturbed one).

Prints a table and writes ``bench/results/turn.json``. Usage:
``uv run python bench/turn.py [--model SPEC] [--samples N]`` (default model: the
embedded one; ``--untrained`` uses a freshly written random tiny model instead).
"""

import argparse
import asyncio
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from punie_sandbox.local import LocalHost
from punie_sandbox.models import Limits
from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt
from punie_sandbox.sandbox import Sandbox
from punie_server.client import PunieClient
from punie_server.consent import ApproveAll
from punie_server.model_manager import EMBEDDED_NAME, LoadedModel, load_model
from punie_training.decode import extract_code
from punie_training.direct import CONCEPTS
from punie_training.evalsuites import write_eval_workspace
from punie_training.intents import INTENTS
from punie_training.schema import tool_call, tool_message

RESULTS = Path(__file__).parent / "results" / "turn.json"
OVERHEAD_QUERY = "Read README.md and tell me the project name"
MULTISTEP_QUERY = "Find all Python files and count their lines"
FOLLOWUP_QUERY = "And which file is the longest?"
MAX_TOKENS = 128
MAX_TURNS = 4


def median_ms(samples_s: list[float]) -> float:
    """Median of ``samples_s`` (seconds) in milliseconds."""
    return statistics.median(samples_s) * 1000


def min_ms(samples_s: list[float]) -> float:
    """Fastest of ``samples_s`` (seconds) in milliseconds: the least disturbed sample on
    a shared machine, where the median also carries other processes' load."""
    return min(samples_s) * 1000


def timing(samples_s: list[float]) -> dict[str, float]:
    """Median and fastest sample, in milliseconds."""
    return {"p50Ms": median_ms(samples_s), "minMs": min_ms(samples_s)}


def overhead(ours_s: list[float], base_s: list[float]) -> dict[str, float]:
    """How much slower ``ours`` is than ``base``, in percent, by median and by fastest."""
    return {
        "p50": (median_ms(ours_s) / median_ms(base_s) - 1) * 100,
        "min": (min_ms(ours_s) / min_ms(base_s) - 1) * 100,
    }


def speedup(slow_s: list[float], fast_s: list[float]) -> dict[str, float]:
    """How many times faster ``fast`` is than ``slow``, by median and by fastest."""
    return {
        "p50": median_ms(slow_s) / median_ms(fast_s),
        "min": min_ms(slow_s) / min_ms(fast_s),
    }


# -- generation as bare mlx-lm ---------------------------------------------------


@dataclass
class Cache:
    """An mlx-lm prompt cache and the tokens it holds (reused by common prefix)."""

    model: Any
    cache: Any = None
    tokens: list[int] = field(default_factory=list)

    def reuse(self, prompt: list[int]) -> int:
        """Trim the cache to its common prefix with ``prompt``; return the kept length."""
        from mlx_lm.models.cache import make_prompt_cache, trim_prompt_cache

        if self.cache is None:
            self.cache, self.tokens = make_prompt_cache(self.model), []
        keep = 0
        for a, b in zip(self.tokens, prompt[:-1], strict=False):
            if a != b:
                break
            keep += 1
        if len(self.tokens) > keep:
            trim_prompt_cache(self.cache, len(self.tokens) - keep)
        self.tokens = self.tokens[:keep]
        return keep


@dataclass
class Generated:
    """One generation: text, token ids and timings."""

    text: str
    tokens: list[int]
    prompt_tokens: int
    cached_tokens: int
    ttft_s: float
    total_s: float


def forcing(forced: list[int]) -> Any:
    """A logits processor that makes greedy decoding produce ``forced``."""
    import mlx.core as mx

    position = 0

    def processor(_tokens: Any, logits: Any) -> Any:
        nonlocal position
        if position >= len(forced):
            return logits
        target = forced[position]
        position += 1
        # Keep the model's logit for the target: the sampled token must depend on the
        # forward pass, or MLX would skip computing it (lazy evaluation) until later.
        vocab = mx.arange(logits.shape[-1])
        return mx.where(vocab == target, logits, -mx.inf)

    return processor


def generate(
    loaded: LoadedModel,
    cache: Cache,
    prompt: list[int],
    *,
    max_tokens: int,
    stop: str | None = None,
    forced: list[int] | None = None,
) -> Generated:
    """``stream_generate`` on ``prompt``, feeding only what ``cache`` lacks."""
    from mlx_lm import stream_generate
    from mlx_lm.sample_utils import make_sampler

    started = time.perf_counter()
    keep = cache.reuse(prompt)
    text, tokens, first = "", [], None
    for response in stream_generate(
        loaded.model,
        loaded.tokenizer,
        prompt[keep:],
        max_tokens=len(forced) if forced is not None else max_tokens,
        sampler=make_sampler(temp=0.0),
        prompt_cache=cache.cache,
        logits_processors=[forcing(forced)] if forced is not None else None,
    ):
        first = first or time.perf_counter()
        tokens.append(response.token)
        text += response.text
        if stop is not None and stop in text:
            break
    finished = time.perf_counter()
    offset = cache.cache[0].offset
    cache.tokens = (prompt + tokens)[:offset]
    return Generated(
        text, tokens, len(prompt), keep, (first or finished) - started, finished - started
    )


def render(
    loaded: LoadedModel, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
) -> list[int]:
    """The prompt for the model's next message, as the server renders it."""
    return loaded.tokenizer.apply_chat_template(
        messages, tools=tools or [EXECUTE_CODE_TOOL], add_generation_prompt=True
    )


def scripted(
    loaded: LoadedModel,
    messages: list[dict[str, Any]],
    reply: dict[str, Any],
    tools: list[dict[str, Any]] | None = None,
) -> list[int]:
    """The tokens the chat template expects for the assistant message ``reply``."""
    before = render(loaded, messages, tools)
    after = loaded.tokenizer.apply_chat_template(
        [*messages, reply], tools=tools or [EXECUTE_CODE_TOOL], add_generation_prompt=False
    )
    assert after[: len(before)] == before, "template does not extend the prompt"
    return after[len(before) :]


def new_chat(query: str) -> list[dict[str, Any]]:
    """A fresh conversation as the server starts one."""
    return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": query}]


# -- 1. server overhead ----------------------------------------------------------


@dataclass
class RawTurn:
    """The bare loop's result for one user message."""

    reply: str
    codes: list[str]
    completion_tokens: int
    wall_s: float


async def raw_turn(loaded: LoadedModel, sandbox: Sandbox, host: LocalHost, query: str) -> RawTurn:
    """The Code Mode loop with nothing around it: generate, run, feed back."""
    tokenizer = loaded.tokenizer
    started = time.perf_counter()
    messages, cache, codes, completion = new_chat(query), Cache(loaded.model), [], 0
    reply = ""
    for _ in range(MAX_TURNS):
        out = generate(
            loaded,
            cache,
            render(loaded, messages),
            max_tokens=MAX_TOKENS,
            stop=tokenizer.tool_call_end,
        )
        completion += len(out.tokens)
        code = extract_code(out.text, tokenizer)
        if tokenizer.tool_call_start not in out.text:
            reply = out.text.strip()
            break
        said = out.text.split(tokenizer.tool_call_start, 1)[0].strip()
        if code is None:
            messages.append({"role": "assistant", "content": out.text.strip()})
            messages.append({"role": "tool", "content": "Error: ToolCallError"})
            continue
        codes.append(code)
        messages.append({"role": "assistant", "content": said, "tool_calls": [tool_call(code)]})
        result = await sandbox.run(code, host)
        messages.append({"role": "tool", "content": tool_message(result)})
    return RawTurn(reply, codes, completion, time.perf_counter() - started)


async def server_pool_ready(client: PunieClient, timeout_s: float = 60) -> None:
    """Wait until the server's sandbox holds its warm spares again (``punie/status``)."""
    deadline = time.monotonic() + timeout_s
    # Polling: the server says how many spares it holds only when asked.
    for _ in range(int(timeout_s / 0.05)):
        if (await client.status()).sandbox.warm >= 2 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.02)  # let the fresh spare go idle


async def bench_overhead(
    loaded: LoadedModel, spec: str | None, workspace: Path, samples: int
) -> dict[str, Any]:
    """Client wall time of ``punie/chat`` vs the bare loop, interleaved sample by sample."""
    settings = {"temperature": 0.0, "maxTokens": MAX_TOKENS, "maxTurns": MAX_TURNS}
    host = LocalHost(workspace)
    server_s, server_inner_s, raw_s, same = [], [], [], True
    async with (
        PunieClient(workspace, approver=ApproveAll(), model=spec, settings=settings) as client,
        Sandbox(Limits(), warm=2) as sandbox,
    ):
        first = await client.chat(OVERHEAD_QUERY)  # loads the model, warms the pool
        await raw_turn(loaded, sandbox, host, OVERHEAD_QUERY)
        follow = await client.chat(FOLLOWUP_QUERY, session_id=first.session_id)
        for i in range(samples):
            # Alternate the order so slow drifts of the machine's load hit both sides.
            for side in ("server", "raw") if i % 2 == 0 else ("raw", "server"):
                # Neither side's pool may be starting a worker during the other's sample.
                await sandbox.wait_warm()
                await server_pool_ready(client)
                if side == "server":
                    started = time.perf_counter()
                    result = await client.chat(OVERHEAD_QUERY)
                    server_s.append(time.perf_counter() - started)
                    server_inner_s.append(result.usage.total_ms / 1000)
                    await client.reset(result.session_id)
                else:
                    raw = await raw_turn(loaded, sandbox, host, OVERHEAD_QUERY)
                    raw_s.append(raw.wall_s)
            same = same and (
                raw.completion_tokens == result.usage.completion_tokens
                and raw.codes == [step.code for step in result.steps]
            )
    return {
        "query": OVERHEAD_QUERY,
        "samples": samples,
        "sameTokens": same,
        "steps": len(result.steps),
        "completionTokens": result.usage.completion_tokens,
        "server": timing(server_s),
        "serverReported": timing(server_inner_s),
        "raw": timing(raw_s),
        "overheadPct": overhead(server_s, raw_s),
        "serverFollowUp": {"firstTurn": first.usage.to_wire(), "followUp": follow.usage.to_wire()},
    }


# -- 2. follow-up TTFT -----------------------------------------------------------


SHOW_ALL = (
    'for path in sorted(run_command("find", [".", "-name", "*.py"]).split()):\n'
    '    print("#", path)\n'
    "    print(read_file(path))"
)


async def bench_followup(loaded: LoadedModel, workspace: Path, samples: int) -> dict[str, Any]:
    """Follow-up TTFT through the server's ``generate_turn``: kept cache vs re-prefill.

    The conversation so far is one Code Mode turn that printed every Python file of the
    workspace (so the history is as long as a real one that looked at code).
    """
    from punie_server.generation import generate_turn
    from punie_server.sessions import Session

    async with Sandbox(Limits(), warm=1) as sandbox:
        shown = await sandbox.run(SHOW_ALL, LocalHost(workspace))
    history = [
        *new_chat("Show me every Python file"),
        {"role": "assistant", "content": "", "tool_calls": [tool_call(SHOW_ALL)]},
        {"role": "tool", "content": tool_message(shown)},
    ]

    def turn(session: Session, max_tokens: int) -> Any:
        return generate_turn(
            loaded,
            session,
            render(loaded, session.messages),
            max_tokens=max_tokens,
            temperature=0.0,
            on_text=lambda _: None,
            cancel=threading.Event(),
        )

    cached_s, fresh_s, cached_tokens, prompt_tokens = [], [], 0, 0
    for i in range(samples):
        kept = Session(f"kept-{i}", messages=list(history))
        reply = turn(kept, 16).text.strip()  # the answer turn fills the session's cache
        kept.messages.append({"role": "assistant", "content": reply})
        kept.messages.append({"role": "user", "content": f"{FOLLOWUP_QUERY} ({i})"})
        fresh = Session(f"fresh-{i}", messages=list(kept.messages))
        out = turn(kept, 1)
        cached_s.append(out.ttft_ms / 1000)
        cached_tokens, prompt_tokens = out.cached_tokens, out.prompt_tokens
        fresh_s.append(turn(fresh, 1).ttft_ms / 1000)
    return {
        "samples": samples,
        "promptTokens": prompt_tokens,
        "cachedTokens": cached_tokens,
        "cached": timing(cached_s),
        "reprefill": timing(fresh_s),
        "speedup": speedup(fresh_s, cached_s),
    }


# -- 3. in-process vs mlx_lm.server ----------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_mlx_server(model_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """``mlx_lm.server`` in its own process, with the same fast BLAS as Punie."""
    code = (
        "import sys\n"
        "from punie_training.accel import use_fast_cpu_blas\n"
        "use_fast_cpu_blas('generation')\n"
        "from mlx_lm.server import main\n"
        f"sys.argv = ['mlx_lm.server', '--model', {str(model_dir)!r}, '--port', '{port}',"
        " '--host', '127.0.0.1', '--log-level', 'WARNING']\n"
        "main()\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlx_lm.server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("mlx_lm.server did not start within 180 s")


def http_turn(port: int, messages: list[dict[str, Any]]) -> tuple[float, float, int]:
    """One streamed chat completion; (ttft s, total s, completion tokens)."""
    body = json.dumps(
        {
            "messages": messages,
            "tools": [EXECUTE_CODE_TOOL],
            "max_tokens": MAX_TOKENS,
            "temperature": 0.0,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    )
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    first, tokens = None, 0
    for raw in response:
        line = raw.decode().strip()
        if not line.startswith("data:") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[5:])
        if chunk.get("usage"):
            tokens = chunk["usage"]["completion_tokens"]
        for choice in chunk.get("choices", []):
            delta = choice.get("delta", {})
            if first is None and (delta.get("content") or delta.get("tool_calls")):
                first = time.perf_counter()
    finished = time.perf_counter()
    return (first or finished) - started, finished - started, tokens


def bench_http(loaded: LoadedModel, model_dir: Path, samples: int) -> dict[str, Any]:
    """Punie's in-process ``generate_turn`` vs the same messages over HTTP, interleaved.

    Direct concept questions (a different one per sample, so neither side has the whole
    prompt cached), so both sides stream plain text and time to first token compares
    like with like (mlx_lm.server holds a tool call back until it is complete).
    """
    from punie_server.generation import generate_turn
    from punie_server.sessions import Session

    session = Session("http")

    def in_process(messages: list[dict[str, Any]]) -> tuple[float, float, int]:
        session.messages = messages
        started = time.perf_counter()
        out = generate_turn(
            loaded,
            session,
            render(loaded, messages),
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            on_text=lambda _: None,
            cancel=threading.Event(),
        )
        return out.ttft_ms / 1000, time.perf_counter() - started, out.completion_tokens

    port = free_port()
    process = start_mlx_server(model_dir, port)
    try:
        http_turn(port, new_chat("What is Python?"))  # warm both sides
        in_process(new_chat("What is Python?"))
        rows: dict[str, list[float]] = {k: [] for k in ("inTtft", "inTotal", "hTtft", "hTotal")}
        tokens: dict[str, list[int]] = {"in": [], "h": []}
        for i in range(samples):
            topic = CONCEPTS[i % len(CONCEPTS)][0]
            messages = new_chat(f"What is {topic}?")
            for side in ("in", "h") if i % 2 == 0 else ("h", "in"):
                run = in_process if side == "in" else partial(http_turn, port)
                ttft, total, count = run(messages)
                rows[f"{side}Ttft"].append(ttft)
                rows[f"{side}Total"].append(total)
                tokens[side].append(count)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "queries": "What is <concept>? (punie_training.direct.CONCEPTS)",
        "samples": samples,
        "completionTokens": {"inProcess": sum(tokens["in"]), "http": sum(tokens["h"])},
        "sameTokens": tokens["in"] == tokens["h"],
        "inProcess": {"ttft": timing(rows["inTtft"]), "total": timing(rows["inTotal"])},
        "http": {"ttft": timing(rows["hTtft"]), "total": timing(rows["hTotal"])},
        "httpSlowdown": speedup(rows["hTotal"], rows["inTotal"]),
    }


# -- 4. one Code Mode turn vs one tool per turn ----------------------------------


def count_lines_snippet() -> str:
    """The training data's reference snippet for the seed task."""
    return next(intent.code for intent in INTENTS if intent.name == "count_lines")


@dataclass
class Call:
    """One model turn of a scripted conversation: a tool call, or the final answer."""

    reply: dict[str, Any]
    run: Any = None  # async () -> tool output text; None for the answer


async def scripted_conversation(loaded: LoadedModel, calls: list[Call]) -> tuple[float, int]:
    """Decode every scripted reply (running each call's tool); (wall s, tokens).

    Both sides render with the same system prompt and tool list, so they differ only in
    how the work is split into model turns.
    """
    started = time.perf_counter()
    messages, cache, generated = new_chat(MULTISTEP_QUERY), Cache(loaded.model), 0
    for call in calls:
        forced = scripted(loaded, messages, call.reply)
        generate(loaded, cache, render(loaded, messages), max_tokens=0, forced=forced)
        generated += len(forced)
        messages.append(call.reply)
        if call.run is not None:
            messages.append({"role": "tool", "content": await call.run()})
    return time.perf_counter() - started, generated


def classic_call(name: str, **arguments: Any) -> dict[str, Any]:
    """An assistant message calling one of the classic tools."""
    call = {"type": "function", "function": {"name": name, "arguments": arguments}}
    return {"role": "assistant", "content": "", "tool_calls": [call]}


async def bench_multistep(loaded: LoadedModel, workspace: Path, samples: int) -> dict[str, Any]:
    """Wall time of the seed task: one snippet vs one classic tool call per model turn.

    The one-per-turn side calls the host's functions directly (no sandbox process per
    call), the cheapest way a classic tool-calling loop could run them.
    """
    host = LocalHost(workspace)
    find_args = [".", "-name", "*.py"]
    files = sorted((await host.run_command("find", find_args)).split())
    async with Sandbox(Limits(), warm=2) as sandbox:
        snippet = count_lines_snippet()
        reference = await sandbox.run(snippet, host)
        # A classic loop's model writes the answer itself; a Code Mode snippet printed it,
        # so the model ends its turn without text and the server replies with the output.
        answer = {"role": "assistant", "content": f"There are {reference.stdout.strip()}."}
        end_of_turn = {"role": "assistant", "content": ""}

        async def run_snippet() -> str:
            result = await sandbox.run(snippet, host)
            assert result.ok, result
            return tool_message(result)

        def read(path: str) -> Any:
            async def run() -> str:
                return str(len((await host.read_file(path)).splitlines()))

            return run

        async def run_find() -> str:
            return await host.run_command("find", find_args)

        code_mode = [
            Call(
                {"role": "assistant", "content": "", "tool_calls": [tool_call(snippet)]},
                run_snippet,
            ),
            Call(end_of_turn),
        ]
        one_per_turn = [
            Call(classic_call("run_command", command="find", args=find_args), run_find),
            *(Call(classic_call("read_file", path=path), read(path)) for path in files),
            Call(answer),
        ]
        variants = {"codeMode": code_mode, "onePerTurn": one_per_turn}
        walls: dict[str, list[float]] = {name: [] for name in variants}
        tokens: dict[str, int] = {}
        for i in range(samples):
            for name in list(variants) if i % 2 == 0 else list(variants)[::-1]:
                await sandbox.wait_warm()
                wall, tokens[name] = await scripted_conversation(loaded, variants[name])
                walls[name].append(wall)
    return {
        "query": MULTISTEP_QUERY,
        "samples": samples,
        "pythonFiles": len(files),
        "codeMode": {
            **timing(walls["codeMode"]),
            "generations": len(code_mode),
            "generatedTokens": tokens["codeMode"],
        },
        "onePerTurn": {
            **timing(walls["onePerTurn"]),
            "generations": len(one_per_turn),
            "generatedTokens": tokens["onePerTurn"],
        },
        "savedPct": {
            "p50": (1 - median_ms(walls["codeMode"]) / median_ms(walls["onePerTurn"])) * 100,
            "min": (1 - min_ms(walls["codeMode"]) / min_ms(walls["onePerTurn"])) * 100,
        },
    }


# -- main ------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    """The results as a Markdown table (median, then fastest sample)."""
    o, f, h, m = (report[k] for k in ("overhead", "followup", "http", "multistep"))

    def pair(t: dict[str, float]) -> str:
        return f"{t['p50Ms']:.1f} / {t['minMs']:.1f} ms"

    rows = [
        ("comparison (p50 / min)", "Punie", "baseline", "result", "goal"),
        (
            "chat turn: `punie serve` vs bare loop",
            pair(o["server"]),
            pair(o["raw"]),
            f"{o['overheadPct']['p50']:+.1f} % / {o['overheadPct']['min']:+.1f} %",
            "≤ +5 %",
        ),
        (
            f"follow-up TTFT, {f['promptTokens']}-token prompt: cache vs re-prefill",
            pair(f["cached"]),
            pair(f["reprefill"]),
            f"{f['speedup']['p50']:.1f}x / {f['speedup']['min']:.1f}x",
            "≥ 5x",
        ),
        (
            "generation: in-process vs `mlx_lm.server` HTTP",
            pair(h["inProcess"]["total"]),
            pair(h["http"]["total"]),
            f"HTTP {h['httpSlowdown']['p50']:.2f}x / {h['httpSlowdown']['min']:.2f}x the time",
            "—",
        ),
        (
            "seed task: one Code Mode turn vs one tool per turn",
            pair(m["codeMode"]),
            pair(m["onePerTurn"]),
            f"{m['savedPct']['p50']:.0f} % / {m['savedPct']['min']:.0f} % less",
            "≥ 60 % less",
        ),
    ]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|---|---|---|---|---|")
    return "\n".join(lines)


async def as_job(function: Any, *args: Any) -> Any:
    """Run a synchronous comparison on this thread (MLX stays on one thread)."""
    return function(*args)


def mlx_model_dir(spec: str | None, loaded: LoadedModel, scratch: Path) -> Path:
    """A directory ``mlx_lm.server`` loads as the same model: the resolved weights, or,
    for an adapter, the loaded (fused) model saved to ``scratch``."""
    from mlx_lm.utils import load_config, save

    from punie_server.model_manager import embedded_model_path
    from punie_training.model_source import resolve

    resolved = resolve(spec or str(embedded_model_path()))
    if resolved.adapter is None:
        return Path(resolved.weights)
    config = load_config(Path(resolved.weights))
    save(scratch, resolved.weights, loaded.model, loaded.tokenizer, config, donate_model=False)
    return scratch


async def main() -> None:
    """Run every comparison and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model spec, as `punie --model` takes (default: embedded)")
    parser.add_argument("--untrained", action="store_true", help="use a random tiny model")
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()

    from punie_training.accel import use_fast_cpu_blas

    use_fast_cpu_blas("generation")
    with tempfile.TemporaryDirectory(prefix="punie-bench-turn-") as tmp:
        spec: str | None = args.model
        if args.untrained:
            from punie_training.tiny import write_untrained_model

            spec = str(write_untrained_model(Path(tmp) / "model"))
        workspace = write_eval_workspace(Path(tmp) / "workspace")
        loaded = load_model(spec, spec or EMBEDDED_NAME)
        model_dir = mlx_model_dir(spec, loaded, Path(tmp) / "fused")
        report: dict[str, Any] = {
            "model": spec or EMBEDDED_NAME,
            "machine": {
                "cpus": os.cpu_count(),
                "loadAverage": os.getloadavg()[0],
                "python": platform.python_version(),
            },
        }
        for name, job in (
            ("overhead", lambda: bench_overhead(loaded, spec, workspace, args.samples)),
            ("followup", lambda: bench_followup(loaded, workspace, args.samples)),
            ("http", lambda: as_job(bench_http, loaded, model_dir, args.samples)),
            ("multistep", lambda: bench_multistep(loaded, workspace, args.samples)),
        ):
            started = time.perf_counter()
            report[name] = await job()
            print(f"{name}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    report["machine"]["loadAverageAfter"] = os.getloadavg()[0]
    print(table(report))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    asyncio.run(main())
