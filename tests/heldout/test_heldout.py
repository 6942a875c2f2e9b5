"""Our own held-out sets: queries on a workspace the embedded model never trained on, with
names and phrasings that no training template produces, scored by ``punie eval``.

Five sets, each a workspace and its queries (PROTOCOL §7), written one after the other
as the recipe was tuned: ``workspace/`` (lanternfish) with ``queries.jsonl`` and
``workspace2/`` (orrery, a ``src/`` layout) with ``queries2.jsonl`` were looked at while
tuning; ``workspace3/`` (apiary) with ``queries3.jsonl`` was first run on the first
SmolLM2 model and its misses were then looked at; ``workspace4/`` (glazebook) with
``queries4.jsonl`` was written while the second one trained and was first run on it;
``workspace5/`` (tramline) with ``queries5.jsonl`` was written while a third one
trained (not kept, docs/training.md) and was first run on it and on the committed one.

Beside them, ``reads.jsonl`` on ``workspace6/`` (saltmarsh) is not a held-out set but a
guard: asked to show a notes or to-do file, the model must read it, never write it
(the edit would overwrite the user's text once accepted).
"""

import json
import re
from pathlib import Path

import pytest

from punie_server.evaluation import load_queries
from punie_training.direct import QUESTIONS
from punie_training.fixtures import make_fixture
from punie_training.generate import plan_direct_examples, plan_tool_drafts
from punie_training.intents import INTENTS
from tests.server.test_cli_clients import punie

HERE = Path(__file__).parent
SETS = {
    "lanternfish": (HERE / "queries.jsonl", HERE / "workspace"),
    "orrery": (HERE / "queries2.jsonl", HERE / "workspace2"),
    "apiary": (HERE / "queries3.jsonl", HERE / "workspace3"),
    "glazebook": (HERE / "queries4.jsonl", HERE / "workspace4"),
    "tramline": (HERE / "queries5.jsonl", HERE / "workspace5"),
}
READS = (HERE / "reads.jsonl", HERE / "workspace6")
# The workspaces' own names: a model must copy them, it cannot have learnt them.
NAMES = (
    "lanternfish", "tide", "buoys", "knots", "soundings", "seamarks", "harbour", "to_knots",
    "orrery", "gravity", "clockwork", "comets", "escape_speed", "teaching",
    "apiary", "harvest", "queens", "hives", "inspection", "syrup", "needs_space",
    "glazebook", "kilns", "celadon", "cone_temperature", "bisque_ramp", "glaze_ramp",
    "tramline", "ridership", "depots", "headway_minutes", "stop_index", "fare_for_zones",
    "Quayside", "Millbrook", "saltmarsh", "godwits", "curlew",
)  # fmt: skip


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w/.]+", " ", text.casefold()).split())


@pytest.mark.parametrize("name", SETS)
def test_a_held_out_set_has_at_least_sixteen_queries_of_both_kinds(name: str):
    queries = load_queries(SETS[name][0])
    assert len(queries) >= 16
    assert {q.kind for q in queries} == {"tool", "direct"}


def test_no_training_template_produces_a_held_out_query():
    planned = {_normal(d.user) for seed in range(3) for d in plan_tool_drafts(seed, 2000)}
    planned |= {_normal(e.user) for seed in range(3) for e in plan_direct_examples(seed, 600)}
    held_out = {_normal(q.query) for queries, _ in SETS.values() for q in load_queries(queries)}
    assert not held_out & planned


def test_no_training_template_or_fixture_uses_the_held_out_workspaces_names():
    words = set()
    for seed in range(2000):
        for path, text in make_fixture(seed).files.items():
            words |= set(re.findall(r"\w+", path + " " + text))
    templates = " ".join(p for intent in INTENTS for p in intent.phrasings)
    templates += " ".join(p for question in QUESTIONS for p in question.phrasings)
    for name in NAMES:
        assert name not in words, name
        assert name not in templates, name


# The goal is 90 % on every set; the committed model does not reach it (docs/training.md,
# "Current figures"). These are the passes it reached when committed, so a change that
# loses them fails here; raise them with a better model. SLACK: on another CPU the BLAS
# rounds differently, and a near-tie in greedy decoding can flip one answer.
PASSES = {"lanternfish": 19, "orrery": 18, "apiary": 18, "glazebook": 14, "tramline": 17}
# Of the seven requests to show a text file, the committed model reads five (the one
# before it, trained with no text files to read, wrote six of them).
READ_PASSES = 5
SLACK = 1
GOAL = 0.9


@pytest.fixture(scope="module")
def held_out_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``punie eval --json`` on every held-out set at once: one server, one model load."""
    arguments = ["eval", "--json"]
    for queries, workspace in [*SETS.values(), READS]:
        arguments += ["--queries", str(queries), "--workspace", str(workspace)]
    done = punie(*arguments, cwd=tmp_path_factory.mktemp("heldout"), timeout=1800)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _scored(report: dict, queries: Path) -> tuple[dict, dict[str, str]]:
    """The score of ``queries``'s suite in ``report`` and why each of its misses failed."""
    ids = {query.id for query in load_queries(queries)}
    failures = {r["id"]: r["why"] for r in report["results"] if r["id"] in ids and not r["passed"]}
    return report["suites"][queries.stem], failures


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_the_embedded_model_keeps_its_score_on_a_held_out_set(name: str, held_out_report: dict):
    queries, _ = SETS[name]
    suite, failures = _scored(held_out_report, queries)
    print(f"held-out {name}: {suite['passed']}/{suite['total']} (goal {GOAL:.0%})", failures)
    assert suite["passed"] >= PASSES[name] - SLACK, failures


@pytest.mark.slow
def test_the_embedded_model_reads_a_text_file_it_is_asked_to_show(held_out_report: dict):
    suite, failures = _scored(held_out_report, READS[0])
    print(f"reads: {suite['passed']}/{suite['total']}", failures)
    assert suite["passed"] >= READ_PASSES - SLACK, failures
