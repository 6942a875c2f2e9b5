/**
 * Punie's LSP payloads as the extension sees them on the wire (PROTOCOL.md §3).
 * Mirrors `server/src/punie_server/protocol.py` (camelCase).
 */

export const CHAT = "punie/chat";
export const RESET = "punie/reset";
export const STATUS = "punie/status";

export interface ToolCall {
  tool: string;
  args: Record<string, unknown>;
  ok: boolean;
  durationMs: number;
}

export interface SnippetError {
  type: string;
  message: string;
}

export interface Step {
  code: string;
  ok?: boolean;
  stdout: string;
  result: string | null;
  error: SnippetError | null;
  killed: "timeout" | "memory" | "output" | null;
  durationMs: number;
  calls: ToolCall[];
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  ttftMs: number;
  tokensPerSecond: number;
  totalMs: number;
  turns: number;
}

export interface ChatResult {
  sessionId: string;
  /** Never empty, never protocol text: the server says so when a turn has nothing to say. */
  reply: string;
  steps: Step[];
  usage: Usage;
  stopReason: "done" | "maxTurns" | "error";
}

export interface ChatParams {
  message: string;
  sessionId?: string;
  partialResultToken?: string;
  workDoneToken?: string;
}

/** A `$/progress` value sent for the chat's `partialResultToken`. */
export type ChatProgress =
  | { kind: "text"; delta: string }
  | { kind: "code"; code: string }
  | { kind: "step"; step: Step };

export interface StatusResult {
  version: string;
  model: string;
  modelState: "unloaded" | "loading" | "ready" | "failed";
  modelError?: string | null;
  sessions: number;
  sandbox: { backend: string; warm: number; warning?: string | null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks a `$/progress` value; anything unrecognised is dropped rather than rendered. */
export function parseChatProgress(value: unknown): ChatProgress | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  if (value.kind === "text" && typeof value.delta === "string") {
    return { kind: "text", delta: value.delta };
  }
  if (value.kind === "code" && typeof value.code === "string") {
    return { kind: "code", code: value.code };
  }
  if (value.kind === "step" && isRecord(value.step) && typeof value.step.code === "string") {
    return { kind: "step", step: value.step as unknown as Step };
  }
  return undefined;
}
