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

/**
 * What the server receives (camelCase, only the fields the extension exposes). A field
 * left out takes the server's default: the server alone holds the default command
 * allowlist (`punie_sandbox.commands.DEFAULT_ALLOW`).
 */
export interface ServerSettings {
  model?: string;
  maxTurns: number;
  commands?: { autoAllow: string[] };
  typecheckOnSave: boolean;
  approval: { writes: "ask" | "auto" };
}

/** The command line that starts the server, as configured (empty command: find it). */
export interface ServerLaunchSettings {
  command: string;
  args: string[];
}

/** Converts the user's `punie.*` settings to the server's settings object. */
export function serverSettings(reader: SettingsReader): ServerSettings {
  const settings: ServerSettings = {
    maxTurns: reader.get("maxTurns", 4),
    typecheckOnSave: reader.get("typecheck.onSave", true),
    approval: { writes: reader.get<string>("approval.writes", "ask") === "auto" ? "auto" : "ask" },
  };
  // Unset (null) means the server's allowlist; an empty list is the user's choice to be asked.
  const autoAllow = reader.get<string[] | null>("commands.autoAllow", null);
  if (autoAllow !== null) {
    settings.commands = { autoAllow: [...autoAllow] };
  }
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
