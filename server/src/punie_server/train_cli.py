"""``punie train``: parse the arguments and hand over to ``punie_training``."""

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``punie train`` (PROTOCOL.md §1); every training value is overridable."""
    parser.add_argument("--preset", choices=("tiny", "lora"), default="tiny")
    parser.add_argument(
        "--model",
        help="base model for --preset lora: smollm2 (the embedded base), a .gguf file, "
        "an mlx-lm model directory or a hub id",
    )
    parser.add_argument("--out", type=Path, help="output model directory")
    parser.add_argument("--seed", type=int, help="data, split and initialisation seed")
    parser.add_argument("--tool-examples", type=int, help="tool examples to generate")
    parser.add_argument("--direct-examples", type=int, help="direct examples to generate")
    parser.add_argument("--iters", type=int, help="training iterations")
    parser.add_argument("--batch-size", type=int, help="training batch size")
    parser.add_argument("--learning-rate", type=float, help="peak learning rate")
    parser.add_argument("--max-seq-length", type=int, help="longest training row in tokens")
    parser.add_argument("--num-layers", type=int, help="lora: layers to adapt")
    parser.add_argument("--rank", type=int, help="lora: adapter rank")


def _overrides(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def _command_line(args: argparse.Namespace) -> str:
    words = ["punie", "train"]
    for name, value in vars(args).items():
        if value is not None and name not in ("command", "run"):
            words += [f"--{name.replace('_', '-')}", str(value)]
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    """Run the chosen preset and print where the model and its card went."""
    from punie_training.accel import use_fast_cpu_blas
    from punie_training.train_lora import LoraPreset, train_lora
    from punie_training.train_tiny import TinyPreset, train_tiny

    if sys.platform.startswith("linux") and use_fast_cpu_blas() is None:
        # Without it MLX's CPU matrix products use the reference BLAS: ~20x slower.
        print(
            "punie train: OpenBLAS not found, training will be very slow; install "
            "libopenblas0-pthread (scripts/system-deps does)",
            file=sys.stderr,
        )
    command = _command_line(args)
    fit_names = ("iters", "batch_size", "learning_rate", "max_seq_length")
    data_names = ("seed", "tool_examples", "direct_examples")
    if args.preset == "tiny":
        preset = TinyPreset(**_overrides(args, data_names))
        preset.fit = preset.fit.model_copy(update=_overrides(args, fit_names))
        out = args.out or Path("build/punie-tiny")
        card = train_tiny(out, preset, command=command)
    else:
        if not args.model:
            print("punie train: --preset lora needs --model", file=sys.stderr)
            return 2
        lora_names = ("num_layers", "rank")
        lora = LoraPreset(model=args.model, **_overrides(args, data_names + lora_names))
        lora.fit = lora.fit.model_copy(update=_overrides(args, fit_names))
        out = args.out or Path("build/punie-lora")
        card = train_lora(out, lora, command=command)
    print(
        f"model: {out}  test perplexity {card.losses['test'].perplexity:.3f}  decode check: "
        f"tool {card.decode_tool_rate:.1%}, direct {card.decode_direct_rate:.1%}, "
        f"reply {card.decode_answer_rate:.1%}  "
        f"({card.seconds['total']:.0f} s; card: {out / 'card.md'})"
    )
    return 0
