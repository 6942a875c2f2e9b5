"""Small GGUF files made the way llama.cpp makes them, for the tests of GGUF loading.

``write_llama_gguf`` takes a random mlx-lm ``llama`` model, permutes its query and key
rows as llama.cpp's converter does (mlx-lm's own GGUF exporter's ``permute_weights``),
renames its tensors to GGUF's names and writes it with llama.cpp's ``gguf`` writer,
together with a byte-level BPE tokenizer trained on a few sentences. A plain module, so
tests in every package can import it.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from punie_training.chat_template import CHAT_TEMPLATE

SENTENCES = (
    "Read README.md and tell me what this project is.",
    "def add(a, b):\n    return a + b\n",
    "The project is called acme. print(read_file('notes.txt'))",
)
SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
# A template mlx-lm cannot read tool calls from, and that is not ChatML either.
PLAIN_TEMPLATE = "{% for m in messages %}### {{ m.role }}: {{ m.content }}\n{% endfor %}### a:"
# ChatML without any tool support, as many instruct models ship it.
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
TOOL_TEMPLATE = CHAT_TEMPLATE


def tiny_bpe() -> tuple[list[str], list[str]]:
    """A byte-level BPE vocabulary (in id order, chat markers first) and its merges."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=list(SPECIALS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(SENTENCES * 4, trainer=trainer)
    model = json.loads(tokenizer.to_str())["model"]
    vocab: dict[str, int] = model["vocab"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
    return sorted(vocab, key=vocab.__getitem__), merges


def random_llama(vocab_size: int, *, seed: int = 0) -> Any:
    """A small random mlx-lm llama model (float32, HF layout: rotate-half RoPE)."""
    import mlx.core as mx
    from mlx_lm.models import llama

    mx.random.seed(seed)
    args = llama.ModelArgs(
        model_type="llama",
        hidden_size=64,
        num_hidden_layers=2,
        intermediate_size=96,
        num_attention_heads=4,
        num_key_value_heads=2,
        rms_norm_eps=1e-5,
        vocab_size=vocab_size,
        rope_theta=10000.0,
        tie_word_embeddings=True,
    )
    model = llama.Model(args)
    mx.eval(model.parameters())
    return model


def round_trip(model: Any, tensor_type: str) -> Any:
    """``model`` with every 2-D weight quantized to ``tensor_type`` and back, by llama.cpp's
    reader: what a GGUF of that type holds, in the original layout."""
    import gguf
    import mlx.core as mx
    import numpy as np
    from gguf.quants import dequantize, quantize
    from mlx.utils import tree_flatten, tree_unflatten

    kind = gguf.GGMLQuantizationType[tensor_type]
    parameters: Any = tree_flatten(model.parameters())
    weights = [
        (name, mx.array(dequantize(quantize(np.array(v), kind), kind)) if v.ndim == 2 else v)
        for name, v in parameters
    ]
    model.update(tree_unflatten(weights))
    return model


def write_llama_gguf(
    path: Path,
    *,
    chat_template: str | None = TOOL_TEMPLATE,
    architecture: str = "llama",
    tensor_type: str = "F32",
    edit_metadata: Callable[[Any], None] = lambda writer: None,
) -> Any:
    """Write a random llama model as a GGUF file at ``path``; return the mlx-lm model.

    ``tensor_type`` is the GGML type of every 2-D weight (norms stay F32): ``F32``,
    ``Q4_1``/``Q8_0`` (which MLX reads natively), ``Q5_0`` (which only llama.cpp's reader
    dequantizes) or ``Q8_1`` (which neither reads).
    """
    import gguf
    import numpy as np
    from gguf.quants import quantize
    from mlx.utils import tree_flatten
    from mlx_lm.gguf import permute_weights, translate_weight_names

    tokens, merges = tiny_bpe()
    model = random_llama(len(tokens))
    args = model.args
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_name("punie-test-llama")
    writer.add_context_length(4096)  # room for the Code Mode system turn
    writer.add_embedding_length(args.hidden_size)
    writer.add_block_count(args.num_hidden_layers)
    writer.add_feed_forward_length(args.intermediate_size)
    writer.add_head_count(args.num_attention_heads)
    writer.add_head_count_kv(args.num_key_value_heads)
    writer.add_layer_norm_rms_eps(args.rms_norm_eps)
    writer.add_rope_freq_base(args.rope_theta)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_merges(merges)
    writer.add_token_types([3 if t in SPECIALS else 1 for t in tokens])
    writer.add_bos_token_id(tokens.index("<|im_start|>"))
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_add_bos_token(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)
    edit_metadata(writer)
    kind = gguf.GGMLQuantizationType[tensor_type]
    for name, value in tree_flatten(model.parameters()):
        if "q_proj" in name:
            value = permute_weights(value, args.num_attention_heads)
        elif "k_proj" in name:
            value = permute_weights(value, args.num_attention_heads, args.num_key_value_heads)
        array = np.array(value, dtype=np.float32)
        target = translate_weight_names(name)
        if array.ndim == 2 and kind != gguf.GGMLQuantizationType.F32:
            if kind == gguf.GGMLQuantizationType.Q8_1:  # no quantizer: its bytes only
                block, size = gguf.GGML_QUANT_SIZES[kind]
                raw = np.zeros((array.shape[0], array.shape[1] // block * size), np.uint8)
            else:
                raw = quantize(array, kind)
            writer.add_tensor(target, raw, raw_dtype=kind)
        else:
            writer.add_tensor(target, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return model
