/**
 * Finds the program that runs `punie serve`.
 *
 * Order: the `punie.server.command` setting, then `punie` in a workspace folder's
 * `.venv/bin` (only in a trusted workspace: a cloned repository could ship its own),
 * then `punie` on PATH. Pure apart from the `isExecutable` probe.
 */
import * as path from "node:path";

/** The program and arguments to start, and where the program came from. */
export interface ResolvedCommand {
  command: string;
  args: string[];
  /** False when nothing was found and `command` is only the bare name we will try. */
  found: boolean;
}

/** Resolves the server command from settings, workspace folders and PATH. */
export function resolveServerCommand(
  configured: string,
  args: string[],
  workspaceFolders: string[],
  pathEnv: string,
  isExecutable: (file: string) => boolean,
  trusted: boolean,
): ResolvedCommand {
  if (configured !== "") {
    const found = path.isAbsolute(configured)
      ? isExecutable(configured)
      : searchPath(configured, pathEnv, isExecutable) !== undefined;
    return { command: configured, args, found };
  }
  for (const folder of trusted ? workspaceFolders : []) {
    const candidate = path.join(folder, ".venv", "bin", "punie");
    if (isExecutable(candidate)) {
      return { command: candidate, args, found: true };
    }
  }
  const onPath = searchPath("punie", pathEnv, isExecutable);
  return { command: onPath ?? "punie", args, found: onPath !== undefined };
}

function searchPath(
  name: string,
  pathEnv: string,
  isExecutable: (file: string) => boolean,
): string | undefined {
  if (name.includes(path.sep)) {
    return isExecutable(name) ? name : undefined;
  }
  for (const dir of pathEnv.split(path.delimiter)) {
    if (dir === "") {
      continue;
    }
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** The command line as the user would type it, for messages. */
export function describeCommand(resolved: ResolvedCommand): string {
  return [resolved.command, ...resolved.args].join(" ");
}
