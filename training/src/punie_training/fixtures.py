"""Procedurally generated fixture workspaces: small, random Python projects.

A fixture is a pure function of its seed, so an example only records the seed and the
same files can be rebuilt later (for the held-out decode check). Each project has a
README naming it, a package of modules (some with module docstrings, some defining
exceptions, sometimes a subpackage, sometimes under ``src/``), a tests directory, and
sometimes scripts, docs, a ``pyproject.toml``, data files and a ``config.toml``; some
have a module with real return-type errors that ty reports.

Names are drawn from large pools and made-up syllables, so a model trained on them
must copy names and paths from the question, as it must in a project it never saw.
"""

import random
from pathlib import Path

from pydantic import BaseModel

SYLLABLES = (
    "ka", "lo", "mir", "zen", "tas", "ro", "vel", "qui", "dun", "pa", "sor", "bel", "ni",
    "tro", "gal", "mu", "fen", "dra", "ko", "lis", "mar", "ti", "ven", "bo", "sal", "ru",
    "pel", "do", "nix", "fa", "or", "em", "ax", "il", "ub",
)  # fmt: skip


def made_up_word(rng: random.Random, syllables: tuple[int, ...] = (2, 2, 3)) -> str:
    """A made-up, importable word of a few syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice(syllables)))


def project_name(rng: random.Random) -> str:
    """A made-up project name: one word, sometimes two joined by a hyphen."""
    if rng.random() < 0.2:
        return f"{made_up_word(rng, (2,))}-{made_up_word(rng, (1, 2))}"
    return made_up_word(rng)


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
MODULES = (
    "models", "utils", "service", "storage", "parser", "reports", "tasks", "views", "loader",
    "cache", "api", "cli", "config", "db", "auth", "client", "server", "handlers", "routes",
    "schema", "validators", "helpers", "core", "engine", "pipeline", "scheduler", "worker",
    "queue", "events", "metrics", "formatting", "export", "importer", "search", "index",
    "graph", "geometry", "pricing", "billing", "users", "accounts", "orders", "inventory",
    "catalog", "payments", "notifications", "mailer", "templates", "render", "sync",
    "backup", "compress", "hashing", "session", "permissions", "plugins", "registry",
    "commands", "watcher", "monitor", "alerts", "stats", "charts", "timeline", "calendar",
    "tags", "history", "converter", "matcher", "tokenizer", "summary", "filters",
)  # fmt: skip
SUBPACKAGES = ("core", "io", "web", "data", "plugins", "utils", "backends", "tools")
NOUNS = (
    "item", "user", "order", "task", "note", "record", "entry", "event", "token", "path",
    "book", "invoice", "ticket", "plant", "recipe", "photo", "song", "workout", "bookmark",
    "expense", "reminder", "message", "account", "price", "report", "job", "tag", "page",
    "file", "line", "row", "name", "date", "score", "label", "query", "rule", "slot",
)  # fmt: skip
ERROR_STEMS = ["Parse", "Storage", "Config", "Lookup", "Network", "Timeout", "Auth", "Quota"]
CONFIG_NAMES = ("config.toml", "settings.toml")
BROKEN_MODULE = "labels"


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
    kind = rng.randrange(7)
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
    about = f"{name.capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(SETTINGS)}."
    parts = [f"# {name}"]
    if rng.random() < 0.3:
        parts.append(f"Install with `pip install {name}`.")
    parts.append(about)
    if rng.random() < 0.3:
        parts.append(f"## Usage\n\nRun `python -m {name.replace('-', '_')}`.")
    return "\n\n".join(parts) + "\n"


def _module_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = made_up_word(rng, (2, 3)) if rng.random() < 0.3 else rng.choice(MODULES)
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
    if rng.random() < 0.2:
        files["CHANGELOG.md"] = f"# Changelog\n\n## 0.1.0\n\n- First release of {name}.\n"
    return Fixture(seed=seed, name=name, package=package, package_dir=package_dir, files=files)
