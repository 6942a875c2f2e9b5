"""The data stage: plan, guard against eval queries, execute in the sandbox, split, write."""

import asyncio
import time
from pathlib import Path

from pydantic import BaseModel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from punie_training.dataset import DataReport, is_eval_query, split, write_dataset
from punie_training.execute import execute_drafts
from punie_training.generate import plan_direct_examples, plan_tool_drafts


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


def build_data(out_dir: Path, plan: DataPlan) -> DataReport:
    """Generate, verify and split a dataset into ``out_dir``; return its report."""
    started = time.perf_counter()
    seed = plan.seed
    report = DataReport(seed=seed)
    drafts = plan_tool_drafts(seed, plan.tool_examples)
    directs = plan_direct_examples(seed, plan.direct_examples)
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
