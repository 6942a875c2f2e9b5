"""Keeping the base model's own answers: whole, or cut where a sentence ends."""

from punie_training.general import clean_answer, loops


def test_a_finished_answer_is_kept_whole():
    assert clean_answer("The capital of France is Paris.", finished=True) == (
        "The capital of France is Paris."
    )


def test_an_unfinished_answer_is_cut_at_its_last_sentence_end():
    text = "Use int(). It parses digits. Here is how you"
    assert clean_answer(text, finished=False) == "Use int(). It parses digits."


def test_an_answer_cut_inside_a_code_block_keeps_what_came_before_the_block():
    text = "Here is one.\n```python\nclass Account:\n    def __init__(self):"
    assert clean_answer(text, finished=False) == "Here is one."


def test_an_answer_with_markup_or_a_loop_is_dropped():
    assert clean_answer("<tool_call>read_file</tool_call>", finished=True) is None
    assert clean_answer("with assert, with assert, with assert, " * 3, finished=True) is None
    assert loops("a b c d a b c d a b c d")


def test_an_unfinished_answer_without_a_sentence_end_is_dropped():
    assert clean_answer("it depends on the", finished=False) is None


def test_the_data_stage_keeps_the_answers_worth_keeping_and_counts_the_others(tmp_path):
    from punie_training.data import DataPlan, build_data
    from punie_training.dataset import read_examples

    def answer(questions: list[str]) -> list[str | None]:
        return [None if i == 0 else f"An answer to {q}" for i, q in enumerate(questions)]

    plan = DataPlan(tool_examples=0, direct_examples=0, general_examples=4)
    report = build_data(tmp_path, plan, answer=answer)
    counts = report.categories["general"]
    assert (counts.generated, counts.kept, counts.failed) == (4, 3, 1)
    examples = read_examples(tmp_path / "examples.jsonl")
    assert all(e.answer.startswith("An answer to ") for e in examples)
