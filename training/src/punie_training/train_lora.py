"""The LoRA preset: the seed's recipe for fine-tuning an existing mlx-lm model.

Defaults are the seed's: LoRA on the last 8 layers (rank 8, scale 20), 500 iterations,
batch 1, learning rate 1e-4; the adapters are fused into the base weights and the
result is quantized to 5 bits with group size 64 (skipped when the base model is
already quantized). The data, split, decode check and card are the tiny preset's.
"""

import json
import time
from pathlib import Path
from typing import Any

from pydantic import Field

from punie_training.accel import use_fast_cpu_blas
from punie_training.card import ModelCard
from punie_training.data import DataPlan, build_data
from punie_training.dataset import read_examples
from punie_training.fit import FitSettings, fit, split_losses
from punie_training.train_tiny import data_dir_for, parameter_count, run_decode_check


class LoraPreset(DataPlan):
    """Everything that decides a LoRA fine-tune."""

    model: str
    tool_examples: int = 600
    direct_examples: int = 300
    num_layers: int = 8
    rank: int = 8
    scale: float = 20.0
    fit: FitSettings = Field(
        default_factory=lambda: FitSettings(
            iters=500, batch_size=1, learning_rate=1e-4, max_seq_length=2048, val_batches=25
        )
    )
    quantize_bits: int | None = 5
    quantize_group_size: int = 64


def _adapter_config(preset: LoraPreset) -> dict[str, Any]:
    return {
        "fine_tune_type": "lora",
        "num_layers": preset.num_layers,
        "lora_parameters": {"rank": preset.rank, "dropout": 0.0, "scale": preset.scale},
    }


def _fuse(model: Any) -> None:
    from mlx.utils import tree_unflatten

    fused = [(n, m.fuse(dequantize=False)) for n, m in model.named_modules() if hasattr(m, "fuse")]
    if fused:
        model.update_modules(tree_unflatten(fused))


def train_lora(out_dir: Path, preset: LoraPreset, *, command: str) -> ModelCard:
    """Fine-tune ``preset.model`` into ``out_dir`` (fused, quantized); return its card."""
    use_fast_cpu_blas()
    from mlx_lm.tuner.utils import linear_to_lora_layers
    from mlx_lm.utils import load, quantize_model, save

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    data_dir = data_dir_for(out_dir)
    report = build_data(data_dir, preset)
    seconds["data"] = time.perf_counter() - started

    mark = time.perf_counter()
    loaded: Any = load(preset.model, return_config=True)
    model, tokenizer, config = loaded
    model.freeze()
    adapter_config = _adapter_config(preset)
    linear_to_lora_layers(model, preset.num_layers, adapter_config["lora_parameters"])
    adapters = out_dir.with_name(out_dir.name + "-adapters")
    adapters.mkdir(parents=True, exist_ok=True)
    (adapters / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2) + "\n")
    fit(model, tokenizer, data_dir, preset.fit, adapters, seed=preset.seed)
    (adapters / "trainable.safetensors").replace(adapters / "adapters.safetensors")
    seconds["training"] = time.perf_counter() - mark

    mark = time.perf_counter()
    model.eval()
    losses = split_losses(
        model,
        tokenizer,
        data_dir,
        batch_size=max(preset.fit.batch_size, 4),
        max_seq=preset.fit.max_seq_length,
    )
    _fuse(model)
    if preset.quantize_bits and "quantization" not in config:
        model, config = quantize_model(
            model, config, preset.quantize_group_size, preset.quantize_bits
        )
    save(out_dir, preset.model, model, tokenizer, config, donate_model=False)
    seconds["fuse_quantize"] = time.perf_counter() - mark

    mark = time.perf_counter()
    decode = run_decode_check(out_dir, read_examples(data_dir / "test_examples.jsonl"))
    seconds["evaluation"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    weights = sorted(out_dir.glob("*.safetensors"))
    card = ModelCard(
        preset="lora",
        base_model=preset.model,
        seed=preset.seed,
        command=command,
        data=report,
        architecture={"num_layers": preset.num_layers, "rank": preset.rank, "scale": preset.scale},
        parameters=parameter_count(model),
        size_bytes=sum(p.stat().st_size for p in weights),
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
