"""Planning examples: fixtures, intents, phrasings, the split and the eval guard."""

import json
import random
import re

from punie_sandbox.prompt import system_prompt
from punie_training.dataset import DataReport, is_eval_query, split, write_dataset
from punie_training.direct import QUESTIONS
from punie_training.evalsuites import EVAL_WORKSPACE, load_suites, write_eval_workspace
from punie_training.fixtures import make_fixture
from punie_training.generate import ARITHMETIC_EVERY, plan_direct_examples, plan_tool_drafts
from punie_training.intents import INTENTS, expand, note_text
from punie_training.schema import Example


def _tool_example(index: int) -> Example:
    return Example(
        id=f"t-{index}",
        kind="tool",
        category="read_file",
        template="Read <path>",
        fixture_seed=index,
        user=f"Read file{index}.txt",
        code=f'print(read_file("file{index}.txt"))',
        tool_output="hello",
        answer="Here it is: hello",
    )


def test_a_fixture_is_a_pure_function_of_its_seed():
    assert make_fixture(7) == make_fixture(7)
    assert make_fixture(7).files != make_fixture(8).files


def test_a_fixture_names_its_project_in_the_readme():
    fixture = make_fixture(3)
    assert fixture.files["README.md"].startswith(f"# {fixture.name}\n")


def test_expand_picks_one_alternative_per_group_and_fills_slots():
    import random

    text = expand("{Show|Print} <path> {now|}", random.Random(0), {"path": "a.py"})
    assert text in {"Show a.py now", "Print a.py now", "Show a.py", "Print a.py"}


def test_tool_drafts_cycle_through_every_intent():
    drafts = plan_tool_drafts(0, 2 * len(INTENTS))
    assert {d.category for d in drafts} == {i.name for i in INTENTS}


def test_tool_drafts_fill_every_slot_of_the_snippet():
    for draft in plan_tool_drafts(0, 3 * len(INTENTS)):
        assert not re.search(r"<[a-z_]+>", draft.code)
        assert not re.search(r"<[a-z_]+>", draft.user)


def test_planning_is_deterministic_by_seed():
    assert plan_tool_drafts(1, 20) == plan_tool_drafts(1, 20)
    assert plan_tool_drafts(1, 20) != plan_tool_drafts(2, 20)
    assert plan_direct_examples(1, 20) == plan_direct_examples(1, 20)


def test_many_phrasings_per_intent():
    drafts = plan_tool_drafts(0, 20 * len(INTENTS))
    for intent in INTENTS:
        users = {d.user for d in drafts if d.category == intent.name}
        assert len(users) >= 8, intent.name


def test_direct_examples_cover_every_question_with_its_answer():
    count = len(QUESTIONS) * ARITHMETIC_EVERY // (ARITHMETIC_EVERY - 1) + 1
    examples = plan_direct_examples(0, count)
    asked = [e for e in examples if e.category != "arithmetic"][: len(QUESTIONS)]
    assert [e.answer for e in asked] == [q.answer for q in QUESTIONS]
    assert all(e.code is None and e.kind == "direct" for e in examples)


def test_every_eighth_direct_example_is_a_sum_with_its_true_result():
    examples = plan_direct_examples(0, 40 * ARITHMETIC_EVERY)
    sums = [e for e in examples if e.category == "arithmetic"]
    assert len(sums) == 40
    words = {"plus": "+", "added to": "+", "minus": "-", "take away": "-", "times": "*"}
    words |= {"multiplied by": "*", "x": "*", "divided by": "//", "over": "//", "/": "//"}
    for example in sums:
        match = re.fullmatch(r"(\d+) (.+) (\d+) is (\d+)\.", example.answer)
        assert match, example.answer
        a, op, b, result = match.groups()
        expression = f"{a} {words.get(op, op)} {b}"
        assert eval(expression) == int(result), example.answer
        assert f"{a} {op} {b}" in example.user


def test_twins_users_ask_for_in_the_same_words_share_one_snippet():
    code = {intent.name: intent.code for intent in INTENTS}
    assert code["read_file"] == code["describe_file"]
    assert code["find_definition"] == code["search_text"]
    assert code["count_lines"] == code["lines_per_directory"]


def test_plain_text_files_are_read_and_counted_not_only_written():
    drafts = plan_tool_drafts(0, 40 * len(INTENTS))
    plain = (".txt", ".md", ".csv")
    read = [
        d for d in drafts if d.category in ("read_file", "count_lines_in_file", "describe_file")
    ]
    paths = [m.group(1) for d in read if (m := re.search(r'"([^"]+)"', d.code))]
    assert sum(p.endswith(plain) and p != "README.md" for p in paths) >= len(read) // 5


def test_write_texts_come_in_many_shapes_and_fit_in_a_string():
    texts = {note_text(random.Random(seed)) for seed in range(300)}
    assert len(texts) > 150
    assert len({len(t.split()) for t in texts}) >= 4
    assert not any('"' in t or "\\" in t for t in texts)


def test_a_third_of_type_checks_are_of_the_whole_project():
    drafts = [d for d in plan_tool_drafts(0, 60 * len(INTENTS)) if d.category == "typecheck"]
    whole = sum('typecheck(".")' in d.code for d in drafts)
    assert 0.2 < whole / len(drafts) < 0.45


def test_a_tool_example_becomes_two_rows_each_ending_in_an_assistant_turn():
    rows = _tool_example(0).rows()
    assert len(rows) == 2
    assert rows[0]["messages"][0] == {"role": "system", "content": system_prompt()}
    assert [m["role"] for m in rows[1]["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert rows[0]["messages"][-1]["tool_calls"][0]["function"]["name"] == "execute_code"
    assert rows[0]["tools"][0]["function"]["name"] == "execute_code"


def test_split_is_80_10_10_and_deterministic_by_seed():
    examples = [_tool_example(i) for i in range(100)]
    parts = split(examples, seed=0)
    assert {k: len(v) for k, v in parts.items()} == {"train": 80, "valid": 10, "test": 10}
    assert split(list(reversed(examples)), seed=0) == parts
    assert split(examples, seed=1) != parts


def test_eval_guard_matches_the_builtin_queries_loosely():
    assert is_eval_query("Read README.md and tell me the project name")
    assert is_eval_query("what is dependency injection")
    assert not is_eval_query("What is a decorator?")


def test_no_planned_user_message_is_an_eval_query_after_the_guard(tmp_path):
    drafts = [d for d in plan_tool_drafts(0, 300) if not is_eval_query(d.user)]
    queries = {q.query for suite in load_suites().values() for q in suite}
    assert not {d.user for d in drafts} & queries


def test_write_dataset_writes_mlx_lm_rows_and_a_hashed_report(tmp_path):
    parts = split([_tool_example(i) for i in range(10)], seed=0)
    report = DataReport(seed=0)
    write_dataset(parts, report, tmp_path)
    rows = [json.loads(x) for x in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * len(parts["train"])
    assert report.data_hash
    assert report.split_sizes["test"] == len(parts["test"])
    assert json.loads((tmp_path / "report.json").read_text())["data_hash"] == report.data_hash


def test_eval_suites_hold_the_seed_queries_in_protocol_format():
    suites = load_suites()
    assert [len(suites["single"]), len(suites["multi"])] == [5, 5]
    kinds = [q.kind for q in suites["single"]]
    assert kinds.count("direct") == 2


def test_eval_workspace_holds_the_facts_the_suites_check(tmp_path):
    write_eval_workspace(tmp_path)
    assert (tmp_path / "README.md").read_text().startswith("# acme")
    assert set(EVAL_WORKSPACE) == {
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
    }
