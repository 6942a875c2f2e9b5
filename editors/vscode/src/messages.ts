/**
 * The message protocol between the chat webview and the extension host.
 *
 * Both sides are untrusted to each other in the sense that messages cross a
 * `postMessage` boundary: every incoming message is checked before it is used.
 */
import type { ChatProgress, ChatResult } from "./protocol";

/** Webview → extension. */
export type WebviewMessage =
  | { type: "ready" }
  | { type: "ask"; text: string }
  | { type: "stop" }
  | { type: "newSession" }
  | { type: "openLink"; href: string };

/** Extension → webview. */
export type HostMessage =
  | { type: "user"; text: string }
  | { type: "turnStart" }
  | { type: "progress"; progress: ChatProgress }
  | { type: "activity"; text: string }
  | { type: "turnEnd"; result: ChatResult }
  | { type: "turnStopped" }
  | { type: "turnFailed"; message: string }
  | { type: "cleared" };

/** Validates a message from the webview; returns undefined for anything malformed. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "ready":
    case "stop":
    case "newSession":
      return { type: message.type };
    case "ask":
      if (typeof message.text === "string" && message.text.trim() !== "") {
        return { type: "ask", text: message.text };
      }
      return undefined;
    case "openLink":
      if (typeof message.href === "string" && /^https?:\/\//i.test(message.href)) {
        return { type: "openLink", href: message.href };
      }
      return undefined;
    default:
      return undefined;
  }
}
