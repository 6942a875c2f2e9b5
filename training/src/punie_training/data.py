"""The data stage: plan, guard against eval queries, execute in the sandbox, split, write."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from punie_training.dataset import DataReport, is_eval_query, split, write_dataset
from punie_training.execute import execute_drafts
from punie_training.generate import (
    plan_direct_examples,
    plan_general_questions,
    plan_tool_drafts,
)
from punie_training.schema import Example


def progress_bar() -> Progress:
    """The progress bar style of every stage."""
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )


class DataPlan(BaseModel):
    """How many examples to make, from which seed (every preset is one)."""

    seed: int = 0
    tool_examples: int
    direct_examples: int
    # General questions answered by the base model (``general``); needs ``answer``.
    general_examples: int = 0


Answerer = Callable[[list[str]], list[str | None]]


def _answered(questions: list[Example], answer: Answerer, report: DataReport) -> list[Example]:
    """The questions the base model gave a keepable answer to, with it; the others are
    counted as failed."""
    kept = []
    for question, reply in zip(questions, answer([q.user for q in questions]), strict=True):
        counter = report.count(question.category, question.kind)
        if reply is None:
            counter.generated += 1
            counter.failed += 1
            report.failures.append(f"{question.id}: the base model's answer was not kept")
        else:
            kept.append(question.model_copy(update={"answer": reply}))
    return kept


def build_data(out_dir: Path, plan: DataPlan, *, answer: Answerer | None = None) -> DataReport:
    """Generate, verify and split a dataset into ``out_dir``; return its report.

    ``answer`` gives the base model's answers to general questions (one per question,
    None for an answer not worth keeping); a plan with general examples needs it.
    """
    started = time.perf_counter()
    seed = plan.seed
    report = DataReport(seed=seed)
    drafts = plan_tool_drafts(seed, plan.tool_examples)
    directs = plan_direct_examples(seed, plan.direct_examples)
    if plan.general_examples:
        if answer is None:
            raise ValueError("general examples need the base model to answer them")
        directs += _answered(plan_general_questions(seed, plan.general_examples), answer, report)
    for item in [*drafts, *directs]:
        report.count(item.category, item.kind).generated += 1
    kept_drafts = []
    for draft in drafts:
        if is_eval_query(draft.user):
            report.count(draft.category, draft.kind).eval_guarded += 1
        else:
            kept_drafts.append(draft)
    kept_directs = []
    for example in directs:
        counter = report.count(example.category, example.kind)
        if is_eval_query(example.user):
            counter.eval_guarded += 1
        else:
            counter.kept += 1
            kept_directs.append(example)
    with progress_bar() as bar:
        task = bar.add_task("executing examples in the sandbox", total=len(kept_drafts))
        examples = asyncio.run(
            execute_drafts(kept_drafts, report, advance=lambda: bar.advance(task))
        )
    report.seconds = time.perf_counter() - started
    write_dataset(split(examples + kept_directs, seed), report, out_dir)
    return report
