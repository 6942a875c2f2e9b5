import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWebviewMessage } from "../../src/messages";
import { parseChatProgress } from "../../src/protocol";

describe("messages from the webview", () => {
  it("accepts the known messages", () => {
    assert.deepEqual(parseWebviewMessage({ type: "ask", text: "hi" }), { type: "ask", text: "hi" });
    assert.deepEqual(parseWebviewMessage({ type: "stop", extra: 1 }), { type: "stop" });
    assert.deepEqual(parseWebviewMessage({ type: "newSession" }), { type: "newSession" });
    assert.deepEqual(parseWebviewMessage({ type: "ready" }), { type: "ready" });
  });

  it("rejects unknown types, missing fields and blank questions", () => {
    for (const bad of [
      null,
      "ask",
      42,
      {},
      { type: "eval" },
      { type: "ask" },
      { type: "ask", text: 3 },
      { type: "ask", text: "  " },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it("only lets http(s) links be opened", () => {
    assert.deepEqual(parseWebviewMessage({ type: "openLink", href: "https://a.b/c" }), {
      type: "openLink",
      href: "https://a.b/c",
    });
    for (const href of ["javascript:alert(1)", "file:///etc/passwd", "command:workbench.action.quit", ""]) {
      assert.equal(parseWebviewMessage({ type: "openLink", href }), undefined, href);
    }
  });
});

describe("chat progress values from the server", () => {
  it("accepts text, code and step values", () => {
    assert.deepEqual(parseChatProgress({ kind: "text", delta: "a" }), { kind: "text", delta: "a" });
    assert.deepEqual(parseChatProgress({ kind: "code", code: "x = 1" }), { kind: "code", code: "x = 1" });
    const step = { code: "x", stdout: "", result: null, error: null, killed: null, durationMs: 1, calls: [] };
    assert.deepEqual(parseChatProgress({ kind: "step", step }), { kind: "step", step });
  });

  it("drops anything else", () => {
    for (const bad of [
      null,
      [],
      { kind: "text" },
      { kind: "text", delta: 1 },
      { kind: "step", step: {} },
      { kind: "html", html: "<b>" },
    ]) {
      assert.equal(parseChatProgress(bad), undefined, JSON.stringify(bad));
    }
  });
});
