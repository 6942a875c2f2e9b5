"""Code Mode intents: what users ask for, many ways of asking, and one canonical snippet.

Each intent has phrasing templates (``{a|b|c}`` picks one alternative, ``<slot>`` is
filled from the fixture) and a snippet template with the same slots. Snippets are kept
canonical (one per intent) and print the complete reply in plain words, computed from
what the tools returned; the model then ends its turn without text and the server
replies with what the step printed. A tiny model cannot reliably copy names and
numbers it never saw from a tool's output into a reply (it recalls similar ones
instead); the snippet's own print() gets them right by construction.
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from punie_training.fixtures import BROKEN_MODULE, CONFIG_NAMES, Fixture

Slots = dict[str, str]
_CHOICE = re.compile(r"\{([^{}]*)\}")


def expand(template: str, rng: random.Random, slots: Slots) -> str:
    """Pick one alternative of every ``{a|b}`` group, then fill ``<slot>`` markers."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    return fill(" ".join(text.split()), slots)


def fill(template: str, slots: Slots) -> str:
    """Replace every ``<slot>`` marker with its value."""
    for name, value in slots.items():
        template = template.replace(f"<{name}>", value)
    return template


@dataclass(frozen=True)
class Intent:
    """One thing a user asks for, with its canonical snippet and reply."""

    name: str
    kind: str  # "tool" (single tool) or "multi" (a multi-step workflow)
    phrasings: tuple[str, ...]
    code: str
    slots: Callable[[random.Random, Fixture], Slots | None] = lambda rng, fixture: {}


def _readable_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    small = [p for p, text in fixture.files.items() if len(text.splitlines()) <= 8]
    return {"path": rng.choice(sorted(small))} if small else None


def _directory(rng: random.Random, fixture: Fixture) -> Slots:
    folders = sorted({p.rsplit("/", 1)[0] for p in fixture.files if "/" in p})
    return {"dir": rng.choice(folders)}


def _typecheck_target(rng: random.Random, fixture: Fixture) -> Slots:
    return {"path": rng.choice([".", *fixture.python_files()])}


def _broken_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    path = f"{fixture.name}/{BROKEN_MODULE}.py"
    return {"path": path} if path in fixture.files else None


NOTES = ("notes.txt", "TODO.md", "out.txt", "docs/notes.md", "status.txt")
NOTE_TEXTS = ("done", "ship it", "remember to add tests", "release on friday", "needs review")


def _note(rng: random.Random, fixture: Fixture) -> Slots:
    return {"path": rng.choice(NOTES), "text": rng.choice(NOTE_TEXTS)}


def _config(rng: random.Random, fixture: Fixture) -> Slots:
    present = [name for name in CONFIG_NAMES if name in fixture.files]
    # Mostly the file the project has, sometimes one it lacks (so it gets created).
    choice = rng.choice(present) if present and rng.random() < 0.5 else rng.choice(CONFIG_NAMES)
    return {"path": choice}


FIND_PY = 'files = sorted(run_command("find", [".", "-name", "*.py"]).split())\n'

INTENTS: tuple[Intent, ...] = (
    Intent(
        name="read_project_name",
        kind="tool",
        phrasings=(
            "{Read|Open|Look at|Check} {README.md|the README} and {tell me|give me} the "
            "{project name|name of the project}",
            "What is {this project|the project} called?",
            "{What's|What is} the name of this {project|repo|repository}?",
            "{Tell me|Find out} the project name from {README.md|the README}",
            "Which project is this? {Check|Read} {the README|README.md}",
        ),
        code=(
            'name = read_file("README.md").splitlines()[0].lstrip("# ")\n'
            'print("The project is called " + name + ".")'
        ),
    ),
    Intent(
        name="describe_project",
        kind="tool",
        phrasings=(
            "{Read|Check|Look at} {README.md|the README} and tell me what {this|the} project is",
            "What is this {project|repo|repository} {about|for}?",
            "What does this {project|repo|code} do?",
            "{Describe|Summarise|Explain} this project {for me|briefly|}",
            "{Tell me|Give me an idea} what {this project|the repo} is {about|}",
        ),
        code=(
            'text = read_file("README.md")\n'
            'name = text.splitlines()[0].lstrip("# ")\n'
            'about = [p for p in text.split("\\n\\n")'
            ' if p.lower().startswith(name.lower() + " ")]\n'
            'print(about[0] if about else "The project is called " + name + ".")'
        ),
    ),
    Intent(
        name="read_file",
        kind="tool",
        phrasings=(
            "{Show me|Print|Display} {the contents of|} <path>",
            "{Read|Open} <path> {for me|and show it|}",
            "What does <path> {contain|say}?",
            "{Can you|Please} show <path>",
        ),
        code='print(read_file("<path>"))',
        slots=_readable_file,
    ),
    Intent(
        name="write_file",
        kind="tool",
        phrasings=(
            '{Create|Make} <path> {containing|with the text} "<text>"',
            '{Write|Save|Put} "<text>" {to|into|in} <path>',
            'Create a file called <path> that says "<text>"',
            'Please write "<text>" in a new file <path>',
        ),
        code='write_file("<path>", "<text>\\n")\nprint("I wrote <path>.")',
        slots=_note,
    ),
    Intent(
        name="list_directory",
        kind="tool",
        phrasings=(
            "{List|Show} the files in <dir>",
            "What is in the {directory|folder} <dir>?",
            "Run ls on <dir>",
            "{Which|What} files are {in|inside} <dir>?",
        ),
        code='print(run_command("ls", ["<dir>"]))',
        slots=_directory,
    ),
    Intent(
        name="find_python_files",
        kind="tool",
        phrasings=(
            "{Find|List|Show me} {all|every|all the} Python files {in this project|here|}",
            "Which Python files {are there|does this project have}?",
            "{Where are|Locate} the .py files {in the repo|in this workspace|}",
            "{Give me|I need} a list of {all|the} Python files",
        ),
        code=FIND_PY + 'print(len(files), "Python files:")\nprint("\\n".join(files))',
    ),
    Intent(
        name="typecheck",
        kind="tool",
        phrasings=(
            "{Typecheck|Type-check|Run ty on} <path>",
            "Are there {any|} type errors in <path>?",
            "Check <path> for type errors",
            "{Does|Will} <path> pass the type checker?",
        ),
        code=(
            'result = typecheck("<path>")\n'
            'print(result.error_count, "type errors")\n'
            "for error in result.errors:\n"
            '    print(f"{error.file}:{error.line}: {error.message}")'
        ),
        slots=_typecheck_target,
    ),
    Intent(
        name="find_exceptions",
        kind="tool",
        phrasings=(
            "{Find|List|Show} {the|all|all the} classes that {inherit|derive} from Exception",
            "Which classes {subclass|extend} Exception?",
            "{Find|Search for} {custom|} exception classes {in this project|in the code|}",
            "What classes inherit from Exception {here|in this repo|}?",
        ),
        code=(
            "found = []\n"
            'for path in sorted(run_command("find", [".", "-name", "*.py"]).split()):\n'
            "    for line in read_file(path).splitlines():\n"
            '        if line.startswith("class ") and line.endswith("(Exception):"):\n'
            '            found.append(path + ": " + line[6:-12])\n'
            'print(len(found), "classes inherit from Exception")\n'
            'print("\\n".join(found))'
        ),
    ),
    Intent(
        name="count_lines",
        kind="multi",
        phrasings=(
            "{Find|List} {all|the} Python files and count {their|the} lines",
            "How many lines of Python {are there|does this project have} {in total|}?",
            "Count the lines in {all the Python files|every Python file}",
            "{What is|What's} the total line count of the Python files?",
        ),
        code=(
            FIND_PY + "total = 0\n"
            "for path in files:\n"
            "    total += len(read_file(path).splitlines())\n"
            'print(len(files), "Python files,", total, "lines in total")'
        ),
    ),
    Intent(
        name="count_tests",
        kind="multi",
        phrasings=(
            "{Find|Look at} the test files and count the test functions",
            "How many {test functions|tests} {are there|does this project have}?",
            "Count the {tests|test functions} in {the test files|this project}",
            "{Find|List} {all|the} test files and tell me how many tests they have",
        ),
        code=(
            'files = sorted(run_command("find", [".", "-name", "test_*.py"]).split())\n'
            "count = 0\n"
            "for path in files:\n"
            '    count += read_file(path).count("def test_")\n'
            'print(count, "test functions in", len(files), "test files")'
        ),
    ),
    Intent(
        name="read_or_create_config",
        kind="multi",
        phrasings=(
            "If <path> exists {read|show} it, {otherwise|else} create it",
            "{Read|Show} <path>, or create it if it {is missing|does not exist}",
            "Check whether <path> exists; {read|show} it or create a default one",
            "{Open|Read} <path> and create it if {needed|there is none}",
        ),
        code=(
            "try:\n"
            '    print(read_file("<path>"))\n'
            "except FileNotFoundError:\n"
            '    write_file("<path>", "[settings]\\ndebug = false\\n")\n'
            '    print("created <path> with default settings")'
        ),
        slots=_config,
    ),
    Intent(
        name="count_docstrings",
        kind="multi",
        phrasings=(
            "How many Python files {have|start with} a {module|} docstring?",
            "Count the {Python|} files {that have|with} {a docstring|docstrings}",
            "{Find|Check} which Python files have a module docstring and count them",
            "{What share|How many} of the Python files are documented with a docstring?",
        ),
        code=(
            FIND_PY + "documented = [path for path in files "
            'if read_file(path).startswith(\'"""\')]\n'
            'print(len(documented), "of", len(files), "Python files have a docstring")'
        ),
    ),
    Intent(
        name="lines_per_directory",
        kind="multi",
        phrasings=(
            "Count the lines of Python {code|} per directory",
            "How many lines of Python {are in|does} each {directory|folder} {have|}?",
            "{Show|Give me} the Python line count {for each|per} {directory|folder}",
            "{Break down|Split} the Python line count by directory",
        ),
        code=(
            "lines = {}\n"
            'for path in sorted(run_command("find", [".", "-name", "*.py"]).split()):\n'
            '    folder = path.rsplit("/", 1)[0]\n'
            "    lines[folder] = lines.get(folder, 0) + len(read_file(path).splitlines())\n"
            "for folder, count in lines.items():\n"
            '    print(f"{folder}: {count}")'
        ),
    ),
    Intent(
        name="typecheck_fix",
        kind="multi",
        phrasings=(
            "Typecheck <path>, fix the {errors|return types} and check {again|it again}",
            "Fix the type errors in <path> and {re-run ty|typecheck it again}",
            "<path> has type errors: fix them and {verify|confirm} with ty",
            "{Repair|Fix} the return type annotations in <path> {and re-check|then typecheck}",
        ),
        code=(
            'path = "<path>"\n'
            "before = typecheck(path)\n"
            'write_file(path, read_file(path).replace(") -> int:", ") -> str:"))\n'
            "after = typecheck(path)\n"
            'print(before.error_count, "errors before,", after.error_count, "after")'
        ),
        slots=_broken_file,
    ),
)
