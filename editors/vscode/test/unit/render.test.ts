import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Step } from "../../src/protocol";
import { formatUsage, renderMarkdown, renderStep } from "../../webview/render";
import { testDom } from "./dom";

function rendered(markdown: string): HTMLElement {
  const { document, purify } = testDom();
  const node = document.createElement("div");
  node.innerHTML = renderMarkdown(markdown, purify);
  return node;
}

const step: Step = {
  code: 'print(read_file("README.md"))',
  ok: true,
  stdout: "# lantern\n",
  result: null,
  error: null,
  killed: null,
  durationMs: 3.14,
  calls: [{ tool: "read_file", args: { path: "README.md" }, ok: true, durationMs: 0.4 }],
};

describe("rendering model replies", () => {
  it("renders Markdown emphasis, code and lists", () => {
    const node = rendered("**bold** and `code`\n\n- one\n- two");
    assert.equal(node.querySelector("strong")?.textContent, "bold");
    assert.equal(node.querySelector("code")?.textContent, "code");
    assert.equal(node.querySelectorAll("li").length, 2);
  });

  it("shows an HTML image with an onerror handler as inert text", () => {
    const node = rendered("look: <img src=x onerror=alert(1)>");
    assert.equal(node.querySelector("img"), null);
    assert.equal(node.querySelector("[onerror]"), null);
    assert.match(node.textContent ?? "", /<img src=x onerror=alert\(1\)>/);
  });

  it("shows a javascript: link as text, not a link", () => {
    const node = rendered("[click me](javascript:alert(1))");
    assert.equal(node.querySelector("a"), null);
    assert.match(node.textContent ?? "", /click me/);
  });

  it("drops javascript: URLs hidden behind entities or case", () => {
    const node = rendered("[a](JaVaScRiPt:alert(1)) [b](&#106;avascript:alert(1)) [c](data:text/html,x)");
    for (const anchor of node.querySelectorAll("a")) {
      assert.doesNotMatch(anchor.getAttribute("href") ?? "", /^(javascript|data):/i);
    }
  });

  it("keeps ordinary https links", () => {
    const node = rendered("[docs](https://example.com/a)");
    assert.equal(node.querySelector("a")?.getAttribute("href"), "https://example.com/a");
  });

  it("never runs script tags in a reply", () => {
    const node = rendered("<script>alert(1)</script>\n\n```html\n<script>x</script>\n```");
    assert.equal(node.querySelector("script"), null);
    assert.match(node.querySelector("pre code")?.textContent ?? "", /<script>x<\/script>/);
  });
});

describe("rendering Code Mode steps", () => {
  it("shows code, stdout, duration and tool calls in a collapsed block", () => {
    const { document } = testDom();
    const block = renderStep(document, step, 1);
    assert.equal(block.tagName, "DETAILS");
    assert.equal((block as HTMLDetailsElement).open, false);
    assert.match(block.querySelector("summary")?.textContent ?? "", /Step 1 · ok · 3\.1 ms · read_file/);
    assert.equal(block.querySelector(".step-code code")?.textContent, step.code);
    assert.equal(block.querySelector(".step-stdout code")?.textContent, "# lantern\n");
    assert.match(block.querySelector(".step-calls")?.textContent ?? "", /read_file\(path="README\.md"\) ok/);
  });

  it("shows a snippet's error instead of its result", () => {
    const { document } = testDom();
    const failed = { ...step, error: { type: "NameError", message: "name 'x' is not defined" } };
    const block = renderStep(document, failed, 2);
    assert.ok(block.classList.contains("failed"));
    assert.equal(block.querySelector(".step-error code")?.textContent, "NameError: name 'x' is not defined");
    assert.equal(block.querySelector(".step-result"), null);
  });

  it("says why a snippet was killed", () => {
    const { document } = testDom();
    const block = renderStep(document, { ...step, killed: "timeout" }, 1);
    assert.match(block.querySelector("summary")?.textContent ?? "", /killed \(timeout\)/);
  });

  it("puts code and output in the page as text, never as HTML", () => {
    const { document } = testDom();
    const block = renderStep(
      document,
      { ...step, code: "<img src=x onerror=alert(1)>", stdout: "<b>hi</b>" },
      1,
    );
    assert.equal(block.querySelector("img"), null);
    assert.equal(block.querySelector("b"), null);
    assert.equal(block.querySelector(".step-stdout code")?.textContent, "<b>hi</b>");
  });
});

describe("the usage line", () => {
  it("shows tokens, time to first token and speed", () => {
    const line = formatUsage({
      promptTokens: 812,
      completionTokens: 64,
      cachedTokens: 780,
      ttftMs: 41,
      tokensPerSecond: 230.5,
      totalMs: 410.2,
      turns: 2,
    });
    assert.equal(
      line,
      "812 prompt + 64 completion tokens · 780 cached · TTFT 41.0 ms · 230.5 tok/s · 410.2 ms total · 2 turns",
    );
  });
});
