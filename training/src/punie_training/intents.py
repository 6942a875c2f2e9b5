"""Code Mode intents: what users ask for, many ways of asking, and one canonical snippet.

Each intent has phrasing templates (``{a|b|c}`` picks one alternative, ``<slot>`` is
filled from the fixture) and a snippet template with the same slots. Snippets are kept
canonical (one per intent) and print the complete reply in plain words, computed from
what the tools returned; the model then ends its turn without text and the server
replies with what the step printed, so the facts come from the real output.

``phrase`` adds what users put around a request (``Please …``, ``Can you …?``,
``Hey, …``) so that no intent is tied to one sentence shape.
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from punie_training.fixtures import BROKEN_MODULE, CONFIG_NAMES, Fixture
from punie_training.words import NOUNS, VERBS, made_up_word

Slots = dict[str, str]
_CHOICE = re.compile(r"\{([^{}]*)\}")
_SPACE_BEFORE_MARK = re.compile(r" ([?!.,;:])(?= |$)")
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_QUESTION_WORDS = (
    "what", "which", "how", "are", "is", "does", "do", "will", "where", "can", "could",
    "should", "who", "why", "any", "in", "when",
)  # fmt: skip


# Words of a request and what users say instead; a synonym replaces its word in the
# template (never in a slot's value) now and then, so no intent hangs on one word.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "project": ("repo", "repository", "codebase", "code base", "workspace"),
    "repo": ("project", "repository", "codebase"),
    "show": ("display", "print", "give me"),
    "Show": ("Display", "Print", "Give me"),
    "list": ("show", "enumerate"),
    "List": ("Show", "Enumerate"),
    "find": ("locate",),
    "Find": ("Locate",),
    "in total": ("altogether", "overall", "all in all"),
    "tell me": ("let me know", "say"),
    "file": ("module",),
    "errors": ("problems", "issues", "mistakes"),
}
_SYNONYM = re.compile(r"\b(" + "|".join(re.escape(w) for w in SYNONYMS) + r")\b")
# What users call the whole project when they mean the path ".".
WHOLE_PROJECT = (
    "the project", "the whole project", "the codebase", "everything", "all the code",
    "the repo", "the entire repository", "the whole workspace", "this project", "my code",
    "all files", "every module", "the whole code base", "this repo",
)  # fmt: skip


def expand(template: str, rng: random.Random, slots: Slots) -> str:
    """Pick one alternative of every ``{a|b}`` group, swap in a synonym now and then, then
    fill ``<slot>`` markers (a path ``.`` is often said as "the whole project" or so)."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    text = _SYNONYM.sub(lambda m: _synonym(m.group(1), rng), text)
    spoken = dict(slots)
    if spoken.get("path") == "." and rng.random() < 0.7:
        spoken["path"] = rng.choice(WHOLE_PROJECT)
    # An empty alternative before the end mark leaves "word ?": close the gap.
    return fill(_SPACE_BEFORE_MARK.sub(r"\1", " ".join(text.split())), spoken)


def _synonym(word: str, rng: random.Random) -> str:
    return rng.choice(SYNONYMS[word]) if rng.random() < 0.25 else word


def fill(template: str, slots: Slots) -> str:
    """Replace every ``<slot>`` marker with its value."""
    for name, value in slots.items():
        template = template.replace(f"<{name}>", value)
    return template


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    # A verb or question word, never a file name (README.md) or an acronym.
    if first.isalpha() and first[:1].isupper() and not first.isupper():
        return text[:1].lower() + text[1:]
    return text


def phrase(text: str, rng: random.Random) -> str:
    """``text`` as some user would type it: half the time unchanged, else with one of
    the usual openings or endings, and sometimes without a capital or final mark."""
    bare = text.rstrip("?.!")
    # Several sentences, or one about the user ("I don't understand …"), stay as they are.
    opening = text.split(" ", 1)[0]
    several = "." in bare.replace(".py", "") or "?" in bare
    if rng.random() < 0.5 or several or opening in ("I", "I'm"):
        return text
    if not opening.isalpha() or ": " in bare:  # "x.py has type errors: …", "a vs b: …"
        return text
    first = _FIRST_WORD.match(text)
    is_question = text.endswith("?") or (
        first is not None and first.group().lower() in _QUESTION_WORDS
    )
    if is_question:
        options = (
            f"Quick question: {_lower_first(text)}",
            f"Hey, {_lower_first(text)}",
            f"{bare}",
            f"{_lower_first(bare)}?",
            f"I'd like to know: {_lower_first(text)}",
            f"{bare}? Thanks",
        )
    else:
        options = (
            f"Please {_lower_first(bare)}",
            f"Can you {_lower_first(bare)}?",
            f"Could you {_lower_first(bare)}, please?",
            f"I need you to {_lower_first(bare)}",
            f"{bare}, please",
            f"Hey, {_lower_first(bare)}",
            f"{_lower_first(bare)}",
            f"{bare}.",
            f"{bare} for me",
        )
    return rng.choice(options)


@dataclass(frozen=True)
class Intent:
    """One thing a user asks for, with its canonical snippet and reply."""

    name: str
    kind: str  # "tool" (single tool) or "multi" (a multi-step workflow)
    phrasings: tuple[str, ...]
    code: str
    slots: Callable[[random.Random, Fixture], Slots | None] = lambda rng, fixture: {}


def _readable_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    # Notes and docs often, so that a text file's name is one to read as well as to write.
    plain = fixture.plain_files()
    if plain and rng.random() < 0.4:
        return {"path": rng.choice(plain)}
    small = [p for p, text in fixture.files.items() if len(text.splitlines()) <= 10]
    return {"path": rng.choice(sorted(small))} if small else None


def _explained_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    """A module to explain, or now and then a notes or docs file."""
    plain = fixture.plain_files()
    if plain and rng.random() < 0.2:
        return {"path": rng.choice(plain)}
    return _module_file(rng, fixture)


def _module_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    modules = [p for p in fixture.modules() if p.rsplit("/", 1)[-1] != "errors.py"]
    return {"path": rng.choice(modules)} if modules else None


def _any_file(rng: random.Random, fixture: Fixture) -> Slots:
    return {"path": rng.choice(sorted(fixture.files))}


def _test_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    tests = fixture.test_files()
    return {"path": rng.choice(tests)} if tests else None


def _directory(rng: random.Random, fixture: Fixture) -> Slots:
    folders = sorted({p.rsplit("/", 1)[0] for p in fixture.files if "/" in p})
    return {"dir": rng.choice(folders)}


def _typecheck_target(rng: random.Random, fixture: Fixture) -> Slots:
    # The whole project is what users check most often, in words of many kinds.
    if rng.random() < 0.3:
        return {"path": "."}
    return {"path": rng.choice(fixture.python_files())}


def _broken_file(rng: random.Random, fixture: Fixture) -> Slots | None:
    path = f"{fixture.package_dir}/{BROKEN_MODULE}.py"
    return {"path": path} if path in fixture.files else None


_DEFINITION = re.compile(r"^(?:def|class) (\w+)", re.MULTILINE)


_WORD = re.compile(r"\b[a-z]{4,}\b")


def _search_term(rng: random.Random, fixture: Fixture) -> Slots | None:
    """A name from the code, or (as often) a word of the README's description."""
    readme = fixture.files["README.md"]
    name = readme.splitlines()[0].lstrip("# ").lower()
    about = [p for p in readme.split("\n\n") if p.lower().startswith(name + " ")]
    words = sorted({w for p in about for w in _WORD.findall(p) if w != name})
    if words and rng.random() < 0.5:
        return {"name": rng.choice(words)}
    return _definition(rng, fixture)


def _definition(rng: random.Random, fixture: Fixture) -> Slots | None:
    names = sorted({n for p in fixture.modules() for n in _DEFINITION.findall(fixture.files[p])})
    names = [n for n in names if not n.startswith("_")]
    return {"name": rng.choice(names)} if names else None


NOTE_DIRS = ("", "", "", "docs/", "notes/", "tmp/")
NOTE_STEMS = ("notes", "todo", "plan", "ideas", "status", "summary", "log", "draft", "out")
NOTE_EXTENSIONS = (".txt", ".txt", ".md", ".rst", ".log")
NOTE_VERBS = ("fix", "review", "ship", "test", "document", "release", "rename", "check")
NOTE_WHEN = ("", "", " on friday", " today", " before lunch", " next week", " first")
NOTE_NOUNS = (
    "parser", "tests", "docs", "release", "cache", "login page", "api", "build", "backup",
    "dashboard", "migration", "installer",
)  # fmt: skip
NOTE_TIMES = ("9am", "noon", "3pm", "friday", "monday morning", "tomorrow", "end of day")
NOTE_STATES = ("flaky", "broken", "slow", "ready", "done", "blocked", "green", "out of date")
NOTE_WORDS = ("done", "hello world", "ok", "42", "ship it", "needs review", "TODO", "draft")
NOTE_NAMES = ("alice", "bob", "priya", "chen", "marta", "omar", "lena", "kofi")


def _noun(rng: random.Random) -> str:
    return made_up_word(rng, (2,)) if rng.random() < 0.3 else rng.choice(NOTE_NOUNS)


# What users ask to write comes in many shapes; trained on one ("fix the parser"), a
# model takes any words near a text file's name for text to write.
NOTE_SHAPES: tuple[Callable[[random.Random], str], ...] = (
    lambda rng: f"{rng.choice(NOTE_VERBS)} the {_noun(rng)}{rng.choice(NOTE_WHEN)}",
    lambda rng: rng.choice(NOTE_WORDS),
    lambda rng: f"standup at {rng.choice(NOTE_TIMES)}",
    lambda rng: f"the {_noun(rng)} is {rng.choice(NOTE_STATES)}",
    lambda rng: f"version {rng.randint(0, 4)}.{rng.randint(0, 19)}",
    lambda rng: f"ask {rng.choice(NOTE_NAMES)} about the {_noun(rng)}",
    lambda rng: f"call {rng.choice(NOTE_NAMES)} at {rng.choice(NOTE_TIMES)}",
    lambda rng: f"{rng.randint(2, 30)} {rng.choice(NOUNS)}s left",
    lambda rng: f"remember to {rng.choice(VERBS)} the {rng.choice(NOUNS)}",
    lambda rng: f"{rng.choice(NOUNS)} and {rng.choice(NOUNS)}",
    lambda rng: f"{made_up_word(rng, (2, 3))} {made_up_word(rng, (1, 2))}",
    lambda rng: f"{rng.choice(VERBS)} {rng.choice(NOUNS)} by {rng.choice(NOTE_TIMES)}",
)


def note_path(rng: random.Random) -> str:
    """A file name a user might ask to create: common or made-up, sometimes in a folder."""
    stem = rng.choice(NOTE_STEMS) if rng.random() < 0.6 else made_up_word(rng, (2, 3))
    return rng.choice(NOTE_DIRS) + stem + rng.choice(NOTE_EXTENSIONS)


def note_text(rng: random.Random) -> str:
    """A short line of text to write (no quotes, so it sits in a snippet's string)."""
    return rng.choice(NOTE_SHAPES)(rng)


def _note(rng: random.Random, fixture: Fixture) -> Slots:
    return {"path": note_path(rng), "text": note_text(rng)}


def _config(rng: random.Random, fixture: Fixture) -> Slots:
    present = [name for name in CONFIG_NAMES if name in fixture.files]
    # Mostly the file the project has, sometimes one it lacks (so it gets created).
    choice = rng.choice(present) if present and rng.random() < 0.5 else rng.choice(CONFIG_NAMES)
    return {"path": choice}


FIND_PY = 'files = sorted(run_command("find", [".", "-name", "*.py"]).split())\n'
# Twins users ask for in the same words get one snippet that answers both, so the model
# never has to guess between them: showing and explaining a file ...
READ_CODE = (
    'text = read_file("<path>")\n'
    "names = [line.split('(')[0].split(':')[0].split()[1] for line in text.splitlines()"
    ' if line.startswith(("def ", "class "))]\n'
    "if names:\n"
    '    print("<path> defines " + ", ".join(names) + ":")\n'
    "print(text)"
)
# ... finding where a name is defined and every place it occurs ...
FIND_NAME_CODE = (
    'hits = sorted(run_command("grep", ["-rn", "<name>", "."]).splitlines())\n'
    'defined = [hit for hit in hits if "def <name>" in hit or "class <name>" in hit]\n'
    "if defined:\n"
    '    print("<name> is defined at " + defined[0])\n'
    'print(len(hits), "matches for <name>:")\n'
    'print("\\n".join(hits))'
)
# ... and the project's line count, in total and per directory.
LINES_CODE = (
    FIND_PY + "lines = {}\n"
    "for path in files:\n"
    '    folder = path.rsplit("/", 1)[0]\n'
    "    lines[folder] = lines.get(folder, 0) + len(read_file(path).splitlines())\n"
    'print(len(files), "Python files,", sum(lines.values()), "lines in total")\n'
    "for folder, count in lines.items():\n"
    '    print(f"{folder}: {count}")'
)

INTENTS: tuple[Intent, ...] = (
    Intent(
        name="read_project_name",
        kind="tool",
        phrasings=(
            "{Read|Open|Look at|Check} {README.md|the README} and {tell me|give me} the "
            "{project name|name of the project}",
            "What is {this project|the project} called?",
            "{What's|What is} the name of this {project|repo|repository|codebase}?",
            "{Tell me|Find out} the project name from {README.md|the README}",
            "Which project is this? {Check|Read} {the README|README.md}",
            "What {project|repo} am I {working on|in}?",
            "{Name|Get} the project {from its README|}",
            "{Get me|Tell me} the name of {the|this} project",
            "project name?",
            "Which {repo|repository} is this?",
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
            "What is this {project|repo|repository|codebase} {about|for}?",
            "What does this {project|repo|code|package} do?",
            "{Describe|Summarise|Summarize|Explain} this {project|repository} {for me|briefly|}",
            "{Tell me|Give me an idea} what {this project|the repo} is {about|}",
            "What is the purpose of this {project|repo}?",
            "{Give me|Write} a one-line summary of {this project|the repo}",
            "What's the point of this {project|repo}?",
            "{Summary|Overview} of {the|this} project?",
            "What is {it|this} for? Check the README",
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
            "{Show me|Print|Display|Output} {the contents of|} <path>",
            "{Read|Open} <path> {for me|and show it|}",
            "What does <path> {contain|say}?",
            "{Can you|Please} show <path>",
            "{Cat|Dump} <path>",
            "What's {in|inside} <path>?",
            "Let me see <path>",
            "Show <path>",
            "Print out <path>",
            "What's written in <path>?",
            "Open <path> and print it",
        ),
        code=READ_CODE,
        slots=_readable_file,
    ),
    Intent(
        name="describe_file",
        kind="tool",
        phrasings=(
            "Read <path> and tell me what it does",
            "What does <path> do?",
            "{Explain|Summarise|Summarize|Describe} <path> {for me|briefly|}",
            "{Look at|Open|Check} <path> and {explain|describe} it",
            "What is <path> {for|about}?",
            "Give me an overview of <path>",
            "{Walk me through|Tell me about} <path>",
            "Explain the code in <path>",
            "<path>: what does it do?",
            "Describe the module <path>",
            "What is in <path> and what does it do?",
        ),
        code=READ_CODE,
        slots=_explained_file,
    ),
    Intent(
        name="list_definitions",
        kind="tool",
        phrasings=(
            "{Which|What} functions {are defined|are there} in <path>?",
            "List the {functions|functions and classes|definitions} in <path>",
            "What {functions|classes and functions} does <path> define?",
            "{Show|Give} me the {functions|signatures} {in|of} <path>",
            "{Find|List} every def in <path>",
            "Functions in <path>?",
            "Which classes are in <path>?",
            "What does <path> define?",
        ),
        code=(
            'for line in read_file("<path>").splitlines():\n'
            '    if line.startswith(("def ", "class ")):\n'
            '        print(line.rstrip(":"))'
        ),
        slots=_module_file,
    ),
    Intent(
        name="count_tests_in_file",
        kind="tool",
        phrasings=(
            "How many {tests|test functions} are {in|there in} <path>?",
            "Count the {tests|test functions} in <path>",
            "{What's|What is} the number of tests in <path>?",
            "How many test cases does <path> {have|contain}?",
            "{Tell me|Find out} how many tests <path> has",
            "Number of tests in <path>?",
            "How many tests does <path> define?",
            "Test count for <path>",
            "<path>: how many tests does it have?",
            "{Count|Tally} the test functions {defined|} in <path>",
        ),
        code=(
            'count = read_file("<path>").count("def test_")\n'
            'print(count, "test functions in <path>")'
        ),
        slots=_test_file,
    ),
    Intent(
        name="count_lines_in_file",
        kind="tool",
        phrasings=(
            "How many lines {are in <path>|does <path> have}?",
            "Count the lines {of|in} <path>",
            "{What's|What is} the line count of <path>?",
            "How long is <path> in lines?",
            "{Tell me|Give me} the number of lines in <path>",
            "Lines in <path>?",
            "How many lines long is <path>?",
            "Length of <path> in lines",
            "<path>: how many lines does it have?",
            "{Give me|Tell me} {the|} line count {for|of} <path>",
            "Number of lines in <path>?",
            "Is <path> long? How many lines?",
        ),
        code=('lines = read_file("<path>").splitlines()\nprint("<path> has", len(lines), "lines")'),
        slots=_any_file,
    ),
    Intent(
        name="write_file",
        kind="tool",
        phrasings=(
            '{Create|Make} <path> {containing|with the text|with} "<text>"',
            '{Write|Save|Put} "<text>" {to|into|in} <path>',
            'Create a file {called|named} <path> that says "<text>"',
            'Please write "<text>" in a new file <path>',
            'Add a file <path> with the {content|line} "<text>"',
            "Write <text> to <path>",
            "{Create|Make} {a file|a new file} <path> and write <text> in it",
            '{Set|Replace} the contents of <path> {to|with} "<text>"',
            "New file <path> with <text>",
            'Save "<text>" to <path>',
            "Put <text> in <path>",
            'Write a file <path> that contains "<text>"',
            "<path> should say <text>",
            "{Create|Make|Write} <path> saying <text>",
            "Write a note {to|in} <path> that reads <text>",
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
            "{Show me|Give me} the contents of the <dir> {folder|directory}",
            "ls <dir>",
            "What's inside <dir>?",
            "Contents of <dir>?",
            "Show {me|} <dir>",
            "List <dir>",
            "Browse the <dir> folder",
            "What's in the <dir> {directory|folder}?",
            "Files under <dir>?",
            "Open the {folder|directory} <dir> and list it",
            "What does the {folder|directory} <dir> contain?",
            "{What's kept|What lives|What is stored} in <dir>?",
            "{Tell me|Show me} what <dir> holds",
            "Which files does <dir> have?",
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
            "What Python {files|modules} {are in|make up} this {project|repo}?",
            "List the .py files",
            "Python files?",
            "Show every Python module",
        ),
        code=FIND_PY + 'print(len(files), "Python files:")\nprint("\\n".join(files))',
    ),
    Intent(
        name="find_definition",
        kind="tool",
        phrasings=(
            "Where is <name> defined?",
            "{Find|Locate} the definition of <name>",
            "In which file is <name> {defined|declared}?",
            "{Which|What} file defines <name>?",
            "{Find|Show me} where <name> is defined",
            "Where's <name>?",
            "Locate <name>",
            "Which module has <name>?",
            "Find the {function|class} <name>",
            "What file {has|holds} the definition of <name>?",
            "{Where|In which module} {do we|does the code} define <name>?",
        ),
        code=FIND_NAME_CODE,
        slots=_definition,
    ),
    Intent(
        name="search_text",
        kind="tool",
        phrasings=(
            "{Search|Grep} {the code|the project|the repo} for <name>",
            "Where is <name> used?",
            "Find {all|every} {mention|occurrence|use} of <name>",
            "Which files mention <name>?",
            "{Look for|Find} <name> in {the code|this project|all files}",
            "grep <name>",
            "Search for <name>",
            "Any references to <name>?",
            "Who uses <name>?",
            "Find the {word|text|string} <name> {anywhere|in the files|in the repo}",
            "Which files contain the {word|string} <name>?",
            "{grep|Grep} for the {text|word} <name>",
            "Does any file mention <name>?",
            "Which files {refer to|reference|discuss|bring up} <name>?",
            "{Show|List} {every|each} line with <name>",
        ),
        code=FIND_NAME_CODE,
        slots=_search_term,
    ),
    Intent(
        name="typecheck",
        kind="tool",
        phrasings=(
            "{Typecheck|Type-check|Type check|Run ty on} <path>",
            "Are there {any|} type errors in <path>?",
            "Check <path> for type {errors|problems|issues}",
            "{Does|Will} <path> pass the type checker?",
            "Run the type checker on <path>",
            "Is <path> type-correct?",
            "{Any|Find} type errors in <path>?",
            "Check the types in <path>",
            "Type errors in <path>?",
            "Validate the type hints {of|in} <path>",
            "Run a type check on <path>",
            "ty <path>",
            "Run ty {on|against} <path> and {show|list} {the|any} errors",
            "What does ty say about <path>?",
            "{Verify|Confirm} that <path> type-checks",
            "Are the {annotations|type annotations|type hints} in <path> {right|OK|valid}?",
            "Scan <path> for type {errors|mistakes}",
            "<path>: any type errors?",
            "How many type errors does <path> have?",
            "Is <path> well typed?",
            "{Run|Do} a typecheck of <path>",
            "Use ty to check <path>",
            "Check <path> for type {errors|problems} and {list|count|show} them",
            "{Report|List} {the|all} type errors {in|of} <path>",
            "Are the types {in|of} <path> {consistent|sound}?",
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
            "What {custom errors|exception types} does this project define?",
            "Exception classes?",
            "Which errors does the code define?",
            "List the exceptions",
            "Show the error classes",
            "{Which|What} exceptions {are defined|does the code raise} {here|in this project}?",
            "List {the|our} {own|custom} error types",
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
            "How big is this {project|codebase} in lines of Python?",
            "Total lines of Python?",
            "Line count of the whole project?",
            "How many lines of code are there?",
        ),
        code=LINES_CODE,
    ),
    Intent(
        name="count_tests",
        kind="multi",
        phrasings=(
            "{Find|Look at} the test files and count the test functions",
            "How many {test functions|tests} {are there|does this project have}?",
            "Count the {tests|test functions} in {the test files|this project}",
            "{Find|List} {all|the} test files and tell me how many tests they have",
            "How many tests does {the project|this repo} have {in total|}?",
            "Test count?",
            "How many tests in total?",
            "Number of test functions in the project?",
            "How many tests {are in|does} the test suite {have|}?",
            "Count {every|each} test {in the repo|across the project|in the test suite}",
            "{Total|Overall} number of tests?",
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
            "How many lines of Python {are in each directory|does each folder have}?",
            "{Show|Give me} the Python line count {for each|per} {directory|folder}",
            "{Break down|Split} the Python line count by directory",
        ),
        code=LINES_CODE,
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
