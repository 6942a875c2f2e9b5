"""The AST gate: clear refusals before any process starts."""

import pytest

from punie_sandbox.gate import check


@pytest.mark.parametrize(
    "code",
    [
        "import json\nprint(json.dumps([1]))",
        "from collections import Counter\nCounter('ab')",
        "print(read_file('README.md'))",
        "'{}'.format(1)",
    ],
)
def test_ordinary_snippets_pass(code: str):
    assert check(code) is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("import os", "import of 'os' is not allowed"),
        ("from subprocess import run", "import of 'subprocess' is not allowed"),
        ("().__class__", "attribute '__class__' is not allowed"),
        ("eval('1')", "'eval' is not allowed"),
        ("open('x')", "'open' is not allowed"),
        ("__builtins__", "name '__builtins__' is not allowed"),
        ("getattr(1, '__class__')", "'__class__' is not allowed"),
        ("'{0.__class__}'.format(1)", "format strings may not reach dunder attributes"),
    ],
)
def test_out_of_bounds_snippets_are_refused_with_a_reason(code: str, fragment: str):
    error = check(f"x = 1\n{code}")
    assert error is not None
    assert error.type == "SandboxViolation"
    assert error.message.startswith("line 2: ")
    assert fragment in error.message


def test_syntax_errors_report_their_line():
    error = check("x = 1\ny = (")
    assert error is not None
    assert error.type == "SyntaxError"
    assert error.message.startswith("line 2: ")
