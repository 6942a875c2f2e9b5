/**
 * The chat view's behaviour: applies host messages to the DOM and turns user
 * actions into webview messages. DOM and messaging are injected so tests run it in jsdom.
 */
import type { DOMPurify } from "dompurify";
import type { HostMessage, WebviewMessage } from "../src/messages";
import type { ChatResult } from "../src/protocol";
import { formatUsage, renderMarkdown, renderPendingStep, renderStep } from "./render";

/** The elements the chat view drives (see `chatHtml` in src/chatView.ts). */
export interface ChatElements {
  log: HTMLElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
  newSession: HTMLButtonElement;
}

/** One assistant turn as it streams: text segments and step blocks in arrival order. */
interface Turn {
  root: HTMLElement;
  body: HTMLElement;
  text: string;
  textNode: HTMLElement | undefined;
  activity: HTMLElement;
  pending: HTMLElement | undefined;
  steps: number;
}

export class ChatController {
  private turn: Turn | undefined;

  constructor(
    private readonly doc: Document,
    private readonly purify: DOMPurify,
    private readonly elements: ChatElements,
    private readonly post: (message: WebviewMessage) => void,
  ) {
    elements.send.addEventListener("click", () => this.submit());
    elements.stop.addEventListener("click", () => this.post({ type: "stop" }));
    elements.newSession.addEventListener("click", () => this.post({ type: "newSession" }));
    elements.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      }
    });
    elements.log.addEventListener("click", (event) => {
      const anchor = (event.target as Element | null)?.closest?.("a");
      if (anchor) {
        // Links never navigate the webview; http(s) ones open outside, through the host.
        event.preventDefault();
        this.post({ type: "openLink", href: anchor.getAttribute("href") ?? "" });
      }
    });
    this.setBusy(false);
  }

  /** Sends the input box's text as a question, unless a turn is running. */
  submit(): void {
    const text = this.elements.input.value.trim();
    if (text === "" || this.turn !== undefined) {
      return;
    }
    this.elements.input.value = "";
    this.post({ type: "ask", text });
  }

  /** Applies one message from the extension host. */
  handle(message: HostMessage): void {
    switch (message.type) {
      case "user":
        this.append(this.bubble("user", message.text));
        break;
      case "turnStart":
        this.startTurn();
        break;
      case "progress":
        this.progress(message);
        break;
      case "activity":
        this.activity(message.text);
        break;
      case "turnEnd":
        this.finish(message.result);
        break;
      case "turnStopped":
        this.endWithNote("Stopped.", "stopped");
        break;
      case "turnFailed":
        this.endWithNote(message.message, "failed");
        break;
      case "cleared":
        this.turn = undefined;
        this.elements.log.replaceChildren();
        this.setBusy(false);
        break;
    }
  }

  private bubble(role: "user" | "assistant", text?: string): HTMLElement {
    const node = this.doc.createElement("div");
    node.className = `message ${role}`;
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  private append(node: HTMLElement): void {
    this.elements.log.append(node);
    node.scrollIntoView?.({ block: "end" });
  }

  private startTurn(): void {
    const root = this.bubble("assistant");
    root.dataset.state = "streaming";
    const body = this.doc.createElement("div");
    body.className = "body";
    const activity = this.doc.createElement("div");
    activity.className = "activity";
    activity.textContent = "Thinking…";
    root.append(body, activity);
    this.turn = { root, body, activity, text: "", textNode: undefined, pending: undefined, steps: 0 };
    this.append(root);
    this.setBusy(true);
  }

  private activity(text: string): void {
    if (this.turn !== undefined) {
      this.turn.activity.textContent = text;
    }
  }

  private progress(message: Extract<HostMessage, { type: "progress" }>): void {
    const turn = this.turn;
    if (turn === undefined) {
      return;
    }
    const value = message.progress;
    if (value.kind === "text") {
      if (turn.textNode === undefined) {
        turn.textNode = this.doc.createElement("div");
        turn.textNode.className = "reply markdown";
        turn.body.append(turn.textNode);
        turn.text = "";
      }
      turn.text += value.delta;
      turn.textNode.innerHTML = renderMarkdown(turn.text, this.purify);
      turn.root.dataset.streamed = "true";
    } else if (value.kind === "code") {
      turn.pending?.remove();
      turn.pending = renderPendingStep(this.doc, value.code, turn.steps + 1);
      turn.body.append(turn.pending);
      turn.textNode = undefined;
    } else {
      turn.steps += 1;
      const block = renderStep(this.doc, value.step, turn.steps);
      if (turn.pending !== undefined) {
        turn.pending.replaceWith(block);
        turn.pending = undefined;
      } else {
        turn.body.append(block);
      }
      turn.textNode = undefined;
    }
    turn.root.scrollIntoView?.({ block: "end" });
  }

  /** Replaces the streamed turn with the authoritative result: steps, reply, usage. */
  private finish(result: ChatResult): void {
    const turn = this.turn ?? (this.startTurn(), this.turn!);
    const body = this.doc.createElement("div");
    body.className = "body";
    result.steps.forEach((step, i) => body.append(renderStep(this.doc, step, i + 1)));
    const reply = this.doc.createElement("div");
    reply.className = "reply markdown";
    reply.innerHTML = renderMarkdown(result.reply, this.purify);
    body.append(reply);
    turn.body.replaceWith(body);
    const usage = this.doc.createElement("div");
    usage.className = "usage";
    usage.textContent = formatUsage(result.usage);
    turn.root.append(usage);
    if (result.stopReason !== "done") {
      const note = this.doc.createElement("div");
      note.className = "note";
      note.textContent =
        result.stopReason === "maxTurns"
          ? "Stopped after the maximum number of turns."
          : "The model reported an error.";
      turn.root.append(note);
    }
    turn.root.dataset.state = result.stopReason;
    this.endTurn();
  }

  private endWithNote(text: string, state: string): void {
    const turn = this.turn ?? (this.startTurn(), this.turn!);
    if (turn.pending !== undefined) {
      turn.pending.classList.replace("pending", "failed");
      const summary = turn.pending.querySelector("summary");
      if (summary) {
        summary.textContent = `Step ${turn.steps + 1} · ${state}`;
      }
    }
    const note = this.doc.createElement("div");
    note.className = `note ${state}`;
    note.textContent = text;
    turn.root.append(note);
    turn.root.dataset.state = state;
    this.endTurn();
  }

  private endTurn(): void {
    this.turn?.activity.remove();
    this.turn = undefined;
    this.setBusy(false);
    this.elements.input.focus();
  }

  private setBusy(busy: boolean): void {
    this.elements.send.hidden = busy;
    this.elements.stop.hidden = !busy;
    this.elements.log.setAttribute("aria-busy", String(busy));
  }
}
