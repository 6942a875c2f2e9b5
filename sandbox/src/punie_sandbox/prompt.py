"""The model's side of Code Mode: system prompt and the ``execute_code`` tool schema.

The stubs are generated from ``toolset`` (signatures and docstrings of the four
functions) and from the two result models of ``typecheck``, so what the model is told
always matches what the sandbox provides. Training and the server both build prompts
from here, the user's turn included (``user_turn``).
"""

import inspect
import re
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

# Paths (``pkg/mod.py``, ``src/pkg``), file names (``notes.txt``) and snake_case
# identifiers (``load_colors``), as users write them in a request.
NAME_PATTERN = re.compile(
    r"[\w.-]*\w/[\w./-]*\w"
    r"|\w[\w-]*\.(?:py|pyi|txt|md|rst|toml|json|cfg|ini|yaml|yml|csv|lock)\b"
    r"|\b\w+_\w+\b"
)
# A pasted traceback or listing names far more; the first few are the ones asked about.
MAX_NAMES = 8
NAMES_LINE = "Names as written:"

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


def mentioned_names(message: str) -> list[str]:
    """The paths, file names and identifiers ``message`` mentions, first ones first,
    each once (at most ``MAX_NAMES``)."""
    return list(dict.fromkeys(NAME_PATTERN.findall(message)))[:MAX_NAMES]


def user_turn(message: str) -> str:
    """What the model is shown for the user's ``message``: the text, then a line quoting
    the names it mentions (``Names as written: "pkg/mod.py"``), when there are any.

    A snippet names a path inside quotes, and the tokenizer cuts a word after a quote
    differently from the same word after a space (``"lan|tern|fish`` against
    `` lantern|fish``): the small model copied such names wrong (``lanconfish``). The
    quoted line gives it the very tokens it has to write.
    """
    names = mentioned_names(message)
    if not names:
        return message
    return f"{message}\n\n{NAMES_LINE} " + ", ".join(f'"{name}"' for name in names)
