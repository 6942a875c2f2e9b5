"""The data stage executes every tool example in the real sandbox and counts failures."""

import asyncio
import json

from punie_training.data import DataPlan, build_data
from punie_training.dataset import DataReport, read_examples
from punie_training.execute import execute_drafts
from punie_training.generate import plan_tool_drafts
from punie_training.intents import INTENTS

ONE_CYCLE = len(INTENTS)  # drafts that cover every intent


def test_a_small_data_run_executes_every_tool_example_in_the_sandbox(tmp_path):
    report = build_data(tmp_path, DataPlan(seed=5, tool_examples=ONE_CYCLE, direct_examples=4))
    totals = report.totals()
    tool_counts = [c for c in report.categories.values() if c.kind != "direct"]
    assert all(c.executed == c.generated - c.eval_guarded for c in tool_counts)
    assert all(c.kept + c.failed == c.executed for c in tool_counts)
    assert totals["kept"] == sum(report.split_sizes.values())
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["data_hash"] == report.data_hash


def test_kept_tool_examples_print_the_reply_and_end_the_turn_without_text(tmp_path):
    build_data(tmp_path, DataPlan(seed=6, tool_examples=ONE_CYCLE, direct_examples=0))
    examples = read_examples(tmp_path / "examples.jsonl")
    assert len({e.category for e in examples}) >= len(INTENTS) - 1  # one may be eval-guarded
    for example in examples:
        assert example.tool_output
        assert example.answer == ""


def test_a_snippet_that_fails_is_dropped_and_counted():
    draft = plan_tool_drafts(0, 1)[0].model_copy(update={"code": 'read_file("missing.txt")'})
    report = DataReport(seed=0)
    kept = asyncio.run(execute_drafts([draft], report))
    assert kept == []
    assert report.categories[draft.category].failed == 1
    assert "FileNotFoundError" in report.failures[0]


def test_the_typecheck_fix_workflow_really_removes_the_errors(tmp_path):
    drafts = [d for d in plan_tool_drafts(0, ONE_CYCLE) if d.category == "typecheck_fix"]
    kept = asyncio.run(execute_drafts(drafts, DataReport(seed=0)))
    assert kept[0].tool_output is not None
    assert kept[0].tool_output.endswith("errors before, 0 after")
    assert not kept[0].tool_output.startswith("0 ")


def test_the_decode_check_knows_which_examples_name_a_path_under_the_project(tmp_path):
    from punie_training.decode import names_project_path

    build_data(tmp_path, DataPlan(seed=7, tool_examples=2 * ONE_CYCLE, direct_examples=0))
    by_category: dict[str, list[bool]] = {}
    for example in read_examples(tmp_path / "examples.jsonl"):
        by_category.setdefault(example.category, []).append(names_project_path(example))
    assert all(by_category["typecheck_fix"])
    assert not any(by_category["read_project_name"])
