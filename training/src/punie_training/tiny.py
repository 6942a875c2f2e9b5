"""Punie's tiny from-scratch model: a small Qwen3-architecture network for mlx-lm.

``write_untrained_model`` writes a complete, loadable model directory in seconds
(tokenizer, chat template, random weights), for tests that need a real model before a
trained one exists. The training pipeline uses the same pieces with a real corpus.
"""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from punie_training.accel import use_fast_cpu_blas
from punie_training.chat_template import render_chat
from punie_training.tokenizer import save_tokenizer, train_tokenizer


class TinySize(BaseModel):
    """The shape of a tiny model (all Qwen3 ``ModelArgs`` that matter)."""

    layers: int = 4
    # Width 256 copied no better than 128 (decode check 68% vs 67%) at twice the cost.
    hidden: int = 128
    # Four full heads (not 2 query heads sharing 1 KV head): separate keys and values let
    # a layer hold both a previous-token head and a copying head.
    heads: int = 4
    kv_heads: int = 4
    head_dim: int = 32
    intermediate: int = 384
    vocab: int = 1536
    max_seq: int = 4096


def model_config(size: TinySize, vocab_size: int) -> dict[str, Any]:
    """The ``config.json`` of a tiny Qwen3 model (tied embeddings)."""
    return {
        "model_type": "qwen3",
        "architectures": ["Qwen3ForCausalLM"],
        "hidden_size": size.hidden,
        "num_hidden_layers": size.layers,
        "intermediate_size": size.intermediate,
        "num_attention_heads": size.heads,
        "num_key_value_heads": size.kv_heads,
        "head_dim": size.head_dim,
        "rms_norm_eps": 1e-6,
        "vocab_size": vocab_size,
        "max_position_embeddings": size.max_seq,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
    }


def build_model(config: dict[str, Any], *, seed: int) -> Any:
    """A randomly initialised mlx-lm Qwen3 model for ``config``."""
    use_fast_cpu_blas()
    import mlx.core as mx
    from mlx_lm.models import qwen3

    mx.random.seed(seed)
    model = qwen3.Model(qwen3.ModelArgs.from_dict(config))
    mx.eval(model.parameters())
    return model


def save_weights(model: Any, config: dict[str, Any], out_dir: Path) -> None:
    """Write ``model.safetensors`` and ``config.json`` the way mlx-lm reads them."""
    import mlx.core as mx
    from mlx.utils import tree_flatten

    out_dir.mkdir(parents=True, exist_ok=True)
    weights = dict(tree_flatten(model.parameters()))
    mx.save_safetensors(str(out_dir / "model.safetensors"), weights, metadata={"format": "mlx"})
    (out_dir / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def _sample_corpus() -> Iterable[str]:
    """A few rendered Code Mode chats: enough text for a small, valid tokenizer."""
    from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt, user_turn
    from punie_training.evalsuites import load_suites

    for queries in load_suites().values():
        for query in queries:
            messages: list[dict[str, Any]] = [
                {"role": "system", "content": system_prompt()},
                {"role": "user", "content": user_turn(query.query)},
            ]
            if query.kind != "direct":
                code = 'print(read_file("README.md"))'
                call = {"name": "execute_code", "arguments": {"code": code}}
                messages += [
                    {"role": "assistant", "content": "", "tool_calls": [{"function": call}]},
                    {"role": "tool", "content": "# acme\n\nA small demo project."},
                ]
            messages.append({"role": "assistant", "content": "The project is called acme."})
            yield render_chat(messages, [EXECUTE_CODE_TOOL])


def write_untrained_model(out_dir: Path, *, seed: int = 0) -> Path:
    """Write a loadable, randomly initialised tiny model directory; return ``out_dir``.

    The tokenizer is trained on a small generated corpus and carries the Qwen3-Coder
    chat template and ``tool_parser_type: qwen3_coder``, so ``mlx_lm.load`` gives a
    tokenizer with tool calling; the weights are random (it generates noise).
    """
    size = TinySize(layers=2, hidden=64, heads=2, kv_heads=1, head_dim=32, intermediate=128)
    tokenizer = train_tokenizer(list(_sample_corpus()), vocab_size=512)
    save_tokenizer(tokenizer, out_dir, model_max_length=size.max_seq)
    config = model_config(size, tokenizer.get_vocab_size())
    save_weights(build_model(config, seed=seed), config, out_dir)
    return out_dir
