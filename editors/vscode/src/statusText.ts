/** What the status bar item says for a `punie/status` result (pure, for tests). */
import type { StatusResult } from "./protocol";

/** The status bar text for a `punie/status` result. */
export function statusText(status: StatusResult | undefined): string {
  if (status === undefined) {
    return "$(circle-slash) Punie: server not running";
  }
  const name = modelName(status.model);
  switch (status.modelState) {
    case "ready":
      return `$(check) Punie: ready · ${name}`;
    case "loading":
      return `$(sync~spin) Punie: loading ${name}`;
    case "failed":
      return `$(error) Punie: model failed`;
    case "unloaded":
      return `$(circle-outline) Punie: ${name} (loads on first question)`;
  }
}

function modelName(model: string): string {
  const parts = model.split(/[\\/]/).filter((part) => part !== "");
  return parts.length > 0 ? parts[parts.length - 1] : model;
}

/** Status details shown when the item is clicked. */
export function statusDetails(status: StatusResult | undefined): string {
  if (status === undefined) {
    return "The Punie server is not running. Run “Punie: Restart Server” or see the Punie output.";
  }
  const lines = [
    `Punie ${status.version}`,
    `model: ${status.model} (${status.modelState})`,
    `sessions: ${status.sessions}`,
    `sandbox: ${status.sandbox.backend}, ${status.sandbox.warm} warm`,
  ];
  if (status.modelError) {
    lines.push(`model error: ${status.modelError}`);
  }
  if (status.sandbox.warning) {
    lines.push(`sandbox warning: ${status.sandbox.warning}`);
  }
  return lines.join(" · ");
}
