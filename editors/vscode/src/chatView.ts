/**
 * The Punie chat view: a webview in its own activity-bar container that sends
 * `punie/chat` requests, streams their partial results into the view, stops them
 * with `$/cancelRequest` and starts over with `punie/reset`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { type LanguageClient, ProgressType, WorkDoneProgress } from "vscode-languageclient/node";
import { type HostMessage, parseWebviewMessage } from "./messages";
import { CHAT, type ChatParams, type ChatResult, parseChatProgress, RESET } from "./protocol";

export const VIEW_ID = "punie.chat";

const CHAT_PROGRESS = new ProgressType<unknown>();

/** Builds the view's HTML: strict CSP with a nonce, only local resources. */
export function chatHtml(cspSource: string, scriptUri: string, styleUri: string, nonce: string): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>Punie</title>
</head>
<body>
<main id="log" class="log" role="log" aria-live="polite"></main>
<form id="composer" class="composer" onsubmit="return false">
  <textarea id="input" rows="3" placeholder="Ask Punie… (Enter to send, Shift+Enter for a new line)" aria-label="Message"></textarea>
  <div class="buttons">
    <button id="new-session" type="button" class="secondary" title="Forget this conversation">New Session</button>
    <button id="stop" type="button" class="secondary" title="Stop the running answer">Stop</button>
    <button id="send" type="button" title="Send">Send</button>
  </div>
</form>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}

export class ChatViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private sessionId: string | undefined;
  private running: vscode.CancellationTokenSource | undefined;
  private readonly queued: HostMessage[] = [];
  private ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    /** The running client, once any (re)start in progress has finished. */
    private readonly client: () => Promise<LanguageClient | undefined>,
    private readonly output: vscode.OutputChannel,
    /** Called when a turn starts and when it ends (the status bar refreshes then). */
    private readonly onTurn: () => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, "dist");
    const media = vscode.Uri.joinPath(this.extensionUri, "media");
    view.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    view.webview.html = chatHtml(
      view.webview.cspSource,
      view.webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js")).toString(),
      view.webview.asWebviewUri(vscode.Uri.joinPath(media, "chat.css")).toString(),
      randomBytes(16).toString("base64"),
    );
    view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
  }

  /** Shows the view and asks a question in it (used by `Punie: Ask About Selection`). */
  async ask(text: string): Promise<void> {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    await this.chat(text);
  }

  /** Forgets the conversation here and on the server. */
  async newSession(): Promise<void> {
    this.running?.cancel();
    const sessionId = this.sessionId;
    this.sessionId = undefined;
    this.post({ type: "cleared" });
    const client = await this.client();
    if (sessionId !== undefined && client?.isRunning()) {
      try {
        await client.sendRequest(RESET, { sessionId });
      } catch (error) {
        this.output.appendLine(`punie/reset failed: ${String(error)}`);
      }
    }
  }

  /** The server restarted: its sessions are gone. */
  forgetSession(): void {
    this.sessionId = undefined;
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (message === undefined) {
      this.output.appendLine(`chat view: ignored malformed message ${JSON.stringify(raw)}`);
      return;
    }
    switch (message.type) {
      case "ready":
        this.ready = true;
        this.queued.splice(0).forEach((queued) => this.post(queued));
        break;
      case "ask":
        void this.chat(message.text);
        break;
      case "stop":
        this.running?.cancel();
        break;
      case "newSession":
        void this.newSession();
        break;
      case "openLink":
        void vscode.env.openExternal(vscode.Uri.parse(message.href));
        break;
    }
  }

  private post(message: HostMessage): void {
    if (this.view !== undefined && this.ready) {
      void this.view.webview.postMessage(message);
    } else {
      this.queued.push(message);
    }
  }

  private async chat(text: string): Promise<void> {
    if (this.running !== undefined) {
      void vscode.window.showInformationMessage("Punie is still answering; press Stop first.");
      return;
    }
    const running = new vscode.CancellationTokenSource();
    this.running = running;
    this.post({ type: "user", text });
    this.post({ type: "turnStart" });
    const subscriptions: vscode.Disposable[] = [];
    try {
      const client = await this.client();
      if (client === undefined || !client.isRunning()) {
        this.post({
          type: "turnFailed",
          message: "The Punie server is not running. Run “Punie: Restart Server” or see the Punie output.",
        });
        return;
      }
      const token = randomUUID();
      subscriptions.push(
        client.onProgress(CHAT_PROGRESS, token, (value: unknown) => {
          const parsed = parseChatProgress(value);
          if (parsed !== undefined) {
            this.post({ type: "progress", progress: parsed });
          }
        }),
      );
      const workToken = randomUUID();
      // "Thinking…", "Running code…": shown in the turn while it runs.
      subscriptions.push(
        client.onProgress(WorkDoneProgress.type, workToken, (value) => {
          const activity =
            value.kind === "begin"
              ? (value.message ?? value.title)
              : value.kind === "report"
                ? value.message
                : "";
          if (activity !== undefined) {
            this.post({ type: "activity", text: activity });
          }
        }),
      );
      this.onTurn();
      const params: ChatParams = { message: text, partialResultToken: token, workDoneToken: workToken };
      if (this.sessionId !== undefined) {
        params.sessionId = this.sessionId;
      }
      const result = await client.sendRequest<ChatResult>(CHAT, params, running.token);
      this.sessionId = result.sessionId;
      this.post({ type: "turnEnd", result });
    } catch (error) {
      if (running.token.isCancellationRequested) {
        this.post({ type: "turnStopped" });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.output.appendLine(`punie/chat failed: ${message}`);
        this.post({ type: "turnFailed", message: `Punie could not answer: ${message}` });
      }
    } finally {
      subscriptions.forEach((subscription) => subscription.dispose());
      running.dispose();
      this.running = undefined;
      this.onTurn();
    }
  }
}
