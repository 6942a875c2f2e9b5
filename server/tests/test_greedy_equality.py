"""The server's fast generation path answers exactly what plain mlx-lm answers.

On the default model (SmolLM2-135M-Instruct + Punie's LoRA), for Code Mode and plain
questions, a tool result's follow-up and a second message in the same session,
``generate_turn`` (its cache forked from the shared system-prompt cache or kept from the
session's last turn, greedy decoding with prompt-lookup drafts) gives the same tokens as
greedy ``mlx_lm.stream_generate`` on the whole prompt from an empty cache; and decoding
from the GGUF file's packed weights with the adapter unfused (``packed_decoding``) gives
the same tokens as the float32 model with the adapter fused.
"""

import threading
from typing import Any

import pytest

from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt
from punie_server.generation import generate_turn
from punie_server.model_manager import LoadedModel, load_model
from punie_server.sessions import Session
from punie_training.intents import INTENTS
from punie_training.packed_decoding import kernels_available
from punie_training.schema import tool_call

MAX_TOKENS = 32
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded() -> LoadedModel:
    return load_model(None, "embedded")


@pytest.fixture(scope="module")
def float32() -> LoadedModel:
    return load_model(None, "embedded, float32", packed_decoding=False)


def plain(loaded: LoadedModel, messages: list[dict[str, Any]]) -> tuple[str, int]:
    """Greedy ``stream_generate`` on the whole prompt: (text, tokens)."""
    from mlx_lm import stream_generate
    from mlx_lm.sample_utils import make_sampler

    pieces = list(
        stream_generate(
            loaded.model,
            loaded.tokenizer,
            render(loaded, messages),
            max_tokens=MAX_TOKENS,
            sampler=make_sampler(temp=0.0),
        )
    )
    return "".join(p.text for p in pieces), len(pieces)


def ours(loaded: LoadedModel, session: Session, messages: list[dict[str, Any]]) -> tuple[str, int]:
    out = generate_turn(
        loaded,
        session,
        render(loaded, messages),
        max_tokens=MAX_TOKENS,
        temperature=0.0,
        on_text=lambda _: None,
        cancel=threading.Event(),
    )
    return out.text, out.completion_tokens


def render(loaded: LoadedModel, messages: list[dict[str, Any]]) -> list[int]:
    return loaded.tokenizer.apply_chat_template(
        messages, tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
    )


def chat(question: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": question}]


QUESTIONS = [
    "Find all Python files and count their lines",
    "Read README.md and tell me the project name",
    "Does src/app.py type-check? Fix it if not.",
    "What is a Python decorator?",
    "Explain list comprehensions in one sentence.",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_first_turn_answers_what_mlx_lm_answers(loaded: LoadedModel, question: str):
    messages = chat(question)
    assert ours(loaded, Session("s"), messages) == plain(loaded, messages)


def test_the_answer_after_a_tool_result_is_mlx_lms(loaded: LoadedModel):
    snippet = next(intent.code for intent in INTENTS if intent.name == "count_lines")
    messages = [
        *chat("Find all Python files and count their lines"),
        {"role": "assistant", "content": "", "tool_calls": [tool_call(snippet)]},
        {"role": "tool", "content": "6 Python files, 51 lines in total"},
    ]
    assert ours(loaded, Session("s"), messages) == plain(loaded, messages)


def test_a_second_message_in_the_same_session_answers_what_mlx_lm_answers(loaded: LoadedModel):
    session = Session("s")
    messages = chat("What is a Python decorator?")
    first, _ = ours(loaded, session, messages)
    messages += [
        {"role": "assistant", "content": first.strip()},
        {"role": "user", "content": "Show me one that times a function."},
    ]
    assert ours(loaded, session, messages) == plain(loaded, messages)


@pytest.mark.skipif(not kernels_available(), reason="punie-kernels cannot run on this CPU")
def test_the_server_decodes_from_the_packed_weights(loaded: LoadedModel):
    from punie_kernels.layers import PackedEmbedding, PackedLinear

    kinds = [type(module) for module in loaded.model.modules()]
    assert kinds.count(PackedLinear) == 30 * 7
    assert kinds.count(PackedEmbedding) == 1


@pytest.mark.parametrize("question", QUESTIONS)
def test_packed_decoding_answers_what_the_float32_model_answers(
    loaded: LoadedModel, float32: LoadedModel, question: str
):
    messages = chat(question)
    assert plain(loaded, messages) == plain(float32, messages)
