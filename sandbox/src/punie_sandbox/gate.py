"""The AST gate: refuses obviously out-of-bounds snippets before any process starts.

It is defense in depth and a teacher, not the boundary: the worker's OS isolation holds
for code that passes it. Its messages are short and say what is refused and why, so the
model can fix its snippet.
"""

import ast

from punie_sandbox.models import SnippetError

ALLOWED_IMPORTS = frozenset(
    {
        "json",
        "re",
        "math",
        "collections",
        "itertools",
        "functools",
        "statistics",
        "textwrap",
        "difflib",
        "fnmatch",
        "datetime",
        "dataclasses",
        "typing",
        "string",
    }
)

FORBIDDEN_NAMES = frozenset(
    {"eval", "exec", "compile", "open", "__import__", "globals", "vars", "breakpoint"}
)

VIOLATION = "SandboxViolation"


def check(code: str) -> SnippetError | None:
    """The first rule ``code`` breaks, as a ``SandboxViolation`` or ``SyntaxError``; else None."""
    try:
        tree = ast.parse(code, mode="exec")
    except SyntaxError as exc:
        return SnippetError(type="SyntaxError", message=f"line {exc.lineno}: {exc.msg}")
    for node in ast.walk(tree):
        reason = _violation(node)
        if reason is not None:
            line = getattr(node, "lineno", 0)
            return SnippetError(type=VIOLATION, message=f"line {line}: {reason}")
    return None


def _violation(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.split(".")[0] not in ALLOWED_IMPORTS:
                return _import_refused(alias.name)
    elif isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level or module.split(".")[0] not in ALLOWED_IMPORTS:
            return _import_refused("." * node.level + module)
    elif isinstance(node, ast.Attribute) and _is_dunder(node.attr):
        return (
            f"attribute '{node.attr}' is not allowed: dunder attributes reach interpreter internals"
        )
    elif isinstance(node, ast.Name) and (node.id in FORBIDDEN_NAMES or _is_dunder(node.id)):
        if node.id in FORBIDDEN_NAMES:
            return (
                f"'{node.id}' is not allowed in the sandbox: use read_file/write_file/"
                "run_command for files and programs"
            )
        return f"name '{node.id}' is not allowed: dunder names reach interpreter internals"
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
        if _is_dunder(node.value):
            return f"the string '{node.value}' is not allowed: it names a dunder attribute"
        if _format_reaches_dunder(node.value):
            return "format strings may not reach dunder attributes"
    return None


def _import_refused(name: str) -> str:
    allowed = ", ".join(sorted(ALLOWED_IMPORTS))
    return (
        f"import of '{name}' is not allowed; the sandbox has no files, processes or network. "
        f"Use the workspace functions; importable modules: {allowed}"
    )


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def _format_reaches_dunder(text: str) -> bool:
    # str.format fields like "{0.__class__}" walk attributes at run time.
    return "{" in text and ".__" in text
