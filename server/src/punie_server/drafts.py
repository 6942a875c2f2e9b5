"""Draft tokens for speculative decoding, looked up in what was already said (prompt lookup).

A Code Mode reply copies a lot: the call markup of ``execute_code``, the names of the
workspace functions from the system prompt's stubs, paths and names from the question
and from tool results, and its own earlier lines. When the last few tokens occurred
before, the tokens that followed them then are a good guess for what follows now; the
model checks the guess (``punie_server.decoding``), so a wrong one costs time, never a
different answer.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from punie_sandbox.prompt import EXECUTE_CODE_TOOL
from punie_training.schema import tool_call

# The n-grams looked up, longest first. Each guessed token costs about a quarter of a
# one-row pass (SmolLM2 on the packed kernels, bench/decode_profile.py), so only a match
# of 3 tokens or more is worth guessing from: shorter ones are wrong too often.
SHORTEST_NGRAM = 3
LONGEST_NGRAM = 5
NGRAM_LENGTHS = range(LONGEST_NGRAM, SHORTEST_NGRAM - 1, -1)


class NgramDrafts:
    """Proposes the continuation of the most recent earlier occurrence of the context's
    last n tokens (``LONGEST_NGRAM`` ≥ n ≥ ``SHORTEST_NGRAM``, longest first), in the
    context itself or else in ``corpus`` (fixed text the model often writes: its call
    markup)."""

    def __init__(self, context: Iterable[int] = (), corpus: Sequence[int] = ()) -> None:
        self.tokens: list[int] = []
        # n-gram → where its latest continuation starts (the context's, the corpus's).
        self._seen: dict[tuple[int, ...], int] = {}
        self._corpus = list(corpus)
        self._corpus_seen: dict[tuple[int, ...], int] = {}
        for end in range(1, len(self._corpus)):
            _register(self._corpus_seen, self._corpus, end)
        self.extend(context)

    def extend(self, tokens: Iterable[int]) -> None:
        """Append tokens to the context (the prompt, then every accepted token)."""
        for token in tokens:
            # The n-grams that end at the current last token now have a continuation.
            _register(self._seen, self.tokens, len(self.tokens))
            self.tokens.append(token)

    def draft(self, limit: int) -> list[int]:
        """Up to ``limit`` tokens that may follow the context; empty when nothing matches."""
        if limit <= 0:
            return []
        for n in NGRAM_LENGTHS:
            if n > len(self.tokens):
                continue
            gram = tuple(self.tokens[-n:])
            if (start := self._seen.get(gram)) is not None:
                return self.tokens[start : start + limit]
            if (start := self._corpus_seen.get(gram)) is not None:
                return self._corpus[start : start + limit]
        return []


def _register(seen: dict[tuple[int, ...], int], tokens: list[int], end: int) -> None:
    """Record that the n-grams ending just before ``end`` are continued at ``end``."""
    for n in NGRAM_LENGTHS:
        if n <= end:
            seen[tuple(tokens[end - n : end])] = end


def call_markup(tokenizer: Any) -> list[int]:
    """The tokens of an assistant message calling ``execute_code``, as the chat template
    renders it (the markup around the code is the same in every call)."""
    chat = [{"role": "system", "content": "."}, {"role": "user", "content": "."}]
    tools = [EXECUTE_CODE_TOOL]
    before = tokenizer.apply_chat_template(chat, tools=tools, add_generation_prompt=True)
    reply = {"role": "assistant", "content": "", "tool_calls": [tool_call("pass")]}
    after = tokenizer.apply_chat_template([*chat, reply], tools=tools)
    return list(after[len(before) :]) if after[: len(before)] == before else []
