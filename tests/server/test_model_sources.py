"""``--model`` as users give it, through ``punie ask`` and the real server: a GGUF file of
their own, the GGUF files Punie cannot use (each refused with the reason), and the
embedded default answering from a file of a project it never saw."""

import json
from pathlib import Path

import pytest

from tests.gguf_files import PLAIN_TEMPLATE, write_llama_gguf
from tests.server.test_cli_clients import punie


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GGUF conversions of these throw-away files stay out of the user's cache.
    monkeypatch.setenv("PUNIE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "README.md").write_text("# quillwort\n\nQuillwort keeps a diary of pond plants.\n")
    return root


def test_a_gguf_file_of_ones_own_loads_and_answers(project: Path, tmp_path: Path):
    write_llama_gguf(tmp_path / "mine.gguf")
    done = punie("ask", "hello", "--json", "--model", str(tmp_path / "mine.gguf"), cwd=project)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["usage"]["completionTokens"] > 0


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda path: write_llama_gguf(path, chat_template=PLAIN_TEMPLATE), "cannot call tools"),
        (lambda path: write_llama_gguf(path, architecture="gpt2"), "'gpt2' is not supported"),
        (
            lambda path: path.write_bytes(write_and_cut(path)),
            "truncated or corrupt",
        ),
    ],
    ids=["template-without-tools", "unsupported-architecture", "truncated"],
)
def test_a_gguf_file_punie_cannot_use_is_refused_with_the_reason(
    make, reason: str, project: Path, tmp_path: Path
):
    model = tmp_path / "bad.gguf"
    make(model)
    done = punie("ask", "hello", "--model", str(model), cwd=project)
    assert done.returncode == 1
    assert reason in done.stderr


def write_and_cut(path: Path) -> bytes:
    """A GGUF file's first two thirds, as an interrupted download leaves it."""
    write_llama_gguf(path)
    data = path.read_bytes()
    return data[: len(data) * 2 // 3]


INKPOT = '''"""Ink levels for fountain pens."""


def refill(level: int, amount: int) -> int:
    return min(level + amount, 100)


def is_dry(level: int) -> bool:
    return level <= 0
'''


def test_ask_answers_from_a_named_module_of_a_project_it_never_saw(project: Path):
    (project / "quillwort").mkdir()
    (project / "quillwort" / "inkpot.py").write_text(INKPOT)
    done = punie("ask", "Read quillwort/inkpot.py and tell me what it does", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [call["tool"] for call in result["steps"][0]["calls"]] == ["read_file"]
    assert result["steps"][0]["calls"][0]["args"]["path"] == "quillwort/inkpot.py"
    for fact in ("refill", "is_dry", "Ink levels for fountain pens"):
        assert fact in result["reply"]
