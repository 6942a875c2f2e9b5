"""A GGUF file's tokenizer, rebuilt with the ``tokenizers`` library, and its chat template.

GGUF stores a GPT-2-style BPE tokenizer as its vocabulary, merges and token types, plus
the name of the pre-tokenizer (``tokenizer.ggml.pre``) that llama.cpp knows it by. Each
name maps to the pre-tokenizer the model was trained with; the mapping follows
llama.cpp's ``llama-vocab.cpp``, and the ``smollm`` one gives token for token what
llama.cpp gives (``training/tests/test_gguf.py``). Control tokens become special added
tokens, user-defined ones plain added tokens.

The chat template is kept. When mlx-lm recognises no tool-call format in it but it is a
ChatML template (``<|im_start|>role``), Punie's own tool-calling ChatML template
(``chat_template.CHAT_TEMPLATE``, Qwen3-Coder's wire format, read by mlx-lm's
``qwen3_coder`` parser) replaces it; any other template that cannot call tools is refused.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors

from punie_training.chat_template import CHAT_TEMPLATE
from punie_training.model_errors import ModelLoadError

if TYPE_CHECKING:
    from punie_training.gguf import GgufFile

CONTROL, USER_DEFINED = 3, 4  # llama.cpp's token types
TOOL_PARSER = "qwen3_coder"

_LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _pre_tokenizer(name: str) -> Any:
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if name in ("gpt2", "gpt-2"):
        return byte_level
    if name == "smollm":
        return pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
    if name == "llama-bpe":
        split = pre_tokenizers.Split(Regex(_LLAMA3_SPLIT), behavior="isolated")
        raw = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
        return pre_tokenizers.Sequence([split, raw])
    raise ModelLoadError(
        f"the GGUF pre-tokenizer {name!r} is not supported (supported: gpt2, smollm, llama-bpe)"
    )


def build_tokenizer(gguf: "GgufFile") -> Tokenizer:
    """The GGUF file's BPE tokenizer as a ``tokenizers.Tokenizer``."""
    kind = gguf.require("tokenizer.ggml.model")
    if kind != "gpt2":
        raise ModelLoadError(
            f"{gguf.path.name}: tokenizer model {kind!r} is not supported "
            "(Punie rebuilds GPT-2-style BPE tokenizers, tokenizer.ggml.model 'gpt2')"
        )
    tokens: list[str] = list(gguf.require("tokenizer.ggml.tokens"))
    merges = [tuple(m.split(" ", 1)) for m in gguf.require("tokenizer.ggml.merges")]
    types = list(gguf.get("tokenizer.ggml.token_type", []))
    vocab = {token: index for index, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tokenizer.pre_tokenizer = _pre_tokenizer(str(gguf.get("tokenizer.ggml.pre", "gpt2")))
    tokenizer.decoder = decoders.ByteLevel()
    special = [t for t, kind in zip(tokens, types, strict=False) if kind == CONTROL]
    added = [t for t, kind in zip(tokens, types, strict=False) if kind == USER_DEFINED]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in special])
    tokenizer.add_tokens([AddedToken(t, special=False, normalized=False) for t in added])
    if gguf.get("tokenizer.ggml.add_bos_token", False):
        bos = tokens[int(gguf.require("tokenizer.ggml.bos_token_id"))]
        bos_id = vocab[bos]
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, bos_id)]
        )
    return tokenizer


def is_chatml(template: str | None) -> bool:
    """Whether a chat template writes ChatML turns (``<|im_start|>role``)."""
    return template is not None and "<|im_start|>" in template


def write_tokenizer(gguf: "GgufFile", out_dir: Path) -> int:
    """Write ``tokenizer.json`` and ``tokenizer_config.json``; return the vocabulary size."""
    from mlx_lm.tokenizer_utils import load as load_tokenizer

    tokenizer = build_tokenizer(gguf)
    tokens = gguf.require("tokenizer.ggml.tokens")
    template = gguf.get("tokenizer.chat_template")
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "chat_template": template,
        "eos_token": tokens[int(gguf.require("tokenizer.ggml.eos_token_id"))],
        "model_max_length": int(gguf.get(f"{gguf.architecture}.context_length", 4096)),
        "clean_up_tokenization_spaces": False,
    }
    for key, field in (("bos_token", "bos_token_id"), ("unk_token", "unknown_token_id")):
        index = gguf.get(f"tokenizer.ggml.{field}")
        if index is not None:
            config[key] = tokens[int(index)]
    tokenizer.save(str(out_dir / "tokenizer.json"))
    config_path = out_dir / "tokenizer_config.json"
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    # mlx-lm itself decides whether a template can call tools (it infers the parser).
    if not load_tokenizer(out_dir).has_tool_calling and is_chatml(template):
        config.update(chat_template=CHAT_TEMPLATE, tool_parser_type=TOOL_PARSER)
        config_path.write_text(json.dumps(config, indent=2) + "\n")
    return len(tokens)
