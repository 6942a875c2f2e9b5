"""A scripted stand-in for `punie serve` used while the real server is being built."""

import asyncio
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("punie-fake", "0")
ROOT: Path = Path.cwd()
docs: dict[str, str] = {}


def step(code, stdout="", result=None, error=None, calls=()):
    return {
        "code": code,
        "ok": error is None,
        "stdout": stdout,
        "result": result,
        "error": error,
        "killed": None,
        "durationMs": 1.0,
        "calls": list(calls),
    }


@server.feature(types.INITIALIZE)
def init(ls, params):
    global ROOT
    if params.root_uri:
        ROOT = Path(params.root_uri.removeprefix("file://"))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls, params):
    docs[params.text_document.uri] = params.text_document.text


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls, params):
    for change in params.content_changes:
        docs[params.text_document.uri] = change.text


def progress(ls, token, value):
    ls.progress(types.ProgressParams(token=token, value=value))


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls, params):
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


@server.feature("punie/status")
def status(ls, params):
    return {
        "version": "0.0-fake",
        "model": "fake",
        "modelState": "ready",
        "sessions": 1,
        "sandbox": {"backend": "bwrap", "warm": 1},
    }


@server.feature("punie/reset")
def reset(ls, params):
    return None


@server.feature("punie/chat")
async def chat(ls, params):
    msg = params.message
    tok = params.partialResultToken
    steps = []
    if "README" in msg:
        code = 'text = read_file("README.md")\nprint(text)'
        progress(ls, tok, {"kind": "code", "code": code})
        text = (ROOT / "README.md").read_text()
        s = step(
            code,
            stdout=text,
            calls=[
                {"tool": "read_file", "args": {"path": "README.md"}, "ok": True, "durationMs": 0.1}
            ],
        )
        progress(ls, tok, {"kind": "step", "step": s})
        steps.append(s)
        reply = "The project is called acme."
    elif "write" in msg.lower():
        uri = (ROOT / "notes.txt").as_uri()
        old = docs.get(uri, (ROOT / "notes.txt").read_text())
        lines = old.split("\n")
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=None
                    ),
                    edits=[
                        types.TextEdit(
                            range=types.Range(
                                start=types.Position(0, 0),
                                end=types.Position(len(lines) - 1, len(lines[-1])),
                            ),
                            new_text="done\n",
                        )
                    ],
                )
            ]
        )
        r = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="Punie: write notes.txt")
        )
        code = 'write_file("notes.txt", "done\\n")'
        calls = [
            {"tool": "write_file", "args": {"path": "notes.txt"}, "ok": True, "durationMs": 0.1}
        ]
        s = (
            step(code, calls=calls)
            if r.applied
            else step(code, error={"type": "PermissionError", "message": "edit refused"})
        )
        progress(ls, tok, {"kind": "step", "step": s})
        steps.append(s)
        reply = "Wrote notes.txt."
    elif "List the files" in msg:
        code = 'print(run_command("pytest", ["-q"]))'
        progress(ls, tok, {"kind": "code", "code": code})
        r = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Info,
                message="Run `pytest -q`?",
                actions=[types.MessageActionItem("Allow"), types.MessageActionItem("Deny")],
            )
        )
        if r is not None and r.title == "Allow":
            s = step(code, stdout="1 passed\n")
        else:
            s = step(
                code,
                error={"type": "PermissionError", "message": "command refused by user: pytest -q"},
            )
        progress(ls, tok, {"kind": "step", "step": s})
        steps.append(s)
        reply = "Done."
    elif "typecheck" in msg.lower():
        uri = (ROOT / "acme" / "labels.py").as_uri()
        bad = "str(value)" in docs.get(uri, (ROOT / "acme" / "labels.py").read_text())
        diags = (
            [
                types.Diagnostic(
                    range=types.Range(start=types.Position(0, 9), end=types.Position(0, 12)),
                    message="Object of type `str` is not assignable to `int`",
                    source="ty",
                    code="invalid-assignment",
                    severity=types.DiagnosticSeverity.Error,
                )
            ]
            if bad
            else []
        )
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diags)
        )
        s = step(
            "print(typecheck())",
            stdout=f"errors={len(diags)}",
            calls=[{"tool": "typecheck", "args": {}, "ok": True, "durationMs": 0.1}],
        )
        progress(ls, tok, {"kind": "step", "step": s})
        steps.append(s)
        reply = f"{len(diags)} error(s)."
    else:
        reply = "Dependency injection means passing dependencies in. " * 4
    for word in reply.split(" "):
        progress(ls, tok, {"kind": "text", "delta": word + " "})
        await asyncio.sleep(0.2 if "slow" in msg else 0.01)
    return {
        "sessionId": "s-1",
        "reply": reply,
        "steps": steps,
        "usage": {
            "promptTokens": 10,
            "completionTokens": 5,
            "cachedTokens": 0,
            "ttftMs": 1.0,
            "tokensPerSecond": 100.0,
            "totalMs": 50.0,
            "turns": 1,
        },
        "stopReason": "done",
    }


if __name__ == "__main__":
    server.start_io()
