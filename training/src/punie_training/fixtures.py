"""Procedurally generated fixture workspaces: small, random Python projects.

A fixture is a pure function of its seed, so an example only records the seed and the
same files can be rebuilt later (for the held-out decode check). Each project has a
README naming it, a package of modules (some with module docstrings, some defining
exceptions, sometimes a subpackage, sometimes under ``src/``), a tests directory, and
sometimes scripts, docs, a ``pyproject.toml``, a ``config.toml`` and the plain files
people keep next to code (notes, to-do lists, design docs, CSV data); some have a module
with real return-type errors that ty reports.

Names come from ``words``: real words, compounds and made-up words, too many to
memorise, so a model trained on them must copy names and paths from the question, as
it must in a project it never saw.
"""

import random
from pathlib import Path

from pydantic import BaseModel

from punie_training.words import NOUNS, VERBS, module_name, project_name

# Descriptions are combined from parts so that a reply describing a project must be
# copied from its README: there are too many to memorise.
README_VERBS = (
    "tracks",
    "sorts",
    "stores",
    "summarises",
    "checks",
    "converts",
    "schedules",
    "exports",
)
OBJECTS = (
    "books in a home library",
    "reminders for team meetings",
    "recipes and their units",
    "plants to water",
    "server log files",
    "tickets for a help desk",
    "workouts and personal bests",
    "bookmarks with tags",
    "invoices for freelancers",
    "photos from a camera",
    "expenses of a household",
    "lyrics of songs",
)
SETTINGS = ("", " from the command line", " for small teams", " in plain text files", " over HTTP")
SUBPACKAGES = ("core", "io", "web", "data", "plugins", "utils", "backends", "tools")
ERROR_STEMS = ["Parse", "Storage", "Config", "Lookup", "Network", "Timeout", "Auth", "Quota"]
CONFIG_NAMES = ("config.toml", "settings.toml")
BROKEN_MODULE = "labels"
# Plain files users ask to see or count as often as code: without them every text-file
# name in the data would be one to write, and a model learns that "notes.md" means write.
TEXT_FILES = (
    "notes.md", "notes.txt", "todo.txt", "TODO.md", "ideas.md", "NOTES.txt",
    "docs/notes.md", "docs/design.md", "docs/roadmap.md", "notes/meeting.txt",
    "notes/todo.md", "CONTRIBUTING.md",
)  # fmt: skip
DATA_FILES = ("data/sample.csv", "data/items.csv", "data/names.txt", "data.csv")
TODO_VERBS = ("fix", "review", "rename", "document", "test", "speed up", "clean up", "remove")


class Fixture(BaseModel):
    """A generated workspace: its seed, project name, package and files (path -> text)."""

    seed: int
    name: str
    package: str
    package_dir: str
    files: dict[str, str]

    def python_files(self) -> list[str]:
        """Workspace-relative paths of its Python files, sorted."""
        return sorted(p for p in self.files if p.endswith(".py"))

    def modules(self) -> list[str]:
        """Its package's Python files other than ``__init__.py``, sorted."""
        return [
            p
            for p in self.python_files()
            if p.startswith(self.package_dir + "/") and not p.endswith("__init__.py")
        ]

    def plain_files(self) -> list[str]:
        """Its notes, docs and data files (neither code, config nor the README), sorted."""
        kept = (".md", ".txt", ".csv")
        return sorted(p for p in self.files if p.endswith(kept) and p != "README.md")

    def test_files(self) -> list[str]:
        """Its ``tests/test_*.py`` files, sorted."""
        return [p for p in self.python_files() if p.rsplit("/", 1)[-1].startswith("test_")]

    def write(self, dest: Path) -> Path:
        """Write the files under ``dest`` (created if missing) and return it."""
        for relative, text in self.files.items():
            path = dest / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return dest


def _function(rng: random.Random, noun: str) -> str:
    kind = rng.randrange(8)
    if kind == 7:
        verb = rng.choice(VERBS)
        return f"def {verb}_{noun}({noun}: str) -> str:\n    return {noun}.strip().lower()\n"
    if kind == 0:
        return f"def count_{noun}s({noun}s: list[str]) -> int:\n    return len({noun}s)\n"
    if kind == 1:
        return (
            f"def find_{noun}({noun}s: list[str], name: str) -> str | None:\n"
            f"    for {noun} in {noun}s:\n"
            f"        if {noun} == name:\n"
            f"            return {noun}\n"
            f"    return None\n"
        )
    if kind == 2:
        return f"def format_{noun}({noun}: str) -> str:\n    return {noun}.strip().title()\n"
    if kind == 3:
        return (
            f"def load_{noun}s(text: str) -> list[str]:\n"
            f'    """Split text into {noun}s, one per line."""\n'
            f"    return [line.strip() for line in text.splitlines() if line.strip()]\n"
        )
    if kind == 4:
        return (
            f"def is_valid_{noun}({noun}: str) -> bool:\n"
            f"    return bool({noun}) and len({noun}) < {rng.choice((32, 64, 80, 120))}\n"
        )
    if kind == 5:
        return (
            f"class {noun.capitalize()}:\n"
            f"    def __init__(self, name: str) -> None:\n"
            f"        self.name = name\n\n"
            f"    def describe(self) -> str:\n"
            f'        return f"{noun} {{self.name}}"\n'
        )
    return (
        f"def total_{noun}s(values: list[int]) -> int:\n"
        f"    total = 0\n"
        f"    for value in values:\n"
        f"        total += value\n"
        f"    return total\n"
    )


def _module(rng: random.Random, title: str) -> str:
    parts = []
    if rng.random() < 0.5:
        parts.append(f'"""{title.capitalize()} helpers."""\n')
    for noun in rng.sample(NOUNS, rng.randint(1, 3)):
        parts.append(_function(rng, noun))
    return "\n\n".join(parts)


def _errors_module(rng: random.Random) -> str:
    parts = ['"""Errors of this package."""\n']
    for stem in rng.sample(ERROR_STEMS, rng.randint(1, 3)):
        base = "Exception" if rng.random() < 0.8 else "ValueError"
        parts.append(f"class {stem}Error({base}):\n    pass\n")
    return "\n\n".join(parts)


def _broken_module(rng: random.Random) -> str:
    # Each function promises int but returns str: one ty error per function.
    parts = []
    for noun in rng.sample(NOUNS, rng.randint(1, 2)):
        parts.append(f"def label_{noun}(value: int) -> int:\n    return str(value)\n")
    return "\n\n".join(parts)


def _test_module(rng: random.Random, package: str, module: str) -> str:
    tests = [f"from {package} import {module}\n"]
    count = rng.randint(1, 6)
    if rng.random() < 0.25:
        methods = "\n\n".join(
            f"    def test_{module}_{i}(self):\n        assert {module}.__name__\n"
            for i in range(count)
        )
        tests.append(f"class Test{module.capitalize()}:\n{methods}")
    else:
        for index in range(count):
            tests.append(f"def test_{module}_{index}():\n    assert {module}.__name__\n")
    return "\n\n".join(tests)


def _readme(rng: random.Random, name: str) -> str:
    verb, obj, setting = rng.choice(README_VERBS), rng.choice(OBJECTS), rng.choice(SETTINGS)
    about = f"{name.capitalize()} {verb} {obj}{setting}."
    parts = [f"# {name}"]
    if rng.random() < 0.3:
        parts.append(f"Install with `pip install {name}`.")
    parts.append(about)
    if rng.random() < 0.3:
        parts.append(f"## Usage\n\nRun `python -m {name.replace('-', '_')}`.")
    return "\n\n".join(parts) + "\n"


def _text_file(rng: random.Random, path: str, name: str, package: str, modules: list[str]) -> str:
    """Notes or a to-do list that mention the project's own names, a few lines long."""
    parts = ("code", "tests", "docs")
    items = [
        f"{rng.choice(TODO_VERBS)} {rng.choice(modules)}.py"
        if rng.random() < 0.5
        else f"{rng.choice(TODO_VERBS)} the {rng.choice(NOUNS)} {rng.choice(parts)}"
        for _ in range(rng.randint(1, 4))
    ]
    if path.endswith(".txt"):
        return "\n".join(items) + "\n"
    title = path.rsplit("/", 1)[-1].removesuffix(".md").replace("_", " ").capitalize()
    lines = [f"# {title}", "", f"Notes on {name} (package `{package}`).", ""]
    return "\n".join(lines + [f"- {item}" for item in items]) + "\n"


def _data_file(rng: random.Random, path: str) -> str:
    nouns = rng.sample(NOUNS, rng.randint(2, 5))
    if path.endswith(".txt"):
        return "\n".join(nouns) + "\n"
    rows = [f"{noun},{rng.randint(1, 99)}" for noun in nouns]
    return "\n".join(["name,count", *rows]) + "\n"


def _module_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = module_name(rng)
        if name not in names and name not in ("errors", BROKEN_MODULE):
            names.append(name)
    return names


def make_fixture(seed: int) -> Fixture:
    """The fixture workspace for ``seed`` (same seed, same files)."""
    rng = random.Random(seed)
    name = project_name(rng)
    package = name.replace("-", "_")
    package_dir = f"src/{package}" if rng.random() < 0.25 else package
    files = {"README.md": _readme(rng, name)}
    files[f"{package_dir}/__init__.py"] = f'"""The {name} package."""\n'
    modules = _module_names(rng, rng.randint(1, 4))
    for module in modules:
        files[f"{package_dir}/{module}.py"] = _module(rng, module)
    if rng.random() < 0.2:
        sub = rng.choice(SUBPACKAGES)
        files[f"{package_dir}/{sub}/__init__.py"] = ""
        for module in _module_names(rng, rng.randint(1, 2)):
            files[f"{package_dir}/{sub}/{module}.py"] = _module(rng, module)
    if rng.random() < 0.6:
        files[f"{package_dir}/errors.py"] = _errors_module(rng)
    if rng.random() < 0.5:
        files[f"{package_dir}/{BROKEN_MODULE}.py"] = _broken_module(rng)
    for module in rng.sample(modules, rng.randint(1, len(modules))):
        files[f"tests/test_{module}.py"] = _test_module(rng, package, module)
    if rng.random() < 0.4:
        files["scripts/run.py"] = f'"""Run {name}."""\n\nprint("{name}")\n'
    if rng.random() < 0.5:
        files[rng.choice(CONFIG_NAMES)] = f'[settings]\nname = "{name}"\ndebug = true\n'
    if rng.random() < 0.4:
        files["pyproject.toml"] = (
            f'[project]\nname = "{name}"\nversion = "0.{rng.randint(1, 9)}.0"\n'
        )
    if rng.random() < 0.3:
        files["docs/usage.md"] = f"# Using {name}\n\nImport `{package}` and call its helpers.\n"
    for path in rng.sample(TEXT_FILES, rng.choice((0, 1, 1, 2))):
        files[path] = _text_file(rng, path, name, package, modules)
    if rng.random() < 0.25:
        path = rng.choice(DATA_FILES)
        files[path] = _data_file(rng, path)
    if rng.random() < 0.2:
        files["CHANGELOG.md"] = f"# Changelog\n\n## 0.1.0\n\n- First release of {name}.\n"
    return Fixture(seed=seed, name=name, package=package, package_dir=package_dir, files=files)
