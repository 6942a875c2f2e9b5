/**
 * The status-bar item fed by `punie/status`: model loading / ready / failed and
 * the model's name. Polls quickly while the model loads, slowly otherwise.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { STATUS, type StatusResult } from "./protocol";
import { statusDetails, statusText } from "./statusText";

const FAST_MS = 2000;
const SLOW_MS = 30000;

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: NodeJS.Timeout | undefined;
  private last: StatusResult | undefined;

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.item = vscode.window.createStatusBarItem("punie.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Punie";
    this.item.command = "punie.showStatus";
    this.render();
    this.item.show();
  }

  /** Asks the server now and schedules the next poll. */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    const client = this.client();
    if (client === undefined || !client.isRunning()) {
      this.last = undefined;
    } else {
      try {
        this.last = await client.sendRequest<StatusResult>(STATUS, {});
      } catch {
        this.last = undefined;
      }
    }
    this.render();
    // Poll fast only while the model loads; a question starting or ending also refreshes.
    const loading = this.last?.modelState === "loading";
    this.timer = setTimeout(() => void this.refresh(), loading ? FAST_MS : SLOW_MS);
  }

  /** Shows the details of the last status. */
  async showDetails(output: vscode.OutputChannel): Promise<void> {
    await this.refresh();
    const choice = await vscode.window.showInformationMessage(statusDetails(this.last), "Open Output");
    if (choice === "Open Output") {
      output.show(true);
    }
  }

  private render(): void {
    this.item.text = statusText(this.last);
    this.item.tooltip = statusDetails(this.last);
    this.item.backgroundColor =
      this.last?.modelState === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }
}
