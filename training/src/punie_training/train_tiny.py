"""The tiny preset: data → tokenizer → from-scratch Qwen3 model → mlx-lm trainer → card.

``train_tiny(out_dir, TinyPreset())`` writes a model directory that ``mlx_lm.load``
opens (weights, config, tokenizer with the chat template, model card) and keeps the
generated dataset next to it in ``<out_dir>-data``. The same seed gives the same data
and the same initial weights.
"""

import time
from pathlib import Path
from typing import Any

from pydantic import Field

from punie_training.accel import use_fast_cpu_blas
from punie_training.card import ModelCard
from punie_training.chat_template import render_chat
from punie_training.data import DataPlan, build_data, progress_bar
from punie_training.dataset import read_examples
from punie_training.decode import decode_check
from punie_training.fit import FitSettings, fit, split_losses
from punie_training.schema import Example
from punie_training.tiny import TinySize, build_model, model_config, save_weights
from punie_training.tokenizer import save_tokenizer, train_tokenizer


class TinyPreset(DataPlan):
    """Everything that decides the tiny model (the defaults make the embedded one)."""

    tool_examples: int = 1200
    direct_examples: int = 550
    size: TinySize = Field(default_factory=TinySize)
    # Measured on 2 CPU cores: small batches and many updates beat large batches at the
    # same compute (same decode check, better eval, a third of the training time).
    fit: FitSettings = Field(
        default_factory=lambda: FitSettings(
            iters=2200,
            batch_size=4,
            learning_rate=2e-3,
            warmup=30,
            max_seq_length=384,
            steps_per_report=100,
            steps_per_eval=1100,
            whole_chats=True,
        )
    )


def data_dir_for(out_dir: Path) -> Path:
    """Where the dataset of the model in ``out_dir`` is kept."""
    return out_dir.with_name(out_dir.name + "-data")


def parameter_count(model: Any) -> int:
    """Number of parameters of an mlx model."""
    from mlx_lm.utils import get_total_parameters

    return get_total_parameters(model)


def run_decode_check(model_dir: Path, examples: list[Example]) -> Any:
    """The held-out decode check on the saved model, loaded back the way the server loads it."""
    from punie_training import model_source

    model, tokenizer = model_source.load(str(model_dir), packed_decoding=True)
    with progress_bar() as bar:
        task = bar.add_task("decode check on the test split", total=len(examples))
        return decode_check(model, tokenizer, examples, advance=lambda: bar.advance(task))


def train_tiny(out_dir: Path, preset: TinyPreset, *, command: str) -> ModelCard:
    """Build the tiny model into ``out_dir``; return (and write) its card."""
    use_fast_cpu_blas()
    from mlx_lm.tokenizer_utils import load as load_tokenizer

    from punie_sandbox.prompt import EXECUTE_CODE_TOOL

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    data_dir = data_dir_for(out_dir)
    report = build_data(data_dir, preset)
    seconds["data"] = time.perf_counter() - started

    examples = read_examples(data_dir / "examples.jsonl")
    train_examples = examples[: report.split_sizes["train"]]
    texts = [render_chat(e.messages(), [EXECUTE_CODE_TOOL]) for e in train_examples]
    out_dir.mkdir(parents=True, exist_ok=True)
    save_tokenizer(
        train_tokenizer(texts, preset.size.vocab), out_dir, model_max_length=preset.size.max_seq
    )
    tokenizer = load_tokenizer(out_dir)
    config = model_config(preset.size, len(tokenizer.vocab))
    model = build_model(config, seed=preset.seed)

    mark = time.perf_counter()
    fit(model, tokenizer, data_dir, preset.fit, data_dir, seed=preset.seed)
    save_weights(model, config, out_dir)
    seconds["training"] = time.perf_counter() - mark

    mark = time.perf_counter()
    model.eval()
    losses = split_losses(
        model,
        tokenizer,
        data_dir,
        batch_size=preset.fit.batch_size,
        max_seq=preset.fit.max_seq_length,
    )
    decode = run_decode_check(out_dir, read_examples(data_dir / "test_examples.jsonl"))
    seconds["evaluation"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started

    card = ModelCard(
        preset="tiny",
        seed=preset.seed,
        command=command,
        data=report,
        architecture={k: v for k, v in config.items() if not isinstance(v, list)},
        parameters=parameter_count(model),
        size_bytes=(out_dir / "model.safetensors").stat().st_size,
        training=preset.fit,
        losses=losses,
        decode=decode,
        decode_tool_rate=decode.tool_rate,
        decode_direct_rate=decode.direct_rate,
        decode_answer_rate=decode.answer_rate,
        seconds=seconds,
    )
    card.write(out_dir)
    return card
