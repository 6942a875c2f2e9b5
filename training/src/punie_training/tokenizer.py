"""A byte-level BPE tokenizer for Punie's own models, saved as a Hugging Face fast tokenizer.

Before BPE, text is cut into runs of word characters or of punctuation, each taking at
most one trailing space, and runs of other whitespace. A name or path is then the same
tokens in a question, in a snippet and in a tool's output, and continuing a copy needs
one token of context (``called `` then the name), not a word plus the space after it.
The chat markers are single tokens, and so are the fixed parts of a Code Mode tool
call, which mlx-lm's ``qwen3_coder`` parser reads back from the decoded text.

The system turn (instructions, generated stubs, tool list) is one added token: it is
identical in every chat, and a tiny model should not pay ~400 tokens of context for
it. A model trained with it expects exactly that text; when the system prompt changes,
``punie train`` makes a new model (a test checks the embedded one is current).
"""

import json
from collections.abc import Iterable
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

from punie_training.chat_template import CHAT_TEMPLATE, render_chat

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
# Not special (Qwen3-Coder marks them the same way): they must survive decoding,
# because the tool parser reads them from the generated text.
MARKUP_TOKENS = (
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
    "<function=execute_code>",
    "<parameter=code>",
    "</parameter>",
    "</function>",
)
EOS_TOKEN = "<|im_end|>"
_PIECES = r"\w+ ?|[^\w\s]+ ?|\s+"


def system_turn() -> str:
    """The rendered system turn between ``<|im_start|>`` and ``<|im_end|>`` (with the tools)."""
    from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt

    rendered = render_chat([{"role": "system", "content": system_prompt()}], [EXECUTE_CODE_TOOL])
    return rendered.removeprefix("<|im_start|>").removesuffix("<|im_end|>\n")


def _split_on_markers(text: str) -> Iterable[str]:
    """Cut added tokens out of the training text: BPE must not learn merges across them."""
    pieces = [text]
    for marker in (system_turn(), *SPECIAL_TOKENS, *MARKUP_TOKENS):
        pieces = [part for piece in pieces for part in piece.split(marker)]
    return (piece for piece in pieces if piece)


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> Tokenizer:
    """Train the byte-level BPE on rendered chats (markers included; they are cut out)."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_PIECES), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(
        (piece for text in texts for piece in _split_on_markers(text)), trainer=trainer
    )
    added = (system_turn(), *MARKUP_TOKENS)
    tokenizer.add_tokens([AddedToken(t, special=False, normalized=False) for t in added])
    return tokenizer


def save_tokenizer(tokenizer: Tokenizer, out_dir: Path, *, model_max_length: int) -> None:
    """Write ``tokenizer.json`` and a ``tokenizer_config.json`` that mlx-lm loads as-is."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out_dir / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": None,
        "eos_token": EOS_TOKEN,
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "model_max_length": model_max_length,
        "clean_up_tokenization_spaces": False,
        "chat_template": CHAT_TEMPLATE,
        "tool_parser_type": "qwen3_coder",
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
