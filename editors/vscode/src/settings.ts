/**
 * The `punie.*` settings and the shape the server reads them in (PROTOCOL.md §2).
 *
 * Pure: takes a reader so tests need no VS Code. The same object goes out as
 * `initializationOptions` and as the answer to `workspace/configuration` for `punie`.
 */

/** Reads one setting of the `punie` section, falling back to a default. */
export interface SettingsReader {
  get<T>(key: string, fallback: T): T;
}

/** What the server receives (camelCase, only the fields the extension exposes). */
export interface ServerSettings {
  model?: string;
  maxTurns: number;
  commands: { autoAllow: string[] };
  typecheckOnSave: boolean;
}

/** The command line that starts the server, as configured (empty command: find it). */
export interface ServerLaunchSettings {
  command: string;
  args: string[];
}

export const DEFAULT_AUTO_ALLOW = [
  "ls",
  "find",
  "grep",
  "wc",
  "cat",
  "head",
  "tail",
  "git status",
  "git diff",
  "git log",
  "ty",
  "ruff",
];

/** Converts the user's `punie.*` settings to the server's settings object. */
export function serverSettings(reader: SettingsReader): ServerSettings {
  const settings: ServerSettings = {
    maxTurns: reader.get("maxTurns", 4),
    commands: { autoAllow: [...reader.get("commands.autoAllow", DEFAULT_AUTO_ALLOW)] },
    typecheckOnSave: reader.get("typecheck.onSave", true),
  };
  const model = reader.get("model", "").trim();
  // An empty model means "the embedded default": leave the field out for the server to decide.
  if (model !== "") {
    settings.model = model;
  }
  return settings;
}

/** Reads `punie.server.command` and `punie.server.args`. */
export function serverLaunchSettings(reader: SettingsReader): ServerLaunchSettings {
  return {
    command: reader.get("server.command", "").trim(),
    args: [...reader.get("server.args", ["serve"])],
  };
}
