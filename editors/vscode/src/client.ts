/**
 * Starts and restarts the Punie language server with vscode-languageclient.
 *
 * Edits (`workspace/applyEdit`), command consent (`window/showMessageRequest`) and
 * ty's diagnostics are handled by vscode-languageclient itself, so they look and
 * undo like any other VS Code edit, prompt or problem. An edit the server marks as
 * needing confirmation (`punie.approval.writes: ask`) opens VS Code's Refactor Preview.
 */
import { accessSync, constants } from "node:fs";
import * as vscode from "vscode";
import {
  CloseAction,
  type ConfigurationParams,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { describeCommand, type ResolvedCommand, resolveServerCommand } from "./serverCommand";
import { serverLaunchSettings, serverSettings, type SettingsReader } from "./settings";

/** The language client, whose failures are reported once, by the extension, not per message. */
class PunieLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown): void {
    super.error(message, data, false);
  }
}

function punieSettings(): SettingsReader {
  const config = vscode.workspace.getConfiguration("punie");
  return { get: <T>(key: string, fallback: T): T => config.get<T>(key, fallback) };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `punie serve` comes from, given the current settings and workspace. */
export function currentServerCommand(): ResolvedCommand {
  const launch = serverLaunchSettings(punieSettings());
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  return resolveServerCommand(
    launch.command,
    launch.args,
    folders,
    process.env.PATH ?? "",
    isExecutable,
    vscode.workspace.isTrusted,
  );
}

/** Tells the user, once, that the server could not start, naming the command tried. */
function reportStartFailure(output: vscode.OutputChannel, command: string, reason: string): void {
  output.appendLine(`Could not start the Punie server with \`${command}\`: ${reason}`);
  void vscode.window
    .showErrorMessage(
      `Punie: could not start the language server with \`${command}\` (${reason}). ` +
        "Set “punie.server.command” or install Punie in the workspace's .venv.",
      "Open Output",
    )
    .then((choice) => {
      if (choice === "Open Output") {
        output.show(true);
      }
    });
}

/** Pushes changed `punie.*` settings (the same shape as initializationOptions) to the server. */
export function notifySettingsChanged(client: LanguageClient): Promise<void> {
  return client.sendNotification("workspace/didChangeConfiguration", {
    settings: { punie: serverSettings(punieSettings()) },
  });
}

/** Creates and starts a client; resolves to undefined (after notifying) when the server cannot start. */
export async function startClient(output: vscode.OutputChannel): Promise<LanguageClient | undefined> {
  const resolved = currentServerCommand();
  const commandLine = describeCommand(resolved);
  if (!resolved.found) {
    reportStartFailure(output, commandLine, "program not found");
    return undefined;
  }
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const serverOptions: ServerOptions = {
    command: resolved.command,
    args: resolved.args,
    transport: TransportKind.stdio,
    options: cwd === undefined ? {} : { cwd },
  };
  let crashes = 0;
  const clientOptions: LanguageClientOptions = {
    // Every file, whatever its language: the server computes each edit against the text
    // VS Code holds, so it must see every open (and possibly unsaved) document.
    documentSelector: [{ scheme: "file" }],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: serverSettings(punieSettings()),
    middleware: {
      workspace: {
        configuration: async (params: ConfigurationParams, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) =>
            item.section === "punie" ? serverSettings(punieSettings()) : answers[i],
          );
        },
      },
    },
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        crashes += 1;
        if (crashes <= 3) {
          output.appendLine(`The Punie server exited; restarting (${crashes}/3).`);
          return { action: CloseAction.Restart, handled: true };
        }
        reportStartFailure(output, commandLine, "the server exited repeatedly");
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
  };
  const client = new PunieLanguageClient("punie", "Punie", serverOptions, clientOptions);
  output.appendLine(`Starting the Punie server: ${commandLine}`);
  try {
    await client.start();
  } catch (error) {
    reportStartFailure(output, commandLine, error instanceof Error ? error.message : String(error));
    return undefined;
  }
  return client;
}
