/**
 * Turns chat content into DOM nodes for the webview.
 *
 * Model text is untrusted: Markdown is rendered with raw HTML disabled and the
 * result is sanitised with DOMPurify before it touches the DOM. Everything else
 * (code, stdout, errors, tool arguments) is set as text, never parsed as HTML.
 * Takes the `document` and the DOMPurify instance as arguments so node tests can
 * pass jsdom's.
 */
import MarkdownIt from "markdown-it";
import type { DOMPurify } from "dompurify";
import type { Step, ToolCall, Usage } from "../src/protocol";

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** Markdown → sanitised HTML string: no raw HTML, no script URLs, no event handlers. */
export function renderMarkdown(text: string, purify: DOMPurify): string {
  return purify.sanitize(markdown.render(text), {
    USE_PROFILES: { html: true },
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  });
}

function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className !== undefined) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Milliseconds as a short human duration. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function callSummary(call: ToolCall): string {
  const args = Object.entries(call.args)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(", ");
  const shownArgs = args.length > 120 ? `${args.slice(0, 117)}...` : args;
  return `${call.tool}(${shownArgs}) ${call.ok ? "ok" : "failed"} · ${formatDuration(call.durationMs)}`;
}

function section(doc: Document, label: string, body: string, className: string): HTMLElement {
  const wrapper = element(doc, "div", `step-section ${className}`);
  wrapper.append(element(doc, "div", "step-label", label));
  const pre = element(doc, "pre");
  pre.append(element(doc, "code", undefined, body));
  wrapper.append(pre);
  return wrapper;
}

/** A step the server announced but has not finished running. */
export function renderPendingStep(doc: Document, code: string, index: number): HTMLElement {
  const block = element(doc, "details", "step pending");
  block.open = true;
  block.append(element(doc, "summary", undefined, `Step ${index} · running…`));
  block.append(section(doc, "code", code, "step-code"));
  return block;
}

/** One executed Code Mode step as a collapsible block. */
export function renderStep(doc: Document, step: Step, index: number): HTMLElement {
  const failed = step.error !== null || step.killed !== null;
  const block = element(doc, "details", failed ? "step failed" : "step ok");
  const tools = step.calls.map((call) => call.tool).join(", ");
  const outcome = step.killed !== null ? `killed (${step.killed})` : failed ? "error" : "ok";
  block.append(
    element(
      doc,
      "summary",
      undefined,
      `Step ${index} · ${outcome} · ${formatDuration(step.durationMs)}${tools ? ` · ${tools}` : ""}`,
    ),
  );
  block.append(section(doc, "code", step.code, "step-code"));
  if (step.stdout !== "") {
    block.append(section(doc, "stdout", step.stdout, "step-stdout"));
  }
  if (step.error !== null) {
    block.append(section(doc, "error", `${step.error.type}: ${step.error.message}`, "step-error"));
  } else if (step.result !== null) {
    block.append(section(doc, "result", step.result, "step-result"));
  }
  if (step.calls.length > 0) {
    const list = element(doc, "ul", "step-calls");
    for (const call of step.calls) {
      list.append(element(doc, "li", call.ok ? "call ok" : "call failed", callSummary(call)));
    }
    const wrapper = element(doc, "div", "step-section");
    wrapper.append(element(doc, "div", "step-label", "tool calls"), list);
    block.append(wrapper);
  }
  return block;
}

/** The usage line under a finished reply: tokens, time to first token, speed. */
export function formatUsage(usage: Usage): string {
  const parts = [
    `${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens`,
    `${usage.cachedTokens} cached`,
    `TTFT ${formatDuration(usage.ttftMs)}`,
    `${usage.tokensPerSecond.toFixed(1)} tok/s`,
    `${formatDuration(usage.totalMs)} total`,
    `${usage.turns} turn${usage.turns === 1 ? "" : "s"}`,
  ];
  return parts.join(" · ");
}
