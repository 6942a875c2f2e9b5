"""Training and loss evaluation with mlx-lm's own trainer and chat datasets.

Rows are mlx-lm chat JSONL. Fine-tuning (the LoRA preset) uses ``mask_prompt``: the
loss covers only the last assistant turn of each row. A model trained from scratch
(the tiny preset) learns from every token of each whole chat instead: predicting the
questions and the tool output, which repeat names and numbers, is what teaches it to
copy them, at no extra compute. mlx-lm's trainer draws the progress bars; losses
reported in the card always cover the assistant's turns only.
"""

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from punie_training.prefix import PrefixCache, cached_prefix_loss, prefix_batches, prefix_loss


class FitSettings(BaseModel):
    """Optimiser and loop settings of one training run."""

    iters: int
    batch_size: int
    learning_rate: float
    warmup: int = 0
    max_seq_length: int = 512
    steps_per_report: int = 25
    steps_per_eval: int = 200
    val_batches: int = 8
    grad_checkpoint: bool = False
    whole_chats: bool = False
    # Share of tool examples whose answer turn (after the tool result) gets a row of its
    # own. That row is the whole chat, tool output included, trained on one or two
    # tokens (a Code Mode answer turn is just its end): a fraction teaches it as well.
    answer_share: float = 1.0


class SplitLoss(BaseModel):
    """Mean masked cross-entropy of a split, and its perplexity."""

    loss: float
    perplexity: float


def read_rows(path: Path) -> list[dict[str, Any]]:
    """mlx-lm chat rows from a JSONL file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def is_answer_row(row: dict[str, Any]) -> bool:
    """Whether a row trains the answer turn that follows a tool result."""
    return any(m["role"] == "tool" for m in row["messages"])


def chat_dataset(
    rows: list[dict[str, Any]], tokenizer: Any, *, whole: bool = False, answer_share: float = 1.0
) -> Any:
    """An mlx-lm dataset over chat rows, tokenised once; the loss covers each row's last
    assistant turn, or with ``whole`` every token of the whole chats among the rows.
    ``answer_share`` keeps that share of the answer-turn rows (every n-th, in order)."""
    from mlx_lm.tuner.datasets import CacheDataset, ChatDataset

    if whole:
        # A tool example's call-turn row is a prefix of its full chat: keep the full one.
        rows = [row for row in rows if not row["messages"][-1].get("tool_calls")]
    elif answer_share < 1.0:
        every = round(1 / answer_share) if answer_share > 0 else 0
        answers = [i for i, row in enumerate(rows) if is_answer_row(row)]
        dropped = {i for n, i in enumerate(answers) if not every or n % every}
        rows = [row for i, row in enumerate(rows) if i not in dropped]
    return CacheDataset(ChatDataset(rows, tokenizer, mask_prompt=not whole))


def fit(
    model: Any,
    tokenizer: Any,
    data_dir: Path,
    settings: FitSettings,
    work: Path,
    *,
    seed: int,
    prefix: list[int] | None = None,
) -> None:
    """Train ``model``'s trainable parameters on ``data_dir``'s train split in place.

    ``prefix``: the tokens every row begins with (the system turn), run once per batch
    instead of once per row (``punie_training.prefix``). The same model, data and
    ``seed`` give the same weights.
    """
    import mlx.optimizers as optim
    import numpy as np
    from mlx_lm.tuner.trainer import TrainingArgs, train

    whole = settings.whole_chats
    train_set = chat_dataset(
        read_rows(data_dir / "train.jsonl"),
        tokenizer,
        whole=whole,
        answer_share=settings.answer_share,
    )
    valid_set = chat_dataset(read_rows(data_dir / "valid.jsonl"), tokenizer, whole=whole)
    decay = optim.cosine_decay(settings.learning_rate, settings.iters, settings.learning_rate / 10)
    schedule = (
        optim.join_schedules(
            [optim.linear_schedule(0.0, settings.learning_rate, settings.warmup), decay],
            [settings.warmup],
        )
        if settings.warmup
        else decay
    )
    args = TrainingArgs(
        batch_size=settings.batch_size,
        iters=settings.iters,
        val_batches=settings.val_batches,
        steps_per_report=settings.steps_per_report,
        steps_per_eval=settings.steps_per_eval,
        steps_per_save=settings.iters + 1,  # only the final save
        max_seq_length=settings.max_seq_length,
        adapter_file=str(work / "trainable.safetensors"),
        grad_checkpoint=settings.grad_checkpoint,
    )
    # mlx-lm's trainer draws its batch order from NumPy's global generator, unseeded.
    np.random.seed(seed)
    optimizer = optim.AdamW(learning_rate=schedule, weight_decay=0.01)
    if prefix is None:
        train(model, optimizer, train_set, valid_set, args)
    else:
        loss, batches = prefix_loss(prefix), prefix_batches(prefix)
        train(model, optimizer, train_set, valid_set, args, loss=loss, iterate_batches=batches)


def split_loss(
    model: Any,
    tokenizer: Any,
    path: Path,
    *,
    batch_size: int,
    max_seq: int,
    prefix: PrefixCache | None = None,
) -> SplitLoss:
    """Loss and perplexity of ``model`` on all the rows of a split file (``prefix``, the
    system turn's cache built with this model: the same value, faster)."""
    from mlx_lm.tuner.trainer import evaluate

    rows = read_rows(path)
    dataset = chat_dataset(rows, tokenizer)
    batch = max(1, min(batch_size, len(rows)))
    shared: dict[str, Any] = {}
    if prefix is not None:
        shared = {
            "loss": cached_prefix_loss(prefix),
            "iterate_batches": prefix_batches(prefix.tokens),
        }
    loss = evaluate(
        model, dataset, batch_size=batch, num_batches=-1, max_seq_length=max_seq, **shared
    )
    return SplitLoss(loss=loss, perplexity=math.exp(loss))


def split_losses(
    model: Any,
    tokenizer: Any,
    data_dir: Path,
    *,
    batch_size: int,
    max_seq: int,
    prefix: list[int] | None = None,
    splits: tuple[str, ...] = ("train", "valid", "test"),
) -> dict[str, SplitLoss]:
    """Loss and perplexity of each of ``splits`` in ``data_dir`` (``prefix`` as in ``fit``)."""
    # The weights stay put while the losses are measured: one cache serves every split.
    cache = PrefixCache.build(model, prefix) if prefix is not None else None
    return {
        name: split_loss(
            model,
            tokenizer,
            data_dir / f"{name}.jsonl",
            batch_size=batch_size,
            max_seq=max_seq,
            prefix=cache,
        )
        for name in splits
    }
