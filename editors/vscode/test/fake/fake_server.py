"""A scripted stand-in for `punie serve`, for developing the extension's tests only.

Speaks the PROTOCOL.md §3–§4 surface with canned behaviour chosen by keywords in the
message: "write" sends workspace/applyEdit, "typecheck" publishes diagnostics, "run"
asks consent with window/showMessageRequest, "slow" streams for a long time.
"""

import asyncio
import uuid

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("fake-punie", "0.0.0")
state = {"model": "unloaded", "sessions": set()}


def _attr(params, name, default=None):
    if isinstance(params, dict):
        return params.get(name, default)
    return getattr(params, name, default)


def _progress(token, value):
    server.progress(types.ProgressParams(token=token, value=value))


def _step(code, stdout, calls):
    return {"code": code, "ok": True, "stdout": stdout, "result": None, "error": None,
            "killed": None, "durationMs": 12.5, "calls": calls}


@server.feature("punie/status")
def status(params):
    return {"version": "0.0.0-fake", "model": "/models/punie-tiny", "modelState": state["model"],
            "sessions": len(state["sessions"]), "sandbox": {"backend": "bwrap", "warm": 1}}


@server.feature("punie/reset")
def reset(params):
    state["sessions"].discard(_attr(params, "sessionId"))


@server.feature("punie/chat")
async def chat(params):
    message = _attr(params, "message")
    token = _attr(params, "partialResultToken")
    session = _attr(params, "sessionId") or f"s-{uuid.uuid4().hex[:8]}"
    state["sessions"].add(session)
    state["model"] = "ready"
    root = server.workspace.root_path
    steps = []
    lower = message.lower()
    if "write" in lower:
        code = 'write_file("notes.txt", "done\\n")'
        _progress(token, {"kind": "code", "code": code})
        uri = f"file://{root}/notes.txt"
        edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=[types.TextEdit(range=types.Range(start=types.Position(0, 0),
                                                    end=types.Position(100, 0)), new_text="done\n")])])
        await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label="Punie: write notes.txt"))
        steps.append(_step(code, "wrote notes.txt\n", [{"tool": "write_file", "args": {"path": "notes.txt"}, "ok": True, "durationMs": 3.0}]))
    elif "typecheck" in lower:
        code = 'result = typecheck("lantern/labels.py")'
        uri = f"file://{root}/lantern/labels.py"
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[
            types.Diagnostic(range=types.Range(start=types.Position(1, 11), end=types.Position(1, 21)),
                             message="Return type does not match returned value", source="ty",
                             code="invalid-return-type", severity=types.DiagnosticSeverity.Error)]))
        steps.append(_step(code, "1 type errors\n", [{"tool": "typecheck", "args": {"path": "lantern/labels.py"}, "ok": True, "durationMs": 90.0}]))
    elif "run" in lower:
        code = 'print(run_command("ls", ["lantern"]))'
        answer = await server.window_show_message_request_async(types.ShowMessageRequestParams(
            type=types.MessageType.Info, message="Run `ls lantern`?",
            actions=[types.MessageActionItem("Allow"), types.MessageActionItem("Deny")]))
        out = "__init__.py\nlabels.py\n" if answer and answer.title == "Allow" else ""
        steps.append(_step(code, out, [{"tool": "run_command", "args": {"command": "ls"}, "ok": bool(out), "durationMs": 5.0}]))
    else:
        code = 'text = read_file("README.md")\nprint(text.splitlines()[0].lstrip("# "))'
        _progress(token, {"kind": "code", "code": code})
        steps.append(_step(code, "lantern\n", [{"tool": "read_file", "args": {"path": "README.md"}, "ok": True, "durationMs": 0.4}]))
    for step in steps:
        _progress(token, {"kind": "step", "step": step})
    words = ["The ", "project ", "is ", "called ", "lantern", "."]
    if "count" in lower:
        words = words * 200
    reply = ""
    for word in words:
        reply += word
        _progress(token, {"kind": "text", "delta": word})
        await asyncio.sleep(0.05)
    usage = {"promptTokens": 812, "completionTokens": 64, "cachedTokens": 780, "ttftMs": 41.0,
             "tokensPerSecond": 230.5, "totalMs": 410.2, "turns": 2}
    return {"sessionId": session, "reply": reply, "steps": steps, "usage": usage, "stopReason": "done"}


if __name__ == "__main__":
    server.start_io()
