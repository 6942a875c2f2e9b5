"""The held-out decode check: does the model act right on examples it never saw?

For each test example, greedy decoding from ``[system, user]`` (the server's prompt)
must give a tool call that mlx-lm's own parser accepts for tool examples, and no tool
call for direct ones. The generated snippet then runs in the sandbox against the
example's fixture and must print the same output as the reference snippet did.

The answer turn is checked too: given the reference call and its real output, the
reply greedy decoding would give must be the reference reply, token for token. That is
checked teacher-forced (one forward pass: greedy decoding reproduces a text exactly
when every one of its tokens, and the end of turn, is the argmax after its prefix).
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from punie_sandbox.prompt import EXECUTE_CODE_TOOL
from punie_training.execute import map_in_sandbox, run_in_fixture
from punie_training.fixtures import make_fixture
from punie_training.prefix import PrefixCache, system_prefix
from punie_training.schema import Example, tool_message

MAX_TOKENS = 320
# A tool call comes first in a Code Mode turn; a direct answer's later tokens cannot
# turn it into one (the server acts on the first call), so they need not be generated.
DIRECT_MAX_TOKENS = 64


class DecodeResult(BaseModel):
    """Pass rates of the decode check, with the ids (and reasons) of the misses."""

    tool_total: int = 0
    tool_passed: int = 0
    direct_total: int = 0
    direct_passed: int = 0
    answer_total: int = 0
    answer_passed: int = 0
    # Tool examples whose reference snippet names a path under the project's package
    # (``kosalfa/labels.py``): the case a model must copy a name it never saw.
    name_path_total: int = 0
    name_path_passed: int = 0
    misses: list[str] = Field(default_factory=list)

    @property
    def tool_rate(self) -> float:
        """Share of tool examples that passed."""
        return self.tool_passed / self.tool_total if self.tool_total else 0.0

    @property
    def direct_rate(self) -> float:
        """Share of direct examples that passed."""
        return self.direct_passed / self.direct_total if self.direct_total else 0.0

    @property
    def name_path_rate(self) -> float:
        """Share of the tool examples naming a path under the project's package that passed."""
        return self.name_path_passed / self.name_path_total if self.name_path_total else 0.0

    @property
    def answer_rate(self) -> float:
        """Share of tool examples whose reply, after the reference step, is the reference."""
        return self.answer_passed / self.answer_total if self.answer_total else 0.0


def extract_code(text: str, tokenizer: Any) -> str | None:
    """The ``code`` argument of the first ``execute_code`` call in ``text``, if it parses."""
    start, end = tokenizer.tool_call_start, tokenizer.tool_call_end
    if start not in text:
        return None
    body = text.split(start, 1)[1].split(end, 1)[0]
    try:
        call = tokenizer.tool_parser(body, [EXECUTE_CODE_TOOL])
    except ValueError:
        return None
    code = call.get("arguments", {}).get("code")
    return code if call.get("name") == "execute_code" and isinstance(code, str) else None


def _after_prefix(tokens: list[int], prefix: PrefixCache) -> list[int]:
    if tokens[: len(prefix.tokens)] != prefix.tokens:
        raise ValueError("the prompt does not begin with the system turn")
    return tokens[len(prefix.tokens) :]


def greedy_replies(
    model: Any,
    tokenizer: Any,
    examples: Sequence[Example],
    prefix: PrefixCache,
    *,
    advance: Callable[[], None] = lambda: None,
) -> list[str]:
    """What the model generates, greedily, for each example's system and user turns (up
    to its end of turn, at most ``MAX_TOKENS``, or ``DIRECT_MAX_TOKENS`` for direct ones).

    The examples decode together in mlx-lm's ``BatchGenerator``, each from a fork of the
    system turn's cache: one decode step reads the weights once for the whole batch, and
    on a CPU that read is what a step costs (about 3x faster than one by one, the same
    tokens). ``advance`` is called as each example finishes.
    """
    from mlx_lm.generate import BatchGenerator

    prompts = [
        _after_prefix(
            tokenizer.apply_chat_template(
                example.messages()[:2], tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
            ),
            prefix,
        )
        for example in examples
    ]
    limits = [DIRECT_MAX_TOKENS if e.kind == "direct" else MAX_TOKENS for e in examples]
    generator = BatchGenerator(model, stop_tokens=[[t] for t in tokenizer.eos_token_ids])
    try:
        uids = generator.insert(prompts, limits, caches=[prefix.fork() for _ in examples])
        tokens: dict[int, list[int]] = {uid: [] for uid in uids}
        while responses := generator.next_generated():
            for response in responses:
                if response.finish_reason != "stop":
                    tokens[response.uid].append(response.token)
                if response.finish_reason is not None:
                    advance()
    finally:
        generator.close()
    return [tokenizer.decode(tokens[uid]) for uid in uids]


def greedy_gives_answer(model: Any, tokenizer: Any, example: Example, prefix: PrefixCache) -> bool:
    """Whether greedy decoding after the example's tool result reproduces its answer."""
    import mlx.core as mx

    chat = example.messages()
    prompt = _after_prefix(
        tokenizer.apply_chat_template(
            chat[:-1], tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
        ),
        prefix,
    )
    answer = tokenizer.encode(example.answer, add_special_tokens=False)
    target = [*prompt, *answer, tokenizer.eos_token_id]
    logits = model(mx.array([target[:-1]]), cache=prefix.fork())[0, len(prompt) - 1 :]
    return mx.argmax(logits, axis=-1).tolist() == target[len(prompt) :]


def decode_check(
    model: Any,
    tokenizer: Any,
    examples: Sequence[Example],
    *,
    advance: Callable[[], None] = lambda: None,
) -> DecodeResult:
    """Run the held-out decode check on ``examples``."""
    outcome = DecodeResult()
    to_run: list[tuple[Example, str]] = []
    prefix = PrefixCache.build(model, system_prefix(tokenizer))
    replies = greedy_replies(model, tokenizer, examples, prefix, advance=advance)
    for example, reply in zip(examples, replies, strict=True):
        code = extract_code(reply, tokenizer)
        if example.kind == "direct":
            outcome.direct_total += 1
            if code is None:
                outcome.direct_passed += 1
            else:
                outcome.misses.append(f"{example.id}: called a tool on a direct question")
            continue
        outcome.answer_total += 1
        if greedy_gives_answer(model, tokenizer, example, prefix):
            outcome.answer_passed += 1
        else:
            outcome.misses.append(f"{example.id}: reply differs from the reference")
        if code is None:
            outcome.tool_total += 1
            outcome.misses.append(f"{example.id}: no parseable tool call")
        else:
            to_run.append((example, code))

    async def job(sandbox: Any, item: tuple[Example, str]) -> str:
        example, code = item
        assert example.fixture_seed is not None
        return tool_message(await run_in_fixture(sandbox, code, example.fixture_seed))

    outputs = asyncio.run(map_in_sandbox(to_run, job)) if to_run else []
    passed = {
        example.id
        for (example, _), output in zip(to_run, outputs, strict=True)
        if output == example.tool_output
    }
    for example, code in to_run:
        outcome.tool_total += 1
        if example.id in passed:
            outcome.tool_passed += 1
        else:
            # The snippet itself says what went wrong (a name, the tool, the intent).
            outcome.misses.append(
                f"{example.id}: output differs from the reference ({example.user!r} → {code!r})"
            )
    for example in examples:
        if example.kind != "direct" and names_project_path(example):
            outcome.name_path_total += 1
            outcome.name_path_passed += example.id in passed
    return outcome


def names_project_path(example: Example) -> bool:
    """Whether the example's reference snippet names a path under its project's package."""
    assert example.fixture_seed is not None
    assert example.code is not None
    fixture = make_fixture(example.fixture_seed)
    return f'"{fixture.package_dir}/' in example.code
