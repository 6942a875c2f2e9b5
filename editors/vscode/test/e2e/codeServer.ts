/**
 * Runs a private code-server (VS Code in the browser) on a copy of a fixture
 * workspace, with the packaged Punie extension installed and its own user data.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** The repository root (this file runs from editors/vscode/dist-test/e2e). */
export const REPO = path.resolve(__dirname, "../../../..");
export const EXTENSION_DIR = path.join(REPO, "editors", "vscode");
export const RESULTS_DIR = path.join(REPO, "test-results", "vscode");

export interface CodeServer {
  url: string;
  workspace: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Workspace files, path → text. */
  files: Record<string, string>;
  vsix: string;
  settings: Record<string, unknown>;
}

function codeServerBinary(): string {
  const configured = process.env.PUNIE_CODE_SERVER;
  if (configured === undefined || configured === "") {
    throw new Error("PUNIE_CODE_SERVER is not set; run scripts/vscode-e2e-deps and use its output");
  }
  return configured;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode} before it was ready`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/** Starts code-server on a fresh workspace holding `files`, with the extension installed. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const binary = codeServerBinary();
  const home = mkdtempSync(path.join(tmpdir(), "punie-vscode-e2e-"));
  const workspace = path.join(home, "workspace");
  for (const [relative, text] of Object.entries(options.files)) {
    mkdirSync(path.dirname(path.join(workspace, relative)), { recursive: true });
    writeFileSync(path.join(workspace, relative), text);
  }
  const userData = path.join(home, "user-data");
  const extensions = path.join(home, "extensions");
  mkdirSync(path.join(userData, "User"), { recursive: true });
  writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify(options.settings, null, 2));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_DATA_HOME: path.join(home, "data"),
    XDG_CACHE_HOME: path.join(home, "cache"),
  };
  const dirs = ["--user-data-dir", userData, "--extensions-dir", extensions];
  execFileSync(binary, [...dirs, "--install-extension", options.vsix], { env, stdio: "pipe" });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, "code-server.log");
  const log = createWriteStream(logFile);
  const child = spawn(
    binary,
    [
      ...dirs,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      workspace,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitForHealth(url, child, 60_000);
  return {
    url,
    workspace,
    logFile,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        // The whole group: code-server, its extension host and the language server it started.
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 5000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Exited cleanly.
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
