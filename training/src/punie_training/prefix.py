"""The system turn as a shared prefix: computed once, reused by every chat that starts with it.

Every Code Mode chat starts with the same tokens: the rendered system turn (instructions,
stubs, tool list), about 400 tokens for SmolLM2's tokenizer against ~100 for the rest
of a training example. Its key/value cache is computed once and copied:

- in training, ``prefix_loss`` runs the prefix once per batch (without gradient) and the
  batch's suffixes attend to it, instead of every row recomputing it; measuring a
  split's loss, where the weights stay put, ``cached_prefix_loss`` runs it once in all;
- in decoding, ``PrefixCache.fork`` gives a fresh prompt cache that already holds it.
"""

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt


def system_prefix(tokenizer: Any) -> list[int]:
    """The tokens every chat of the server begins with: its rendered system turn."""
    messages = [{"role": "system", "content": system_prompt()}]
    return list(tokenizer.apply_chat_template(messages, tools=[EXECUTE_CODE_TOOL]))


@dataclass
class PrefixCache:
    """A prompt cache holding ``tokens``, to be forked for each new chat."""

    tokens: list[int]
    cache: list[Any]

    @classmethod
    def build(cls, model: Any, tokens: Sequence[int]) -> "PrefixCache":
        """Run ``tokens`` through ``model`` once and keep the resulting cache."""
        import mlx.core as mx
        from mlx_lm.models.cache import make_prompt_cache

        cache = make_prompt_cache(model)
        model(mx.array([list(tokens)]), cache=cache)
        mx.eval([c.keys_and_values() for c in cache])
        return cls(list(tokens), cache)

    def is_prefix_of(self, tokens: Sequence[int]) -> bool:
        """Whether ``tokens`` begin with the prefix (so a fork can hold their start)."""
        return list(tokens[: len(self.tokens)]) == self.tokens

    def fork(self) -> list[Any]:
        """A prompt cache of its own that starts out holding the prefix."""
        # Caches write into their buffers in place, so a fork must not share them.
        return copy.deepcopy(self.cache)


def _broadcast(cache: list[Any], batch: int) -> list[Any]:
    """The prefix cache repeated for ``batch`` rows, outside the gradient."""
    import mlx.core as mx
    from mlx_lm.models.cache import KVCache

    out = []
    for layer in cache:
        keys, values = layer.keys_and_values()
        fresh = KVCache()
        fresh.state = (
            mx.stop_gradient(mx.repeat(keys, batch, axis=0)),
            mx.stop_gradient(mx.repeat(values, batch, axis=0)),
            layer.offset,
        )
        out.append(fresh)
    return out


def _suffix_loss(model: Any, cache: list[Any], batch: Any, lengths: Any) -> tuple[Any, Any]:
    """mlx-lm's masked cross-entropy of ``batch``'s rows continuing from the prefix ``cache``."""
    import mlx.core as mx
    import mlx.nn as nn

    cache = _broadcast(cache, batch.shape[0])
    inputs, targets = batch[:, :-1], batch[:, 1:]
    logits = model(inputs, cache=cache)
    steps = mx.arange(1, targets.shape[1] + 1)
    mask = mx.logical_and(steps >= lengths[:, 0:1], steps <= lengths[:, 1:])
    ce = nn.losses.cross_entropy(logits, targets) * mask
    ntoks = mask.sum()
    return ce.astype(mx.float32).sum() / ntoks, ntoks


def prefix_loss(prefix: Sequence[int]) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    """mlx-lm's masked cross-entropy for batches whose rows all begin with ``prefix``,
    which ``prefix_batches`` has cut off: the prefix is run once per batch, without
    gradient, and every row continues from its cache.

    The loss equals mlx-lm's ``default_loss`` on the whole rows; the gradient leaves out
    only the path through the prefix's keys and values.
    """
    import mlx.core as mx
    from mlx_lm.models.cache import make_prompt_cache

    head = mx.array([list(prefix)])

    def loss(model: Any, batch: Any, lengths: Any) -> tuple[Any, Any]:
        cache = make_prompt_cache(model)
        model(head, cache=cache)
        return _suffix_loss(model, cache, batch, lengths)

    return loss


def cached_prefix_loss(prefix: PrefixCache) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    """``prefix_loss`` for a model whose weights do not change between batches (measuring
    a split's loss): the prefix's cache is the one ``prefix`` already holds."""

    def loss(model: Any, batch: Any, lengths: Any) -> tuple[Any, Any]:
        return _suffix_loss(model, prefix.cache, batch, lengths)

    return loss


def prefix_batches(prefix: Sequence[int]) -> Callable[..., Iterator[tuple[Any, Any]]]:
    """mlx-lm's batch iterator, with ``prefix`` cut off every row (checked) and the
    masked spans shifted to match; the pair of ``prefix_loss``."""
    import mlx.core as mx
    from mlx_lm.tuner.trainer import iterate_batches

    size = len(prefix)
    head = mx.array(list(prefix))

    def batches(*args: Any, **kwargs: Any) -> Iterator[tuple[Any, Any]]:
        for batch, lengths in iterate_batches(*args, **kwargs):
            if not mx.array_equal(batch[:, :size], mx.broadcast_to(head, (batch.shape[0], size))):
                raise ValueError("a training row does not begin with the system turn")
            # The first suffix token is predicted from the prefix's last one; it is part
            # of the prompt (the user turn's start), so its loss is masked anyway.
            yield batch[:, size:], lengths - mx.array([[size, size]])

    return batches
