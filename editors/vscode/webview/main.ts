/** Entry point of the chat webview: wires the controller to VS Code's webview API. */
import DOMPurify from "dompurify";
import { ChatController } from "./chat";
import type { HostMessage, WebviewMessage } from "../src/messages";

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void };

const vscode = acquireVsCodeApi();

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) {
    throw new Error(`chat view: missing #${id}`);
  }
  return node as T;
}

const controller = new ChatController(
  document,
  DOMPurify,
  {
    log: byId("log"),
    input: byId<HTMLTextAreaElement>("input"),
    send: byId<HTMLButtonElement>("send"),
    stop: byId<HTMLButtonElement>("stop"),
    newSession: byId<HTMLButtonElement>("new-session"),
  },
  (message) => vscode.postMessage(message),
);

window.addEventListener("message", (event: MessageEvent<HostMessage>) => {
  controller.handle(event.data);
});
vscode.postMessage({ type: "ready" });
