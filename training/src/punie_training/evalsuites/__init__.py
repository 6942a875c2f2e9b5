"""The built-in eval suites (PROTOCOL.md §7) and the fixture workspace they run against.

``punie eval`` runs these queries through the real server on a copy of the workspace
written by ``write_eval_workspace``; every expectation below is a fact of that
workspace. The training pipeline refuses any example whose user message equals one
of these queries, so the eval never measures memorised prompts.
"""

from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

SUITE_NAMES = ("single", "multi")


class Expect(BaseModel):
    """What must hold after the query ran.

    ``tools``: each was called at least once. ``reply_contains``: each string is in the
    reply (case-insensitive). ``files``: each path exists and its text contains the value.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    tools: list[str] = Field(default_factory=list)
    reply_contains: list[str] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict)


class EvalQuery(BaseModel):
    """One line of an eval query file."""

    id: str
    query: str
    kind: Literal["tool", "direct"]
    expect: Expect = Field(default_factory=Expect)


# The eval workspace: a small package "acme" with errors, tests and no config file.
EVAL_WORKSPACE: dict[str, str] = {
    "README.md": "# acme\n\nAcme keeps track of a small shop's inventory.\n",
    "acme/__init__.py": '"""The acme inventory package."""\n',
    "acme/errors.py": (
        '"""Errors raised by acme."""\n\n\n'
        "class AcmeError(Exception):\n"
        '    """Base class of acme errors."""\n\n\n'
        "class ValidationError(Exception):\n"
        '    """An item failed validation."""\n'
    ),
    "acme/models.py": (
        '"""Inventory items."""\n\n'
        "from dataclasses import dataclass\n\n\n"
        "@dataclass\n"
        "class Item:\n"
        "    name: str\n"
        "    count: int\n"
    ),
    "acme/service.py": (
        "from acme.models import Item\n\n\n"
        "def restock(item: Item, amount: int) -> Item:\n"
        "    return Item(item.name, item.count + amount)\n\n\n"
        "def total(items: list[Item]) -> int:\n"
        "    return sum(item.count for item in items)\n"
    ),
    "tests/test_models.py": (
        "from acme.models import Item\n\n\n"
        "def test_item_has_a_name():\n"
        '    assert Item("pen", 1).name == "pen"\n\n\n'
        "def test_item_has_a_count():\n"
        '    assert Item("pen", 1).count == 1\n\n\n'
        "def test_items_compare_by_value():\n"
        '    assert Item("pen", 1) == Item("pen", 1)\n'
    ),
    "tests/test_service.py": (
        "from acme.models import Item\n"
        "from acme.service import restock, total\n\n\n"
        "def test_restock_adds():\n"
        '    assert restock(Item("pen", 1), 2).count == 3\n\n\n'
        "def test_total_sums_counts():\n"
        '    assert total([Item("a", 1), Item("b", 2)]) == 3\n'
    ),
}


def write_eval_workspace(dest: Path) -> Path:
    """Write the eval fixture workspace into ``dest`` (created if missing); return it."""
    for relative, text in EVAL_WORKSPACE.items():
        path = dest / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return dest


def load_suite(name: str) -> list[EvalQuery]:
    """The queries of one built-in suite (``single`` or ``multi``)."""
    text = files("punie_training.evalsuites").joinpath(f"{name}.jsonl").read_text()
    return [EvalQuery.model_validate_json(line) for line in text.splitlines() if line.strip()]


def load_suites() -> dict[str, list[EvalQuery]]:
    """Every built-in suite by name."""
    return {name: load_suite(name) for name in SUITE_NAMES}


def eval_queries() -> set[str]:
    """The user messages of every built-in suite (the training data must avoid them)."""
    return {q.query for queries in load_suites().values() for q in queries}
