"""The dataset on disk: eval guard, deterministic split, mlx-lm chat JSONL, report.

Layout of a data directory::

    examples.jsonl        every kept example (schema.Example), in split order
    train.jsonl valid.jsonl test.jsonl   mlx-lm chat rows ({"messages", "tools"})
    test_examples.jsonl   the test split as examples (for the held-out decode check)
    report.json           DataReport: generated / executed / kept / failed per category
"""

import hashlib
import json
import random
from pathlib import Path

from pydantic import BaseModel, Field

from punie_training.evalsuites import eval_queries
from punie_training.schema import Example, Kind

SPLITS = ("train", "valid", "test")


class CategoryCount(BaseModel):
    """How one category's examples fared."""

    kind: Kind
    generated: int = 0
    executed: int = 0
    kept: int = 0
    failed: int = 0
    eval_guarded: int = 0


class DataReport(BaseModel):
    """What the data stage made, per category, and where failures went."""

    seed: int
    categories: dict[str, CategoryCount] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)
    split_sizes: dict[str, int] = Field(default_factory=dict)
    data_hash: str = ""
    seconds: float = 0.0

    def count(self, category: str, kind: Kind) -> CategoryCount:
        """The counter of ``category`` (created on first use)."""
        return self.categories.setdefault(category, CategoryCount(kind=kind))

    def totals(self) -> dict[str, int]:
        """Sums over all categories."""
        fields = ("generated", "executed", "kept", "failed", "eval_guarded")
        return {f: sum(getattr(c, f) for c in self.categories.values()) for f in fields}


def _normal(text: str) -> str:
    return " ".join(text.casefold().strip(" ?.!").split())


def is_eval_query(user: str) -> bool:
    """True when ``user`` is (up to case, spacing and end punctuation) a built-in eval query."""
    return _normal(user) in {_normal(q) for q in eval_queries()}


def split(examples: list[Example], seed: int) -> dict[str, list[Example]]:
    """A deterministic 80/10/10 split: same examples and seed, same split."""
    ordered = sorted(examples, key=lambda e: e.id)
    random.Random(f"split-{seed}").shuffle(ordered)
    n_train = round(len(ordered) * 0.8)
    n_valid = round(len(ordered) * 0.1)
    return {
        "train": ordered[:n_train],
        "valid": ordered[n_train : n_train + n_valid],
        "test": ordered[n_train + n_valid :],
    }


def write_dataset(parts: dict[str, list[Example]], report: DataReport, out_dir: Path) -> None:
    """Write the split examples, their mlx-lm rows and the report (with the data hash)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with (out_dir / "examples.jsonl").open("w") as all_examples:
        for name in SPLITS:
            with (out_dir / f"{name}.jsonl").open("w") as rows:
                for example in parts[name]:
                    line = example.model_dump_json()
                    digest.update(line.encode())
                    all_examples.write(line + "\n")
                    for row in example.rows():
                        rows.write(json.dumps(row) + "\n")
    (out_dir / "test_examples.jsonl").write_text(
        "".join(e.model_dump_json() + "\n" for e in parts["test"])
    )
    report.split_sizes = {name: len(parts[name]) for name in SPLITS}
    report.data_hash = digest.hexdigest()[:16]
    (out_dir / "report.json").write_text(report.model_dump_json(indent=2) + "\n")


def read_examples(path: Path) -> list[Example]:
    """Examples from a JSONL file written by ``write_dataset``."""
    return [Example.model_validate_json(line) for line in path.read_text().splitlines() if line]
