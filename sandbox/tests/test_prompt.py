"""The model's system prompt is generated from the toolset, never hand-written."""

import inspect

from punie_sandbox import models, toolset
from punie_sandbox.prompt import EXECUTE_CODE_TOOL, stubs, system_prompt


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
