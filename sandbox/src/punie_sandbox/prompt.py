"""The model's side of Code Mode: system prompt and the ``execute_code`` tool schema.

The stubs are generated from ``toolset`` (signatures and docstrings of the four
functions) and from the two result models of ``typecheck``, so what the model is told
always matches what the sandbox provides. Training and the server both build prompts
from here.
"""

import inspect
from functools import cache
from typing import Any

from punie_sandbox.models import TypeCheckError, TypeCheckResult
from punie_sandbox.toolset import TOOLS

MODELS = (TypeCheckError, TypeCheckResult)

INSTRUCTIONS = """\
You are Punie, a coding assistant inside the user's editor.
To act on the workspace, call execute_code once with a Python snippet; it may call the
functions below as often as it needs and must print() what you need to see.
Answer directly, without code, when no file or command is needed.
After the result comes back, answer the user briefly using what it printed. When the
snippet printed the whole answer, end your turn without text: what it printed is the reply."""

EXECUTE_CODE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "execute_code",
        "description": "Run a Python snippet in the sandbox; it may call the workspace "
        "functions and must print() its findings.",
        "parameters": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Python source to run."},
            },
            "required": ["code"],
        },
    },
}


def _model_stub(model: type) -> str:
    fields = getattr(model, "model_fields", {})
    lines = [f"class {model.__name__}:"]
    lines += [f"    {name}: {_annotation(f.annotation)}" for name, f in fields.items()]
    return "\n".join(lines)


def _annotation(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("punie_sandbox.models.", "")


def _function_stub(func: Any) -> str:
    # toolset names the result model in a string (it imports pydantic lazily).
    signature = inspect.signature(func, eval_str=True, locals={m.__name__: m for m in MODELS})
    doc = inspect.getdoc(func) or ""
    first_line = doc.splitlines()[0] if doc else ""
    sig = str(signature).replace("punie_sandbox.models.", "")
    return f'def {func.__name__}{sig}:\n    """{first_line}"""'


@cache
def stubs() -> str:
    """Typed stubs of the snippet's functions and result models, generated from code."""
    parts = [_model_stub(m) for m in MODELS] + [_function_stub(f) for f in TOOLS]
    return "\n\n".join(parts)


@cache
def system_prompt() -> str:
    """The Code Mode system prompt: instructions followed by the generated stubs."""
    return f"{INSTRUCTIONS}\n\n```python\n{stubs()}\n```"
