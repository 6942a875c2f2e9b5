"""A real mlx-lm model whose greedy answer is fixed in advance, for end-to-end tests of
what the server does with a given model text (markup, an empty turn, a tool call).

``write_scripted_model(dir, script)`` starts from ``punie_training.tiny``'s untrained
model (its tokenizer, chat template and Qwen3 architecture) and sets the weights so that
the next token depends on the current token only: every layer's output projections are
zero, so the residual stream at the last position is the current token's embedding;
the tokens of the chain (the prompt's last token, then the script's tokens, then
``<|im_end|>``) get one-hot embeddings, and ``lm_head`` maps each one to the next.
Greedy decoding therefore emits the script and ends its turn, whatever was asked. The
chain's tokens must be distinct; a script whose tokens repeat gets its text as one
added token (plain ASCII only: the byte-level decoder reads other characters as bytes).

Also a command (``python -m tests.scripted_model DIR SCRIPT``) for the VS Code suite.
"""

import itertools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokenizers import Tokenizer

EOS = "<|im_end|>"


def call_script(snippet: str) -> str:
    """A scripted answer that runs ``snippet`` with ``execute_code``."""
    return (
        f"<tool_call><function=execute_code><parameter=code>{snippet}"
        "</parameter></function></tool_call>"
    )


# A reply wrapped in the protocol text a confused model emits; users must see only the words.
MARKUP_REPLY = "Plain words"
MARKUP_SCRIPT = f"{MARKUP_REPLY}<|endoftext|></tool_response></parameter></function></tool_call>"
# The snippet a scripted "editor" model runs: it writes the text of .punie-test/text to
# the path named in .punie-test/path, so a test decides both without a new model.
EDIT_SNIPPET = "write_file(read_file('.punie-test/path'), read_file('.punie-test/text'))"
EDIT_SCRIPT = call_script(EDIT_SNIPPET)
# A scripted model's whole-workspace type check.
TYPECHECK_SNIPPET = 'print(typecheck(".").error_count, "type errors")'
TYPECHECK_SCRIPT = call_script(TYPECHECK_SNIPPET)


def write_edit_request(workspace: Path, path: str, text: str) -> None:
    """Make the next turn of a model scripted with ``EDIT_SCRIPT`` write ``text`` (byte for
    byte) to ``path`` in ``workspace``."""
    control = workspace / ".punie-test"
    control.mkdir(exist_ok=True)
    (control / "path").write_text(path)
    (control / "text").write_bytes(text.encode("utf-8"))


def write_scripted_model(out_dir: Path, script: str) -> Path:
    """Write a model directory whose every answer is ``script``; return ``out_dir``."""
    from tokenizers import AddedToken, Tokenizer

    from punie_training.tiny import write_untrained_model

    write_untrained_model(out_dir)
    tokenizer_file = out_dir / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    pieces = _pieces(tokenizer, script)
    if len(set(pieces)) != len(pieces):
        tokenizer.add_tokens([AddedToken(script, special=False, normalized=False)])
        tokenizer.save(str(tokenizer_file))
        pieces = _pieces(tokenizer, script)
    eos = tokenizer.token_to_id(EOS)
    assert eos is not None, f"the tokenizer has no {EOS}"
    chain = [_last_prompt_token(tokenizer), *pieces, eos]
    if len(set(chain)) != len(chain):
        raise ValueError(f"the script repeats a token of the chain: {script!r}")
    _write_chain_weights(out_dir, chain, tokenizer.get_vocab_size())
    return out_dir


def _pieces(tokenizer: "Tokenizer", script: str) -> list[int]:
    return list(tokenizer.encode(script, add_special_tokens=False).ids)


def _last_prompt_token(tokenizer: "Tokenizer") -> int:
    """The token every generation prompt ends with (the chat template's assistant header)."""
    from punie_training.chat_template import render_chat

    prompt = render_chat([{"role": "user", "content": "hi"}], [], add_generation_prompt=True)
    return _pieces(tokenizer, prompt)[-1]


def _write_chain_weights(model_dir: Path, chain: list[int], vocab_size: int) -> None:
    import mlx.core as mx
    import numpy as np

    from punie_training.tiny import build_model, save_weights

    config = json.loads((model_dir / "config.json").read_text())
    config.update(num_hidden_layers=1, vocab_size=vocab_size, tie_word_embeddings=False)
    hidden = config["hidden_size"]
    if len(chain) > hidden:
        raise ValueError(f"a chain of {len(chain)} tokens needs hidden_size >= {len(chain)}")
    model = build_model(config, seed=0)
    embed = np.zeros((vocab_size, hidden), dtype=np.float32)
    head = np.zeros((vocab_size, hidden), dtype=np.float32)
    for slot, (token, following) in enumerate(itertools.pairwise(chain)):
        embed[token, slot] = 1.0
        head[following, slot] = 1.0
    model.model.embed_tokens.weight = mx.array(embed)
    model.lm_head.weight = mx.array(head)
    for layer in model.model.layers:
        layer.self_attn.o_proj.weight = mx.zeros_like(layer.self_attn.o_proj.weight)
        layer.mlp.down_proj.weight = mx.zeros_like(layer.mlp.down_proj.weight)
    save_weights(model, config, model_dir)


if __name__ == "__main__":
    print(write_scripted_model(Path(sys.argv[1]), sys.argv[2]))
