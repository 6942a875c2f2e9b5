"""Scoring eval queries per PROTOCOL.md §7, and the report punie eval prints."""

from pathlib import Path

import pytest

from punie_sandbox.models import SnippetError
from punie_server.evaluation import (
    QueryOutcome,
    load_queries,
    load_query_files,
    percentile,
    report,
    reset_workspace,
    score,
)
from punie_server.protocol import ChatResult, Step
from punie_training.evalsuites import EVAL_WORKSPACE, EvalQuery


def tool_query(**expect: object) -> EvalQuery:
    return EvalQuery.model_validate({"id": "t", "query": "q", "kind": "tool", "expect": expect})


def direct_query(**expect: object) -> EvalQuery:
    return EvalQuery.model_validate({"id": "d", "query": "q", "kind": "direct", "expect": expect})


def step(*tools: str, error: SnippetError | None = None, killed: str | None = None) -> Step:
    return Step.model_validate(
        {
            "code": "print(1)",
            "ok": error is None and killed is None,
            "error": error,
            "killed": killed,
            "calls": [{"tool": t, "ok": True, "durationMs": 0.1} for t in tools],
        }
    )


def result(reply: str, *steps: Step, stop: str = "done") -> ChatResult:
    return ChatResult.model_validate(
        {"sessionId": "s", "reply": reply, "steps": list(steps), "stopReason": stop}
    )


def test_a_tool_query_passes_when_everything_holds(tmp_path: Path):
    query = tool_query(tools=["read_file"], replyContains=["acme"])
    assert score(query, result("The project is ACME.", step("read_file")), tmp_path) == (True, "ok")


def test_a_tool_query_fails_when_no_code_ran(tmp_path: Path):
    passed, why = score(tool_query(replyContains=["acme"]), result("acme"), tmp_path)
    assert not passed
    assert why == "no code ran"


def test_a_tool_query_fails_when_a_snippet_raised(tmp_path: Path):
    failing = step("read_file", error=SnippetError(type="NameError", message="x"))
    passed, why = score(tool_query(tools=["read_file"]), result("acme", failing), tmp_path)
    assert not passed
    assert "step 1 failed: NameError" in why


def test_a_tool_query_fails_when_a_snippet_was_killed(tmp_path: Path):
    passed, why = score(tool_query(), result("ok", step(killed="timeout")), tmp_path)
    assert not passed
    assert "killed (timeout)" in why


def test_a_tool_query_fails_when_an_expected_tool_was_not_called(tmp_path: Path):
    query = tool_query(tools=["run_command", "read_file"])
    passed, why = score(query, result("ok", step("read_file")), tmp_path)
    assert not passed
    assert "tools not called: run_command" in why


def test_tools_may_be_spread_over_several_steps(tmp_path: Path):
    query = tool_query(tools=["run_command", "read_file"])
    assert score(query, result("ok", step("run_command"), step("read_file")), tmp_path)[0]


def test_reply_matching_is_case_insensitive_and_needs_every_string(tmp_path: Path):
    query = tool_query(replyContains=["AcmeError", "ValidationError"])
    assert score(query, result("acmeerror and validationerror", step()), tmp_path)[0]
    passed, why = score(query, result("only AcmeError", step()), tmp_path)
    assert not passed
    assert "ValidationError" in why


def test_expected_files_must_exist_and_contain_the_text(tmp_path: Path):
    query = tool_query(files={"config.toml": "debug"})
    passed, why = score(query, result("done", step("write_file")), tmp_path)
    assert (passed, why) == (False, "file config.toml does not exist")
    (tmp_path / "config.toml").write_text("verbose = true\n")
    assert not score(query, result("done", step("write_file")), tmp_path)[0]
    (tmp_path / "config.toml").write_text("debug = true\n")
    assert score(query, result("done", step("write_file")), tmp_path)[0]


def test_a_direct_query_passes_without_code(tmp_path: Path):
    query = direct_query(replyContains=["depend"])
    assert score(query, result("Dependency injection is..."), tmp_path)[0]


def test_a_direct_query_fails_when_code_ran(tmp_path: Path):
    passed, why = score(direct_query(), result("x", step("read_file")), tmp_path)
    assert not passed
    assert "expected a direct answer" in why


def test_a_turn_that_ended_in_an_error_fails(tmp_path: Path):
    passed, why = score(direct_query(), result("model failed", stop="error"), tmp_path)
    assert not passed
    assert "error" in why


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.5) == 5.0
    assert percentile(values, 0.95) == 10.0
    assert percentile([], 0.5) == 0.0


def test_the_report_has_the_protocol_shape():
    outcomes = [
        QueryOutcome(id="a", suite="single", passed=True, why="ok", turns=2, total_ms=100.0),
        QueryOutcome(id="b", suite="single", passed=False, why="no", turns=1, total_ms=300.0),
        QueryOutcome(id="c", suite="multi", passed=True, why="ok", turns=2, total_ms=200.0),
    ]
    wire = report("tiny", outcomes).to_wire()
    assert wire["model"] == "tiny"
    assert wire["suites"] == {
        "single": {"passed": 1, "total": 2, "accuracy": 0.5},
        "multi": {"passed": 1, "total": 1, "accuracy": 1.0},
    }
    assert wire["results"][0] == {
        "id": "a",
        "passed": True,
        "why": "ok",
        "turns": 2,
        "totalMs": 100.0,
    }
    assert wire["latency"] == {"p50Ms": 200.0, "p95Ms": 300.0}


def test_a_query_file_is_read_line_by_line(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "x", "query": "Read README.md", "kind": "tool",'
        ' "expect": {"tools": ["read_file"]}}\n\n'
    )
    (query,) = load_queries(path)
    assert query.expect.tools == ["read_file"]


def test_a_bad_query_line_is_named(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "x", "query": "q", "kind": "tool"}\n{"id": "y"}\n')
    with pytest.raises(ValueError, match=r"q\.jsonl:2"):
        load_queries(path)


def _query_file(path: Path) -> Path:
    path.write_text('{"id": "x", "query": "q", "kind": "direct", "expect": {}}\n')
    return path


def test_several_query_files_make_suites_named_after_them(tmp_path: Path):
    files = [_query_file(tmp_path / "a.jsonl"), _query_file(tmp_path / "b.jsonl")]
    suites, sources = load_query_files(files, [])
    assert list(suites) == ["a", "b"]
    assert sources == {}


def test_one_workspace_serves_every_query_file(tmp_path: Path):
    files = [_query_file(tmp_path / "a.jsonl"), _query_file(tmp_path / "b.jsonl")]
    _, sources = load_query_files(files, [tmp_path / "ws"])
    assert sources == {"a": tmp_path / "ws", "b": tmp_path / "ws"}


def test_workspaces_pair_with_query_files_in_order(tmp_path: Path):
    files = [_query_file(tmp_path / "a.jsonl"), _query_file(tmp_path / "b.jsonl")]
    _, sources = load_query_files(files, [tmp_path / "wa", tmp_path / "wb"])
    assert sources == {"a": tmp_path / "wa", "b": tmp_path / "wb"}


def test_workspaces_that_do_not_pair_with_the_query_files_are_refused(tmp_path: Path):
    files = [_query_file(tmp_path / f"{n}.jsonl") for n in "abc"]
    with pytest.raises(ValueError, match="3 query files, 2 workspaces"):
        load_query_files(files, [tmp_path / "wa", tmp_path / "wb"])


def test_two_query_files_of_one_name_are_refused(tmp_path: Path):
    (tmp_path / "x").mkdir()
    files = [_query_file(tmp_path / "a.jsonl"), _query_file(tmp_path / "x" / "a.jsonl")]
    with pytest.raises(ValueError, match="'a'"):
        load_query_files(files, [])


def test_resetting_the_workspace_removes_what_a_query_wrote(tmp_path: Path):
    reset_workspace(tmp_path, None)
    (tmp_path / "config.toml").write_text("debug = true\n")
    (tmp_path / "acme" / "models.py").write_text("broken")
    reset_workspace(tmp_path, None)
    assert not (tmp_path / "config.toml").exists()
    assert (tmp_path / "acme" / "models.py").read_text() == EVAL_WORKSPACE["acme/models.py"]


def test_resetting_from_a_source_copies_it(tmp_path: Path):
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "m.py").write_text("x = 1\n")
    root = tmp_path / "root"
    reset_workspace(root, source)
    assert (root / "pkg" / "m.py").read_text() == "x = 1\n"
