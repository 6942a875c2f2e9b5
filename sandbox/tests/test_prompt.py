"""The model's system prompt is generated from the toolset, never hand-written."""

import inspect

from punie_sandbox import models, toolset
from punie_sandbox.prompt import (
    EXECUTE_CODE_TOOL,
    MAX_NAMES,
    mentioned_names,
    stubs,
    system_prompt,
    user_turn,
)


def test_stubs_carry_every_tool_signature():
    for func in toolset.TOOLS:
        signature = str(inspect.signature(func, eval_str=True, locals=vars(models)))
        signature = signature.replace("punie_sandbox.models.", "")
        assert f"def {func.__name__}{signature}:" in stubs()


def test_stubs_describe_the_typecheck_result_fields():
    assert "class TypeCheckResult:" in stubs()
    assert "    error_count: int" in stubs()
    assert "    errors: list[TypeCheckError]" in stubs()


def test_system_prompt_ends_with_the_stubs():
    assert system_prompt().endswith(f"{stubs()}\n```")


def test_execute_code_tool_takes_one_code_string():
    params = EXECUTE_CODE_TOOL["function"]["parameters"]
    assert params["required"] == ["code"]
    assert params["properties"]["code"]["type"] == "string"


def test_user_turn_quotes_the_paths_a_message_names_after_it():
    assert user_turn("Open lanternfish/tide.py and explain it") == (
        'Open lanternfish/tide.py and explain it\n\nNames as written: "lanternfish/tide.py"'
    )


def test_user_turn_leaves_a_message_without_names_as_it_is():
    assert user_turn("What is a closure?") == "What is a closure?"


def test_a_name_ends_before_the_punctuation_that_follows_it():
    assert mentioned_names("Contents of src/walnut_sage? And docs/usage.md.") == [
        "src/walnut_sage",
        "docs/usage.md",
    ]


def test_file_names_and_snake_case_identifiers_are_names():
    assert mentioned_names("Write hi to notes.txt, then find load_colors") == [
        "notes.txt",
        "load_colors",
    ]


def test_dotted_attributes_and_plain_words_are_not_names():
    assert mentioned_names("What does os.path.join do, e.g. in a loop?") == []


def test_each_name_is_quoted_once_and_only_the_first_few():
    message = " ".join(f"mod_{i} mod_{i}" for i in range(MAX_NAMES + 3))
    assert mentioned_names(message) == [f"mod_{i}" for i in range(MAX_NAMES)]
