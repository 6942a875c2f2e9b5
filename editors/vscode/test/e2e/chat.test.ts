/**
 * End to end: the packaged extension in code-server, driven in headless Chromium,
 * talking to the real `punie serve` with the embedded model.
 *
 * One code-server and one browser page serve the whole file; the tests run in order
 * and each leaves the workbench usable for the next.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Browser, FrameLocator, Locator, Page } from "playwright-core";
import { type CodeServer, EXTENSION_DIR, REPO, startCodeServer } from "./codeServer";
import { FIXTURE_FILES } from "./fixture";
import {
  activeEditorText,
  applyPreview,
  ask,
  discardPreview,
  launchBrowser,
  openFile,
  openPunieView,
  newSession,
  openWorkbench,
  refactorPreview,
  runCommand,
  setUserSettings,
  widenSideBar,
  saveScreenshot,
  turnEnded,
} from "./workbench";

const VSIX = path.join(
  EXTENSION_DIR,
  `punie-${JSON.parse(readFileSync(path.join(EXTENSION_DIR, "package.json"), "utf8")).version}.vsix`,
);
/** The screenshot the READMEs show (repository docs and the extension's own page). */
const SCREENSHOTS = [
  path.join(REPO, "docs", "images", "vscode-chat.png"),
  path.join(EXTENSION_DIR, "media", "vscode-chat.png"),
];

let server: CodeServer;
let browser: Browser;
let page: Page;
let chat: FrameLocator;

/** Runs one test body; on failure saves a screenshot named after the test. */
async function withScreenshot(t: TestContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const file = await saveScreenshot(page, t.name).catch(() => "(screenshot failed)");
    t.diagnostic(`screenshot: ${file}; code-server log: ${server.logFile}`);
    throw error;
  }
}

const SETTINGS: Record<string, unknown> = {
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "files.autoSave": "off",
  "punie.server.command": path.join(REPO, ".venv", "bin", "punie"),
  "punie.server.args": ["serve"],
  // Nothing runs unasked, so the consent prompt is exercised.
  "punie.commands.autoAllow": [],
};

/** The code, output or error of a turn's steps (present even while the blocks are collapsed). */
async function stepText(turn: Locator, part: "code" | "stdout" | "error"): Promise<string> {
  return (await turn.locator(`.step-${part}`).allTextContents()).join("\n");
}

const WRITE_NOTES = 'Write "done" to notes.txt';
const MARKUP_REPLY = "Plain words";

/** Restarts the server on a model that answers `script` to everything (tests/scripted_model.py). */
async function serveScriptedModel(script: string): Promise<void> {
  // In code-server's home, which stop() removes.
  const model = mkdtempSync(path.join(path.dirname(server.workspace), "scripted-model-"));
  execFileSync(path.join(REPO, ".venv", "bin", "python"), ["-m", "tests.scripted_model", model, script], {
    cwd: REPO,
    stdio: "pipe",
  });
  await setUserSettings(page, { ...SETTINGS, "punie.server.args": ["serve", "--model", model] });
  await newSession(chat);
}

/** The lines of the active editor. */
function editorLines(): Locator {
  return page.locator(".editor-group-container.active .monaco-editor .view-lines");
}

/** Types `text` at the end of the active editor, as pasted (unsaved). */
async function typeAtEnd(text: string): Promise<void> {
  await editorLines().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(text);
}

/** A toast asking to run a command, by the command's name. */
function consentPrompt(command: string): Locator {
  return page
    .locator(".notifications-toasts .notification-toast")
    .filter({ hasText: new RegExp(`run \`${command}`, "i") });
}

describe("Punie in VS Code (code-server)", { timeout: 600_000 }, () => {
  before(async () => {
    server = await startCodeServer({ files: FIXTURE_FILES, vsix: VSIX, settings: SETTINGS });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await openWorkbench(page, server.url, server.workspace);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("opens the Punie chat view from the activity bar", async (t) => {
    await withScreenshot(t, async () => {
      chat = await openPunieView(page);
      await widenSideBar(page, 520);
      await openFile(page, "README.md");
      assert.equal(await chat.locator("#send").isVisible(), true);
    });
  });

  it("streams the answer to a question and shows the step it ran", async (t) => {
    await withScreenshot(t, async () => {
      const turn = await ask(chat, "Read README.md and tell me the project name");
      assert.equal(await turnEnded(turn), "done");
      assert.equal(await turn.getAttribute("data-streamed"), "true");
      assert.notEqual((await turn.locator(".reply").innerText()).trim(), "");
      assert.match(await stepText(turn, "code"), /read_file\("README\.md"\)/);
      assert.match(await stepText(turn, "stdout"), /lantern/);
      assert.match(await turn.locator(".usage").innerText(), /tok\/s/);
      await turn.locator("details.step summary").first().click();
      if (process.env.PUNIE_UPDATE_SCREENSHOT === "1") {
        for (const file of SCREENSHOTS) {
          await page.screenshot({ path: file });
        }
      }
    });
  });

  it("says in the status bar that the model is ready", async (t) => {
    await withScreenshot(t, async () => {
      await page
        .locator(".part.statusbar")
        .getByText(/Punie: ready/)
        .waitFor({ timeout: 30_000 });
    });
  });

  it("previews a write to an open, modified text file; Discard changes nothing and the snippet sees PermissionError", async (t) => {
    await withScreenshot(t, async () => {
      await openFile(page, "notes.txt");
      await newSession(chat);
      await typeAtEnd("an unsaved line\n");
      const turn = await ask(chat, WRITE_NOTES);
      await discardPreview(await refactorPreview(page, "notes.txt"));
      await turnEnded(turn);
      assert.match(await stepText(turn, "error"), /PermissionError: .*edit refused by editor/);
      assert.equal(await activeEditorText(page), "todo\nan unsaved line\n");
      assert.equal(readFileSync(path.join(server.workspace, "notes.txt"), "utf8"), "todo\n");
    });
  });

  it("refuses a previewed write as stale when the file changed meanwhile, keeping the typing", async (t) => {
    await withScreenshot(t, async () => {
      await newSession(chat);
      const turn = await ask(chat, WRITE_NOTES);
      const preview = await refactorPreview(page, "notes.txt");
      await typeAtEnd("typed during the preview");
      await applyPreview(preview);
      // VS Code says why in a dialog; the edit is not applied.
      const dialog = page.locator(".monaco-dialog-box").filter({ hasText: /has changed in the meantime/ });
      await dialog.getByRole("button", { name: "OK" }).click();
      await turnEnded(turn);
      assert.match(await stepText(turn, "error"), /PermissionError: .*edit refused by editor/);
      assert.equal(await activeEditorText(page), "todo\nan unsaved line\ntyped during the preview");
    });
  });

  it("applies a previewed write to the open, modified editor as exactly the written, unsaved, undoable text", async (t) => {
    await withScreenshot(t, async () => {
      await newSession(chat);
      const turn = await ask(chat, WRITE_NOTES);
      await applyPreview(await refactorPreview(page, "notes.txt"));
      assert.equal(await turnEnded(turn), "done");
      // What the snippet wrote is what the editor now holds, nothing more.
      assert.match(await stepText(turn, "code"), /write_file\("notes\.txt", "done\\n"\)/);
      await page.locator('.tabs-container .tab.dirty[data-resource-name="notes.txt"]').waitFor();
      assert.equal(await activeEditorText(page), "done\n");
      assert.equal(readFileSync(path.join(server.workspace, "notes.txt"), "utf8"), "todo\n");
      await editorLines().click();
      await page.keyboard.press("Control+Z");
      await editorLines().getByText("typed during the preview").waitFor();
      // Leave the file as saved for the tests that follow.
      await runCommand(page, "File: Revert File");
      await page
        .locator('.tabs-container .tab.dirty[data-resource-name="notes.txt"]')
        .waitFor({ state: "detached" });
    });
  });

  it("opens a file that was not open once a previewed write to it lands", async (t) => {
    await withScreenshot(t, async () => {
      await runCommand(page, "View: Close Editor");
      const tab = page.locator('.tabs-container .tab[data-resource-name="notes.txt"]');
      await tab.waitFor({ state: "detached" });
      await newSession(chat);
      const turn = await ask(chat, WRITE_NOTES);
      await applyPreview(await refactorPreview(page, "notes.txt"));
      assert.equal(await turnEnded(turn), "done");
      await page.locator('.tabs-container .tab.dirty[data-resource-name="notes.txt"]').waitFor();
      await runCommand(page, "File: Revert File");
      await page
        .locator('.tabs-container .tab.dirty[data-resource-name="notes.txt"]')
        .waitFor({ state: "detached" });
    });
  });

  it("shows ty's errors in the Problems panel after the model typechecks", async (t) => {
    await withScreenshot(t, async () => {
      await runCommand(page, "View: Focus Problems (Errors, Warnings, Infos)");
      await page.locator(".markers-panel").getByText("No problems have been detected").waitFor();
      await newSession(chat);
      // The phrasing is the typecheck intent's plainest; "Run ty on ." is one the embedded
      // model answers with `run_command` (docs/training.md, "Current figures").
      const turn = await ask(chat, "Typecheck .");
      assert.equal(await turnEnded(turn), "done");
      assert.match(await stepText(turn, "code"), /typecheck\(/);
      await runCommand(page, "View: Focus Problems (Errors, Warnings, Infos)");
      const problems = page.locator(".markers-panel");
      await problems
        .getByText(/Return type does not match/)
        .first()
        .waitFor({ timeout: 30_000 });
      const shown = await problems.innerText();
      assert.match(shown, /labels\.py/);
      assert.match(shown, /^ty\ninvalid-/m); // source and rule
      assert.doesNotMatch(shown, /__init__\.py|test_labels\.py/);
    });
  });

  it("typechecks a Python file when it is saved", async (t) => {
    await withScreenshot(t, async () => {
      const broken = FIXTURE_FILES["lantern/labels.py"];
      const problems = page.locator(".markers-panel");
      await openFile(page, "lantern/labels.py");
      const editor = page.locator(".editor-group-container.active .monaco-editor .view-lines");
      const replaceAndSave = async (text: string) => {
        await editor.click();
        await page.keyboard.press("Control+A");
        await page.keyboard.insertText(text);
        await page.keyboard.press("Control+S");
      };
      await replaceAndSave(broken.replace("return str(value)", "return value"));
      await problems.getByText("No problems have been detected").waitFor({ timeout: 60_000 });
      await replaceAndSave(broken);
      await problems
        .getByText(/Return type does not match/)
        .first()
        .waitFor({ timeout: 60_000 });
    });
  });

  it("asks consent for a command with VS Code's own prompt", async (t) => {
    await withScreenshot(t, async () => {
      await newSession(chat);
      const turn = await ask(chat, "Run ls on tests");
      await consentPrompt("ls").waitFor({ timeout: 120_000 });
      await consentPrompt("ls").getByRole("button", { name: "Allow" }).click();
      assert.equal(await turnEnded(turn), "done");
      assert.match(await stepText(turn, "stdout"), /test_labels\.py/);
    });
  });

  it("stops a running turn and answers the next question", async (t) => {
    await withScreenshot(t, async () => {
      await newSession(chat);
      // The snippet runs `find`, which waits for consent: the turn is surely still running.
      const stopped = await ask(chat, "Find all Python files and count their lines");
      const prompt = consentPrompt("find");
      await prompt.waitFor({ timeout: 120_000 });
      await chat.locator("#stop").click();
      assert.equal(await turnEnded(stopped, 60_000), "stopped");
      await prompt.getByRole("button", { name: "Deny" }).click();
      const next = await ask(chat, "Read README.md and tell me the project name");
      assert.equal(await turnEnded(next), "done");
      assert.match(await stepText(next, "stdout"), /lantern/);
    });
  });

  it("asks about the selected code with its file and lines", async (t) => {
    await withScreenshot(t, async () => {
      await newSession(chat);
      await openFile(page, "lantern/labels.py");
      await page.locator(".editor-group-container.active .monaco-editor .view-lines").click();
      await page.keyboard.press("Control+A");
      await runCommand(page, "Punie: Ask About Selection");
      const question = page.locator(".quick-input-widget input");
      await question.waitFor();
      await question.fill("Does this pass the type checker?");
      await page.keyboard.press("Enter");
      const sent = chat.locator(".message.user").last();
      await sent.waitFor();
      assert.match(await sent.innerText(), /In lantern\/labels\.py, lines 1-\d+:\n```python\ndef label_item/);
      assert.notEqual(await turnEnded(chat.locator(".message.assistant").last()), "streaming");
    });
  });

  it("never shows markup in a reply", async (t) => {
    await withScreenshot(t, async () => {
      await serveScriptedModel(
        `${MARKUP_REPLY}<|endoftext|></tool_response></parameter></function></tool_call>`,
      );
      const turn = await ask(chat, "hello");
      assert.equal(await turnEnded(turn), "done");
      assert.equal((await turn.locator(".reply").innerText()).trim(), MARKUP_REPLY);
      assert.doesNotMatch(
        await turn.innerText(),
        /<\||\|>|tool_call|<\/parameter>|<\/function>|tool_response/,
      );
    });
  });

  it("says so when a turn ends with nothing to say", async (t) => {
    await withScreenshot(t, async () => {
      await serveScriptedModel("");
      const turn = await ask(chat, "hello");
      assert.equal(await turnEnded(turn), "done");
      assert.equal(
        (await turn.locator(".reply").innerText()).trim(),
        "The model ended its turn without a reply.",
      );
    });
  });

  it("names the command it tried, once, when the server cannot start", async (t) => {
    await withScreenshot(t, async () => {
      const missing = path.join(server.workspace, "no-such-punie");
      const toasts = page
        .locator(".notifications-toasts .notification-toast")
        .filter({ hasText: "could not start" });
      // Changing punie.server.command restarts the server with the new program.
      await setUserSettings(page, { ...SETTINGS, "punie.server.command": missing });
      await toasts.first().waitFor({ timeout: 30_000 });
      assert.match(
        await toasts.first().innerText(),
        new RegExp(`${missing} ${(SETTINGS["punie.server.args"] as string[]).join(" ")}`),
      );
      await toasts.first().getByRole("button", { name: "Open Output" }).waitFor();
      await page
        .locator(".part.statusbar")
        .getByText(/server not running/)
        .waitFor();
      assert.equal(await toasts.count(), 1);
    });
  });

  it("restarts the server on request", async (t) => {
    await withScreenshot(t, async () => {
      await setUserSettings(page, SETTINGS);
      await page
        .locator(".part.statusbar")
        .getByText(/Punie: (ready|.*loads on first question)/)
        .waitFor({ timeout: 30_000 });
      await runCommand(page, "Punie: Restart Server");
      const turn = await ask(chat, "Read README.md and tell me the project name");
      assert.equal(await turnEnded(turn), "done");
      assert.match(await stepText(turn, "stdout"), /lantern/);
    });
  });
});
