/**
 * Drives VS Code's workbench and the Punie chat webview through Playwright, by what
 * a user sees: the activity bar, the chat view, editors, the Problems panel, toasts.
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { type Browser, type FrameLocator, type Locator, type Page, chromium } from "playwright-core";
import { RESULTS_DIR } from "./codeServer";

export const CHROMIUM = process.env.PUNIE_CHROMIUM ?? "/usr/bin/chromium";

/** Launches Debian's Chromium headless; Playwright gives every launch a fresh temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens the workbench and waits until it is interactive. */
export async function openWorkbench(page: Page, url: string, workspace: string): Promise<void> {
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench .part.activitybar").waitFor({ timeout: 90_000 });
  await page.locator(".monaco-workbench .part.statusbar").waitFor();
}

/** Clicks the Punie icon in the activity bar and returns the chat webview's frame. */
export async function openPunieView(page: Page): Promise<FrameLocator> {
  await page.locator('.part.activitybar [aria-label^="Punie"]').first().click();
  const chat = page
    .frameLocator('iframe.webview.ready[src*="extensionId=punie.punie"]')
    .frameLocator("iframe#active-frame");
  await chat.locator("#input").waitFor({ timeout: 60_000 });
  return chat;
}

/** Drags the side bar's edge so the chat view is `width` pixels wide. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const sideBar = await page.locator(".part.sidebar").boundingBox();
  if (sideBar === null) {
    return;
  }
  const edge = sideBar.x + sideBar.width;
  const middle = sideBar.y + sideBar.height / 2;
  await page.mouse.move(edge - 1, middle);
  await page.mouse.down();
  await page.mouse.move(sideBar.x + width, middle, { steps: 5 });
  await page.mouse.up();
}

/** Starts a new conversation with the chat view's New Session button (`punie/reset`). */
export async function newSession(chat: FrameLocator): Promise<void> {
  await chat.locator("#new-session").click();
  await chat.locator(".message").first().waitFor({ state: "detached" });
}

/** Sends a question from the chat view's input box. */
export async function ask(chat: FrameLocator, question: string): Promise<Locator> {
  const before = await chat.locator(".message.assistant").count();
  await chat.locator("#input").fill(question);
  await chat.locator("#send").click();
  const turn = chat.locator(".message.assistant").nth(before);
  await turn.waitFor();
  return turn;
}

/** Waits until a turn has finished (any end state) and returns that state. */
export async function turnEnded(turn: Locator, timeoutMs = 120_000): Promise<string> {
  await turn.locator("xpath=self::*[@data-state!='streaming']").waitFor({ timeout: timeoutMs });
  return (await turn.getAttribute("data-state")) ?? "";
}

/** Opens Quick Open from the title bar's command center (works wherever the focus is). */
async function quickOpen(page: Page): Promise<Locator> {
  await page.locator(".command-center .command-center-center").click();
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  return input;
}

/** Opens a workspace file in an editor with Quick Open. Quick Open is retried (after
 * Escape) when it does not come up editable: a keystroke can land while the focus is
 * still moving between the chat webview and the workbench. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = path.basename(relativePath);
  const tab = page.locator(`.tabs-container .tab[data-resource-name="${name}"]`);
  for (let attempt = 1; ; attempt++) {
    try {
      await page
        .locator(".part.editor")
        .click({ position: { x: 5, y: 5 } })
        .catch(() => undefined);
      await page.keyboard.press("Control+P");
      const input = page.locator(".quick-input-widget input");
      await input.fill(relativePath, { timeout: 10_000 });
      // Wait for the search to find this very file; the list first shows recent files.
      await page
        .locator(".quick-input-list .monaco-list-row")
        .filter({ hasText: new RegExp(`^${name.replace(/\./g, "\\.")}`) })
        .first()
        .click({ timeout: 20_000 });
      await tab.waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3) {
        throw error;
      }
      await page.keyboard.press("Escape");
    }
  }
}

/** VS Code's Refactor Preview, once it shows an edit of `file`. */
export async function refactorPreview(page: Page, file: string, timeoutMs = 120_000): Promise<Locator> {
  const panel = page.locator(".bulk-edit-panel");
  await panel.getByText(file).first().waitFor({ timeout: timeoutMs });
  return panel;
}

/** Applies the previewed edit: its changes need confirmation, so they start unchecked. */
export async function applyPreview(panel: Locator): Promise<void> {
  await panel.locator(".edit-checkbox").first().check();
  await previewButton(panel, "Apply").click();
}

/** Discards the previewed edit. */
export async function discardPreview(panel: Locator): Promise<void> {
  await previewButton(panel, "Discard").click();
}

function previewButton(panel: Locator, name: "Apply" | "Discard"): Locator {
  return panel.locator(".monaco-button", { hasText: new RegExp(`^${name}$`) }).first();
}

/** Runs a command by its title from the command palette. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = await quickOpen(page);
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row").filter({ hasText: title }).first().waitFor();
  await page.keyboard.press("Enter");
}

/** Replaces the user settings the way a user would: in settings.json, through VS Code, saved. */
export async function setUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runCommand(page, "Preferences: Open User Settings (JSON)");
  await page.locator('.tabs-container .tab.active[data-resource-name="settings.json"]').waitFor();
  const lines = page.locator(".editor-group-container.active .monaco-editor .view-lines");
  await lines.click();
  await page.keyboard.press("Control+A");
  // insertText types like a paste: no auto-closed brackets or quotes.
  await page.keyboard.insertText(JSON.stringify(settings, null, 2));
  await page.keyboard.press("Control+S");
  await page
    .locator('.tabs-container .tab.dirty[data-resource-name="settings.json"]')
    .waitFor({ state: "detached" });
  await runCommand(page, "View: Close Editor");
}

/** The text of the active editor, line by line as rendered (for a file that fits on the
 * screen): every line, empty ones too, in order, joined by `\n`. */
export async function activeEditorText(page: Page): Promise<string> {
  return page.locator(".editor-group-container.active .monaco-editor .view-lines").evaluate((lines) =>
    Array.from(lines.querySelectorAll<HTMLElement>(".view-line"))
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => (line.textContent ?? "").replace(/\u00a0/g, " "))
      .join("\n"),
  );
}

/** Saves a screenshot under test-results/vscode/ (for failures) and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
  await page.screenshot({ path: file });
  return file;
}
