"""The LoRA preset: fine-tune an existing model into a small adapter directory.

The recipe is the seed project's (mlx-lm LoRA on the last layers, AdamW, warmup and
cosine decay), tuned for the embedded model's base (docs/training.md). The output is an
adapter directory that ``--model`` accepts, which ``punie_training.model_source`` fuses
into the base's weights when it loads it:

    adapter_config.json   mlx-lm's adapter config, plus ``model``: the base's spec
    adapters.safetensors  the LoRA weights
    tokenizer.json, tokenizer_config.json   the tokenizer and tool-calling chat template
                          it was trained with (when the base is a local directory)
    card.json, card.md    data report, losses, held-out decode check, times

Every row begins with the same system turn, so the trainer runs it once per batch
(``punie_training.prefix``). The data, split, decode check and card are the tiny
preset's; the decode check runs on the adapter loaded back the way the server loads it.
"""

import json
import shutil
import time
from pathlib import Path
from typing import Any

from pydantic import Field

from punie_training import model_source
from punie_training.accel import use_fast_cpu_blas
from punie_training.card import ModelCard
from punie_training.data import DataPlan, build_data
from punie_training.dataset import read_examples
from punie_training.fit import FitSettings, fit, split_losses
from punie_training.general import distiller
from punie_training.model_errors import ModelLoadError
from punie_training.prefix import system_prefix
from punie_training.train_tiny import data_dir_for, run_decode_check

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


class LoraPreset(DataPlan):
    """Everything that decides a LoRA fine-tune."""

    model: str
    tool_examples: int = 1400
    direct_examples: int = 300
    general_examples: int = 110
    num_layers: int = 16
    rank: int = 16
    scale: float = 20.0
    fit: FitSettings = Field(
        default_factory=lambda: FitSettings(
            iters=450,
            batch_size=4,
            learning_rate=1e-4,
            warmup=10,
            max_seq_length=1024,
            steps_per_report=10,
            steps_per_eval=1000,
            val_batches=4,
            answer_share=0.25,
        )
    )


def adapter_config(preset: LoraPreset) -> dict[str, Any]:
    """mlx-lm's adapter config for ``preset``, naming the base it adapts."""
    return {
        "model": preset.model,
        "fine_tune_type": "lora",
        "num_layers": preset.num_layers,
        "lora_parameters": {"rank": preset.rank, "dropout": 0.0, "scale": preset.scale},
    }


def _copy_tokenizer(base: str, out_dir: Path) -> None:
    """The tokenizer files of a local base, next to the adapter (a hub base keeps its own)."""
    source = Path(base)
    if not source.is_dir():
        return
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, out_dir / name)


def train_lora(out_dir: Path, preset: LoraPreset, *, command: str) -> ModelCard:
    """Fine-tune ``preset.model`` into the adapter directory ``out_dir``; return its card."""
    use_fast_cpu_blas()
    from mlx.utils import tree_flatten
    from mlx_lm.tuner.utils import linear_to_lora_layers
    from mlx_lm.utils import get_total_parameters

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    base = model_source.resolve(preset.model)
    if base.adapter is not None:
        raise ModelLoadError(f"the base {preset.model!r} is itself an adapter")
    model, tokenizer = model_source.load(preset.model)
    base_parameters = get_total_parameters(model)
    data_dir = data_dir_for(out_dir)
    # The base answers the general questions before any adapter touches it.
    report = build_data(data_dir, preset, answer=distiller(model, tokenizer))
    seconds["data"] = time.perf_counter() - started

    mark = time.perf_counter()
    model.freeze()
    config = adapter_config(preset)
    linear_to_lora_layers(model, preset.num_layers, config["lora_parameters"])
    out_dir.mkdir(parents=True, exist_ok=True)
    work = data_dir / "fit"
    work.mkdir(exist_ok=True)
    fit(
        model,
        tokenizer,
        data_dir,
        preset.fit,
        work,
        seed=preset.seed,
        prefix=system_prefix(tokenizer),
    )
    (work / "trainable.safetensors").replace(out_dir / "adapters.safetensors")
    (out_dir / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n")
    _copy_tokenizer(base.weights, out_dir)
    seconds["training"] = time.perf_counter() - mark

    mark = time.perf_counter()
    model.eval()
    losses = split_losses(
        model,
        tokenizer,
        data_dir,
        batch_size=4,
        max_seq=preset.fit.max_seq_length,
        prefix=system_prefix(tokenizer),
        # Only the held-out loss says anything of the adapter; measuring the train and
        # valid splits too took two thirds of the evaluation time.
        splits=("test",),
    )
    decode = run_decode_check(out_dir, read_examples(data_dir / "test_examples.jsonl"))
    seconds["evaluation"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    adapted: Any = tree_flatten(model.trainable_parameters())
    trainable = sum(value.size for _, value in adapted)
    card = ModelCard(
        preset="lora",
        base_model=preset.model,
        seed=preset.seed,
        command=command,
        data=report,
        architecture={
            "base_parameters": base_parameters,
            "num_layers": preset.num_layers,
            "rank": preset.rank,
            "scale": preset.scale,
        },
        parameters=trainable,
        size_bytes=(out_dir / "adapters.safetensors").stat().st_size,
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
