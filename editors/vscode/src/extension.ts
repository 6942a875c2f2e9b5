/**
 * Punie for VS Code: activation, commands, and the wiring between the language
 * client, the chat view and the status bar item.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { ChatViewProvider, VIEW_ID } from "./chatView";
import { notifySettingsChanged, startClient } from "./client";
import { selectionQuestion } from "./selection";
import { StatusItem } from "./status";

let client: LanguageClient | undefined;
/** The latest (re)start; restarts queue behind it so two never overlap. */
let starting: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Punie");
  const status = new StatusItem(() => client);
  const chat = new ChatViewProvider(
    context.extensionUri,
    async () => {
      await starting;
      return client;
    },
    output,
    () => void status.refresh(),
  );
  const restart = (): Promise<void> => {
    starting = starting.then(async () => {
      await stopClient();
      chat.forgetSession();
      client = await startClient(output);
      await status.refresh();
    });
    return starting;
  };
  context.subscriptions.push(
    output,
    status,
    vscode.window.registerWebviewViewProvider(VIEW_ID, chat, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.commands.registerCommand("punie.restartServer", restart),
    vscode.commands.registerCommand("punie.newSession", () => chat.newSession()),
    vscode.commands.registerCommand("punie.showStatus", () => status.showDetails(output)),
    vscode.commands.registerCommand("punie.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("punie.askAboutSelection", () => askAboutSelection(chat)),
    // Trusting the workspace may change which server runs (its .venv) and its settings.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("punie.server")) {
        // A different program or arguments only take effect in a new server.
        void restart();
      } else if (event.affectsConfiguration("punie") && client?.isRunning()) {
        void notifySettingsChanged(client);
      }
    }),
  );
  starting = startClient(output).then((started) => {
    client = started;
    return status.refresh();
  });
  await starting;
}

async function askAboutSelection(chat: ChatViewProvider): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage("Punie: select some code first.");
    return;
  }
  const question = await vscode.window.showInputBox({
    prompt: "Ask Punie about the selection",
    placeHolder: "What does this do?",
  });
  if (question === undefined || question.trim() === "") {
    return;
  }
  const { selection, document } = editor;
  await chat.ask(
    selectionQuestion(question, {
      path: vscode.workspace.asRelativePath(document.uri, false),
      languageId: document.languageId,
      startLine: selection.start.line + 1,
      endLine: selection.end.line + 1,
      text: document.getText(selection),
    }),
  );
}

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (current !== undefined) {
    try {
      await current.stop();
    } catch {
      // A server that already died cannot be stopped; starting a new one is what matters.
    }
  }
}

export function deactivate(): Promise<void> {
  return stopClient();
}
