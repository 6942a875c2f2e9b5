"""The shared system-turn prefix: the same loss for less work, and forks that do not leak."""

from pathlib import Path
from typing import Any

import pytest

from punie_sandbox.prompt import EXECUTE_CODE_TOOL
from punie_training.accel import use_fast_cpu_blas
from punie_training.fit import chat_dataset
from punie_training.generate import plan_direct_examples
from punie_training.prefix import (
    PrefixCache,
    cached_prefix_loss,
    prefix_batches,
    prefix_loss,
    system_prefix,
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    use_fast_cpu_blas()
    from mlx_lm import load

    from punie_training.tiny import write_untrained_model

    return load(str(write_untrained_model(tmp_path_factory.mktemp("model"))))[:2]


def rows() -> list[dict[str, Any]]:
    return [row for e in plan_direct_examples(0, 8) for row in e.rows()]


def test_every_chat_of_the_server_begins_with_the_system_prefix(loaded):
    _, tokenizer = loaded
    chat = tokenizer.apply_chat_template(rows()[0]["messages"], tools=[EXECUTE_CODE_TOOL])
    prefix = system_prefix(tokenizer)
    assert chat[: len(prefix)] == prefix


def test_the_prefix_loss_equals_mlx_lms_loss_on_whole_rows(loaded):
    import mlx.core as mx
    from mlx_lm.tuner.trainer import default_loss, iterate_batches

    model, tokenizer = loaded
    dataset = chat_dataset(rows(), tokenizer)
    prefix = system_prefix(tokenizer)
    whole, whole_lengths = next(iterate_batches(dataset, 4, 2048, seed=0))
    cut, cut_lengths = next(prefix_batches(prefix)(dataset, 4, 2048, seed=0))
    expected, expected_tokens = default_loss(model, whole, whole_lengths)
    loss, tokens = prefix_loss(prefix)(model, cut, cut_lengths)
    assert tokens.item() == expected_tokens.item()
    assert (mx.abs(loss - expected) < 1e-4).item()


def test_the_cached_prefix_loss_equals_the_prefix_loss_batch_after_batch(loaded):
    import mlx.core as mx

    model, tokenizer = loaded
    dataset = chat_dataset(rows(), tokenizer)
    prefix = system_prefix(tokenizer)
    cached = cached_prefix_loss(PrefixCache.build(model, prefix))
    batches = prefix_batches(prefix)(dataset, 2, 2048, seed=0)
    for batch, lengths in [next(batches), next(batches)]:
        expected, expected_tokens = prefix_loss(prefix)(model, batch, lengths)
        loss, tokens = cached(model, batch, lengths)
        assert tokens.item() == expected_tokens.item()
        assert (mx.abs(loss - expected) < 1e-5).item()


def test_a_row_without_the_prefix_is_refused(loaded):
    _, tokenizer = loaded
    dataset = chat_dataset(rows(), tokenizer)
    with pytest.raises(ValueError, match="does not begin with the system turn"):
        next(prefix_batches([12345, 54321])(dataset, 4, 2048, seed=0))


def test_a_fork_starts_with_the_prefix_and_leaves_the_original_untouched(loaded):
    import mlx.core as mx

    model, tokenizer = loaded
    prefix = PrefixCache.build(model, system_prefix(tokenizer))
    fork = prefix.fork()
    model(mx.array([[1, 2, 3]]), cache=fork)
    assert fork[0].offset == len(prefix.tokens) + 3
    assert prefix.cache[0].offset == len(prefix.tokens)
    again = prefix.fork()
    assert mx.array_equal(again[0].keys_and_values()[0], prefix.cache[0].keys_and_values()[0])


def test_generation_from_a_fork_equals_generation_from_the_whole_prompt(loaded, tmp_path: Path):
    from mlx_lm import generate

    model, tokenizer = loaded
    messages = rows()[0]["messages"][:2]
    prompt = tokenizer.apply_chat_template(
        messages, tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
    )
    prefix = PrefixCache.build(model, system_prefix(tokenizer))
    whole = generate(model, tokenizer, prompt=prompt, max_tokens=12)
    forked = generate(
        model,
        tokenizer,
        prompt=prompt[len(prefix.tokens) :],
        max_tokens=12,
        prompt_cache=prefix.fork(),
    )
    assert forked == whole
