"""Procedurally generated fixture workspaces: small, random Python projects.

A fixture is a pure function of its seed, so an example only records the seed and the
same files can be rebuilt later (for the held-out decode check). Each project has a
README naming it, a package of modules (some with module docstrings, some defining
exceptions), a tests directory, sometimes a scripts directory and a ``config.toml``,
and sometimes a module with real return-type errors that ty reports.
"""

import random
from pathlib import Path

from pydantic import BaseModel

# Project names are made up from syllables: thousands of them, so a model cannot recall
# the name of a project and must copy it from the question or the tool output (the eval
# workspace and every real project have names it never saw).
SYLLABLES = (
    "ka", "lo", "mir", "zen", "tas", "ro", "vel", "qui", "dun", "pa", "sor", "bel", "ni",
    "tro", "gal", "mu", "fen", "dra", "ko", "lis", "mar", "ti", "ven", "bo", "sal", "ru",
    "pel", "do", "nix", "fa", "or", "em", "ax", "il", "ub",
)  # fmt: skip


def project_name(rng: random.Random) -> str:
    """A made-up, importable project name of two or three syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))


# Descriptions are combined from parts so that a reply describing a project must be
# copied from its README: there are too many to memorise.
VERBS = ("tracks", "sorts", "stores", "summarises", "checks", "converts", "schedules", "exports")
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
MODULES = [
    "models",
    "utils",
    "service",
    "storage",
    "parser",
    "reports",
    "tasks",
    "views",
    "loader",
    "cache",
]
NOUNS = ["item", "user", "order", "task", "note", "record", "entry", "event", "token", "path"]
ERROR_STEMS = ["Parse", "Storage", "Config", "Lookup", "Network", "Timeout", "Auth", "Quota"]
CONFIG_NAMES = ("config.toml", "settings.toml")
BROKEN_MODULE = "labels"


class Fixture(BaseModel):
    """A generated workspace: its seed, project name and files (path -> text)."""

    seed: int
    name: str
    files: dict[str, str]

    def python_files(self) -> list[str]:
        """Workspace-relative paths of its Python files, sorted."""
        return sorted(p for p in self.files if p.endswith(".py"))

    def write(self, dest: Path) -> Path:
        """Write the files under ``dest`` (created if missing) and return it."""
        for relative, text in self.files.items():
            path = dest / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return dest


def _function(rng: random.Random, noun: str) -> str:
    kind = rng.randrange(3)
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
    return f"def format_{noun}({noun}: str) -> str:\n    return {noun}.strip().title()\n"


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
    for index in range(rng.randint(1, 4)):
        tests.append(f"def test_{module}_{index}():\n    assert {module}.__name__\n")
    return "\n\n".join(tests)


def _readme(rng: random.Random, name: str) -> str:
    about = f"{name.capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(SETTINGS)}."
    parts = [f"# {name}"]
    if rng.random() < 0.3:
        parts.append(f"Install with `pip install {name}`.")
    parts.append(about)
    if rng.random() < 0.3:
        parts.append(f"## Usage\n\nRun `python -m {name}`.")
    return "\n\n".join(parts) + "\n"


def make_fixture(seed: int) -> Fixture:
    """The fixture workspace for ``seed`` (same seed, same files)."""
    rng = random.Random(seed)
    name = project_name(rng)
    files = {"README.md": _readme(rng, name)}
    files[f"{name}/__init__.py"] = f'"""The {name} package."""\n'
    modules = rng.sample(MODULES, rng.randint(1, 3))
    for module in modules:
        files[f"{name}/{module}.py"] = _module(rng, module)
    if rng.random() < 0.6:
        files[f"{name}/errors.py"] = _errors_module(rng)
    if rng.random() < 0.5:
        files[f"{name}/{BROKEN_MODULE}.py"] = _broken_module(rng)
    for module in rng.sample(modules, rng.randint(1, len(modules))):
        files[f"tests/test_{module}.py"] = _test_module(rng, name, module)
    if rng.random() < 0.4:
        files["scripts/run.py"] = f'"""Run {name}."""\n\nprint("{name}")\n'
    if rng.random() < 0.5:
        files[rng.choice(CONFIG_NAMES)] = f'[settings]\nname = "{name}"\ndebug = true\n'
    return Fixture(seed=seed, name=name, files=files)
