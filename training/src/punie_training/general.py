"""General questions, answered by the base model itself: what fine-tuning must not erase.

The hand-written direct answers (``direct``) teach the model to answer Python questions
without a tool call, in a short style of their own. Trained on those alone, a model
starts answering *every* question in that style, and what the base model knew is lost
("Use str(text) to convert a string to an integer."). So the LoRA preset adds questions
from outside those topics (general knowledge, arithmetic, everyday Python, small
programs) whose answers are the base model's own greedy answers, generated at data time
(self-distillation): the fine-tune learns to leave them alone.

An answer is kept when it ends the turn or is cut at a sentence end within the token
budget, holds no tool-call markup and does not loop (no 4-word phrase three times).
"""

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

# The base model's own system prompt (SmolLM2's chat template adds it when none is given).
BASE_SYSTEM_PROMPT = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
MAX_TOKENS = 96

QUESTIONS: tuple[str, ...] = (
    "What is the largest planet in the solar system?",
    "Who wrote Romeo and Juliet?",
    "What is the boiling point of water in Celsius?",
    "How many days are in a leap year?",
    "What is photosynthesis?",
    "What is the chemical symbol for gold?",
    "How many continents are there?",
    "What is the tallest mountain on Earth?",
    "What language is spoken in Brazil?",
    "Why is the sky blue?",
    "What is the square root of 81?",
    "What is 15 percent of 200?",
    "Is 17 a prime number?",
    "What is 2 to the power of 10?",
    "How do I sort a dictionary by its values?",
    "How do I append an item to a list in Python?",
    "How do I check if a key is in a dictionary?",
    "What does the len function do?",
    "How do I open a file for writing in Python?",
    "How do I install a package with pip?",
    "What is the difference between a list and a set?",
    "What is a Python tuple?",
    "How do I write a for loop in Python?",
    "How do I round a float to two decimal places?",
    "How do I join a list of strings into one string?",
    "How do I find the index of an item in a list?",
    "What does None mean in Python?",
    "How does a while loop work?",
    "What is a Python class?",
    "How do I handle a KeyError?",
    "What is JSON?",
    "What is Git?",
    "What does HTTP stand for?",
    "What is an API?",
    "What is a database index?",
    "What is the difference between git merge and git rebase?",
    "What does CPU stand for?",
    "What is Linux?",
    "What is a regular expression?",
    "What is a hash table?",
    "What is the difference between a compiler and an interpreter?",
    "Write a function that adds two numbers",
    "Write a Python function that returns the maximum of three numbers",
    "Write a loop that prints the numbers 1 to 5",
    "Write a function that counts the words in a sentence",
    "Write a Python class for a bank account",
    "Write a function that removes the spaces from a string",
    "Write a function that returns the first element of a list",
    "Write a Python function that checks whether a list is empty",
    "Give me an example of a Python dictionary",
    "Explain what a linked list is",
    "What is binary search?",
    "What is the difference between an int and a float?",
    "What is an exception in Python?",
)

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|```\s*$")
_MARKUP = ("<tool_call>", "</tool_call>", "<|im_start|>", "<|im_end|>", "<|endoftext|>")


def loops(text: str) -> bool:
    """Whether some four-word phrase occurs three times or more (a degenerate answer)."""
    words = text.split()
    grams = Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))
    return any(count >= 3 for count in grams.values())


def clean_answer(text: str, *, finished: bool) -> str | None:
    """The answer to keep, or None: whole if the turn ended, else cut at its last
    sentence (or code block) end; never with markup, never looping."""
    text = text.strip()
    if not finished:
        if text.count("```") % 2:  # cut inside a code block: keep what came before it
            text = text[: text.rindex("```")]
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if not ends:
            return None
        text = text[: ends[-1]].strip()
    if not text or any(marker in text for marker in _MARKUP) or loops(text):
        return None
    return text


def distiller(model: Any, tokenizer: Any) -> Callable[[list[str]], list[str | None]]:
    """Answers questions the way the base model does: greedy, batched, cleaned."""
    from mlx_lm import batch_generate

    def answer(questions: list[str]) -> list[str | None]:
        prompts = [
            tokenizer.apply_chat_template(
                [
                    {"role": "system", "content": BASE_SYSTEM_PROMPT},
                    {"role": "user", "content": question},
                ],
                add_generation_prompt=True,
            )
            for question in questions
        ]
        response = batch_generate(
            model, tokenizer, prompts, max_tokens=MAX_TOKENS, return_token_ids=True
        )
        # Asked for above, so always present; None only when not requested.
        token_ids = response.token_ids or []
        return [
            clean_answer(text, finished=len(tokens) < MAX_TOKENS)
            for text, tokens in zip(response.texts, token_ids, strict=True)
        ]

    return answer
