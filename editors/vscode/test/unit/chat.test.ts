import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WebviewMessage } from "../../src/messages";
import type { ChatResult, Step } from "../../src/protocol";
import { ChatController } from "../../webview/chat";
import { testDom } from "./dom";

const PAGE = `<!DOCTYPE html><body>
<main id="log"></main><textarea id="input"></textarea>
<button id="new-session"></button><button id="stop"></button><button id="send"></button>
</body>`;

function chatView() {
  const { window, document, purify } = testDom(PAGE);
  const posted: WebviewMessage[] = [];
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const elements = {
    log: byId<HTMLElement>("log"),
    input: byId<HTMLTextAreaElement>("input"),
    send: byId<HTMLButtonElement>("send"),
    stop: byId<HTMLButtonElement>("stop"),
    newSession: byId<HTMLButtonElement>("new-session"),
  };
  const controller = new ChatController(document, purify, elements, (m) => posted.push(m));
  return { window, document, elements, controller, posted };
}

const step: Step = {
  code: 'print(read_file("README.md"))',
  stdout: "# lantern\n",
  result: null,
  error: null,
  killed: null,
  durationMs: 2,
  calls: [],
};

const result: ChatResult = {
  sessionId: "s-1",
  reply: "The project is called **lantern**.",
  steps: [step],
  usage: {
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: 0,
    ttftMs: 20,
    tokensPerSecond: 50,
    totalMs: 120,
    turns: 2,
  },
  stopReason: "done",
};

describe("the chat webview", () => {
  it("sends the input box's text as a question and clears the box", () => {
    const view = chatView();
    view.elements.input.value = "  What is this project?  ";
    view.elements.send.click();
    assert.deepEqual(view.posted, [{ type: "ask", text: "What is this project?" }]);
    assert.equal(view.elements.input.value, "");
  });

  it("sends on Enter but not on Shift+Enter", () => {
    const view = chatView();
    view.elements.input.value = "hello";
    const key = (shiftKey: boolean) =>
      new view.window.KeyboardEvent("keydown", { key: "Enter", shiftKey, cancelable: true });
    view.elements.input.dispatchEvent(key(true));
    assert.equal(view.posted.length, 0);
    view.elements.input.dispatchEvent(key(false));
    assert.deepEqual(view.posted, [{ type: "ask", text: "hello" }]);
  });

  it("does not send an empty question", () => {
    const view = chatView();
    view.elements.input.value = "   ";
    view.elements.send.click();
    assert.equal(view.posted.length, 0);
  });

  it("shows Stop instead of Send while a turn runs, and Stop posts stop", () => {
    const view = chatView();
    assert.equal(view.elements.stop.hidden, true);
    view.controller.handle({ type: "turnStart" });
    assert.equal(view.elements.send.hidden, true);
    assert.equal(view.elements.stop.hidden, false);
    view.elements.stop.click();
    assert.deepEqual(view.posted, [{ type: "stop" }]);
  });

  it("streams text deltas into one reply rendered as Markdown", () => {
    const view = chatView();
    view.controller.handle({ type: "turnStart" });
    view.controller.handle({ type: "progress", progress: { kind: "text", delta: "It is **lan" } });
    view.controller.handle({ type: "progress", progress: { kind: "text", delta: "tern**." } });
    const turn = view.document.querySelector(".message.assistant") as HTMLElement;
    assert.equal(turn.dataset.state, "streaming");
    assert.equal(turn.dataset.streamed, "true");
    assert.equal(turn.querySelector(".reply strong")?.textContent, "lantern");
  });

  it("shows an announced snippet as running, then replaces it with its result", () => {
    const view = chatView();
    view.controller.handle({ type: "turnStart" });
    view.controller.handle({ type: "progress", progress: { kind: "code", code: step.code } });
    assert.match(view.document.querySelector("details.step.pending summary")?.textContent ?? "", /running/);
    view.controller.handle({ type: "progress", progress: { kind: "step", step } });
    assert.equal(view.document.querySelectorAll("details.step").length, 1);
    assert.equal(view.document.querySelector("details.step.pending"), null);
    assert.equal(view.document.querySelector(".step-stdout code")?.textContent, "# lantern\n");
  });

  it("shows what the server is doing until the turn ends", () => {
    const view = chatView();
    view.controller.handle({ type: "turnStart" });
    assert.equal(view.document.querySelector(".activity")?.textContent, "Thinking…");
    view.controller.handle({ type: "activity", text: "Running code…" });
    assert.equal(view.document.querySelector(".activity")?.textContent, "Running code…");
    view.controller.handle({ type: "turnEnd", result });
    assert.equal(view.document.querySelector(".activity"), null);
  });

  it("ends a turn with the final reply, its steps and the usage line", () => {
    const view = chatView();
    view.controller.handle({ type: "user", text: "name?" });
    view.controller.handle({ type: "turnStart" });
    view.controller.handle({ type: "progress", progress: { kind: "text", delta: "partial" } });
    view.controller.handle({ type: "turnEnd", result });
    const turn = view.document.querySelector(".message.assistant") as HTMLElement;
    assert.equal(turn.dataset.state, "done");
    assert.equal(turn.querySelector(".reply")?.textContent?.trim(), "The project is called lantern.");
    assert.equal(turn.querySelectorAll("details.step").length, 1);
    assert.match(turn.querySelector(".usage")?.textContent ?? "", /50\.0 tok\/s/);
    assert.equal(view.elements.send.hidden, false);
  });

  it("marks a stopped turn and its unfinished snippet, and accepts the next question", () => {
    const view = chatView();
    view.controller.handle({ type: "turnStart" });
    view.controller.handle({ type: "progress", progress: { kind: "code", code: "while True: pass" } });
    view.controller.handle({ type: "turnStopped" });
    const turn = view.document.querySelector(".message.assistant") as HTMLElement;
    assert.equal(turn.dataset.state, "stopped");
    assert.match(turn.querySelector(".note")?.textContent ?? "", /Stopped/);
    assert.match(turn.querySelector("details.step summary")?.textContent ?? "", /stopped/);
    view.elements.input.value = "next";
    view.elements.send.click();
    assert.deepEqual(view.posted, [{ type: "ask", text: "next" }]);
  });

  it("shows a failed turn's message as text", () => {
    const view = chatView();
    view.controller.handle({ type: "turnStart" });
    view.controller.handle({ type: "turnFailed", message: "<b>server</b> is not running" });
    const note = view.document.querySelector(".note.failed");
    assert.equal(note?.textContent, "<b>server</b> is not running");
    assert.equal(note?.querySelector("b"), null);
  });

  it("shows the user's own message as text, not HTML", () => {
    const view = chatView();
    view.controller.handle({ type: "user", text: "<img src=x onerror=alert(1)>" });
    assert.equal(view.document.querySelector("img"), null);
    assert.equal(view.document.querySelector(".message.user")?.textContent, "<img src=x onerror=alert(1)>");
  });

  it("empties the log for a new session and posts newSession from its button", () => {
    const view = chatView();
    view.controller.handle({ type: "user", text: "hi" });
    view.elements.newSession.click();
    assert.deepEqual(view.posted, [{ type: "newSession" }]);
    view.controller.handle({ type: "cleared" });
    assert.equal(view.elements.log.children.length, 0);
  });

  it("opens links through the extension instead of navigating the webview", () => {
    const view = chatView();
    view.controller.handle({ type: "turnStart" });
    view.controller.handle({ type: "turnEnd", result: { ...result, reply: "[docs](https://example.com)" } });
    const anchor = view.document.querySelector(".reply a") as HTMLAnchorElement;
    const click = new view.window.MouseEvent("click", { bubbles: true, cancelable: true });
    anchor.dispatchEvent(click);
    assert.equal(click.defaultPrevented, true);
    assert.deepEqual(view.posted, [{ type: "openLink", href: "https://example.com" }]);
  });
});
