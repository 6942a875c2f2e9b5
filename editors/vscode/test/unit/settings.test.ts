import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { resolveServerCommand } from "../../src/serverCommand";
import { selectionQuestion } from "../../src/selection";
import { serverLaunchSettings, serverSettings, type SettingsReader } from "../../src/settings";

function reader(values: Record<string, unknown>): SettingsReader {
  return { get: <T>(key: string, fallback: T): T => (key in values ? (values[key] as T) : fallback) };
}

describe("settings → initializationOptions", () => {
  it("sends the defaults and leaves the model and the allowlist to the server when unset", () => {
    assert.deepEqual(serverSettings(reader({})), {
      maxTurns: 4,
      typecheckOnSave: true,
      approval: { writes: "ask" },
    });
  });

  it("leaves the allowlist to the server when the setting is null (its declared default)", () => {
    assert.equal(serverSettings(reader({ "commands.autoAllow": null })).commands, undefined);
  });

  it("sends an empty allowlist, so every command asks first", () => {
    assert.deepEqual(serverSettings(reader({ "commands.autoAllow": [] })).commands, {
      autoAllow: [],
    });
  });

  it("maps every punie.* setting to the server's camelCase field", () => {
    const settings = serverSettings(
      reader({
        model: " /models/mine ",
        maxTurns: 7,
        "commands.autoAllow": ["ls", "pytest -q"],
        "typecheck.onSave": false,
        "approval.writes": "auto",
      }),
    );
    assert.deepEqual(settings, {
      model: "/models/mine",
      maxTurns: 7,
      commands: { autoAllow: ["ls", "pytest -q"] },
      typecheckOnSave: false,
      approval: { writes: "auto" },
    });
  });

  it("asks before writes for any value but auto (the safe default)", () => {
    assert.deepEqual(serverSettings(reader({ "approval.writes": "sometimes" })).approval, { writes: "ask" });
  });

  it("reads the server command and its arguments", () => {
    assert.deepEqual(serverLaunchSettings(reader({})), { command: "", args: ["serve"] });
    assert.deepEqual(
      serverLaunchSettings(
        reader({ "server.command": "/opt/punie", "server.args": ["serve", "--log-file", "x"] }),
      ),
      {
        command: "/opt/punie",
        args: ["serve", "--log-file", "x"],
      },
    );
  });
});

describe("finding the server program", () => {
  const exists = (files: string[]) => (file: string) => files.includes(file);

  it("uses the configured command first", () => {
    const resolved = resolveServerCommand(
      "/opt/punie",
      ["serve"],
      ["/ws"],
      "/usr/bin",
      exists(["/opt/punie", "/ws/.venv/bin/punie"]),
      true,
    );
    assert.deepEqual(resolved, { command: "/opt/punie", args: ["serve"], found: true });
  });

  it("prefers the workspace's .venv over PATH", () => {
    const resolved = resolveServerCommand(
      "",
      ["serve"],
      ["/ws"],
      "/usr/bin",
      exists(["/ws/.venv/bin/punie", "/usr/bin/punie"]),
      true,
    );
    assert.equal(resolved.command, "/ws/.venv/bin/punie");
  });

  it("falls back to punie on PATH", () => {
    const resolved = resolveServerCommand(
      "",
      ["serve"],
      ["/ws"],
      "/a:/usr/bin",
      exists(["/usr/bin/punie"]),
      true,
    );
    assert.deepEqual(resolved, { command: "/usr/bin/punie", args: ["serve"], found: true });
  });

  it("reports a program it cannot find, naming what it would try", () => {
    assert.deepEqual(resolveServerCommand("", ["serve"], ["/ws"], "/usr/bin", exists([]), true), {
      command: "punie",
      args: ["serve"],
      found: false,
    });
    assert.equal(resolveServerCommand("/nope/punie", [], [], "", exists([]), true).found, false);
  });

  it("never runs a program from an untrusted workspace's .venv", () => {
    const resolved = resolveServerCommand(
      "",
      ["serve"],
      ["/ws"],
      "/usr/bin",
      exists(["/ws/.venv/bin/punie", "/usr/bin/punie"]),
      false,
    );
    assert.equal(resolved.command, "/usr/bin/punie");
  });
});

describe("settings that choose what runs", () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const WIDENING = [
    "punie.server.command",
    "punie.server.args",
    "punie.commands.autoAllow",
    "punie.approval.writes",
  ];

  it("are user (application) settings a workspace cannot set", () => {
    for (const key of WIDENING) {
      assert.equal(manifest.contributes.configuration.properties[key].scope, "application", key);
    }
  });

  it("are restricted in untrusted workspaces", () => {
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, "limited");
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [...WIDENING].sort());
  });
});

describe("asking about a selection", () => {
  it("sends the question with the file, the line range and the code", () => {
    const message = selectionQuestion("What does this do?", {
      path: "lantern/labels.py",
      languageId: "python",
      startLine: 1,
      endLine: 2,
      text: "def f():\n    pass",
    });
    assert.equal(
      message,
      "What does this do?\n\nIn lantern/labels.py, lines 1-2:\n```python\ndef f():\n    pass\n```",
    );
  });
});
