"""Plan examples: pick intents, fixtures and phrasings deterministically from a seed.

Tool examples come out as drafts (user message, canonical snippet, fixture seed); they
become examples only after the snippet ran in the sandbox (``execute``). Direct
examples are complete here: their answers do not depend on any workspace.
"""

import random

from pydantic import BaseModel

from punie_training.direct import QUESTIONS, arithmetic_question
from punie_training.fixtures import make_fixture
from punie_training.general import QUESTIONS as GENERAL_QUESTIONS
from punie_training.intents import INTENTS, Slots, expand, fill, phrase
from punie_training.schema import Example, Kind

# Fixture seeds are spread out so two runs with nearby seeds share no workspaces.
_FIXTURE_STRIDE = 1_000_003
# Every this many direct examples, one is a small sum (the base's own arithmetic is shaky
# and a fine-tune on words alone makes it worse).
ARITHMETIC_EVERY = 8


class Draft(BaseModel):
    """A tool example before execution."""

    id: str
    kind: Kind
    category: str
    template: str
    fixture_seed: int
    user: str
    code: str


def plan_tool_drafts(seed: int, count: int) -> list[Draft]:
    """``count`` tool drafts, cycling through the intents so each gets an equal share."""
    rng = random.Random(f"tool-{seed}")
    drafts: list[Draft] = []
    fixture_seed = seed * _FIXTURE_STRIDE
    for index in range(count):
        intent = INTENTS[index % len(INTENTS)]
        slots: Slots | None = None
        while slots is None:  # some intents need a feature the fixture may lack
            fixture_seed += 1
            slots = intent.slots(rng, make_fixture(fixture_seed))
        template = rng.choice(intent.phrasings)
        drafts.append(
            Draft(
                id=f"{intent.name}-{index}",
                kind="multi" if intent.kind == "multi" else "tool",
                category=intent.name,
                template=template,
                fixture_seed=fixture_seed,
                user=phrase(expand(template, rng, slots), rng),
                code=fill(intent.code, slots),
            )
        )
    return drafts


def plan_direct_examples(seed: int, count: int) -> list[Example]:
    """``count`` direct examples, cycling through the concept questions, with a small sum
    every ``ARITHMETIC_EVERY``-th one."""
    rng = random.Random(f"direct-{seed}")
    examples = []
    asked = 0
    for index in range(count):
        if index % ARITHMETIC_EVERY == ARITHMETIC_EVERY - 1:
            template, slots, answer = arithmetic_question(rng)
            category = "arithmetic"
        else:
            question = QUESTIONS[asked % len(QUESTIONS)]
            asked += 1
            template, slots, answer = (
                rng.choice(question.phrasings),
                question.slots,
                question.answer,
            )
            category = question.name
        examples.append(
            Example(
                id=f"direct-{index}",
                kind="direct",
                category=category,
                template=template,
                user=phrase(expand(template, rng, slots), rng),
                answer=answer,
            )
        )
    return examples


def plan_general_questions(seed: int, count: int) -> list[Example]:
    """``count`` general questions (``general.QUESTIONS``, each phrased the way users type),
    their answers still to be given by the base model."""
    rng = random.Random(f"general-{seed}")
    return [
        Example(
            id=f"general-{index}",
            kind="direct",
            category="general",
            template=question,
            user=phrase(question, rng),
            answer="",
        )
        for index, question in enumerate(
            GENERAL_QUESTIONS[i % len(GENERAL_QUESTIONS)] for i in range(count)
        )
    ]
