"""A fake model whose greedy choice follows a rule, for tests of decoding and caching.

``RuleModel`` answers every forward pass with one-hot logits: after a sequence, its
greedy choice is ``rule(sequence)``. Its prompt cache (``TokenCache``) keeps the tokens
fed so far in place of keys and values, so a test can see exactly what a cache holds.
It has the parts of an mlx-lm model that mlx-lm's cache helpers and
``punie_training.prefix.PrefixCache`` use. A plain module, so tests in every package can
import it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TokenCache:
    """A prompt cache whose keys and values are the tokens fed so far."""

    tokens: list[int] = field(default_factory=list)

    @property
    def offset(self) -> int:
        return len(self.tokens)

    @property
    def state(self) -> Any:
        return self.keys_and_values()

    def keys_and_values(self) -> Any:
        import mlx.core as mx

        return mx.array(self.tokens or [0])

    def is_trimmable(self) -> bool:
        return True

    def trim(self, n: int) -> int:
        n = min(n, len(self.tokens))
        del self.tokens[len(self.tokens) - n :]
        return n


@dataclass
class RuleModel:
    """Greedy choice after a sequence: ``rule(sequence)``; records every pass's length."""

    rule: Callable[[list[int]], int]
    vocab: int
    passes: list[int] = field(default_factory=list)

    def make_cache(self) -> list[TokenCache]:
        return [TokenCache()]

    def __call__(self, inputs: Any, cache: list[TokenCache]) -> Any:
        import mlx.core as mx

        fed = inputs[0].tolist()
        self.passes.append(len(fed))
        before = list(cache[0].tokens)
        cache[0].tokens.extend(fed)
        rows = []
        for i in range(len(fed)):
            row = [0.0] * self.vocab
            row[self.rule(before + fed[: i + 1])] = 1.0
            rows.append(row)
        return mx.array([rows])

    def greedy(self, context: list[int], count: int) -> list[int]:
        """The reference: ``count`` greedy tokens computed one at a time."""
        sequence = list(context)
        for _ in range(count):
            sequence.append(self.rule(sequence))
        return sequence[len(context) :]


def cycling(cycle: list[int], otherwise: int) -> Callable[[list[int]], int]:
    """A rule whose next token follows the last one around ``cycle``."""

    def rule(sequence: list[int]) -> int:
        last = sequence[-1]
        return cycle[(cycle.index(last) + 1) % len(cycle)] if last in cycle else otherwise

    return rule
