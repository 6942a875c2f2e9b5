import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatusResult } from "../../src/protocol";
import { statusDetails, statusText } from "../../src/statusText";

const status: StatusResult = {
  version: "0.1.0",
  model: "/repo/server/src/punie_server/embedded_model",
  modelState: "ready",
  sessions: 2,
  sandbox: { backend: "bwrap", warm: 1 },
};

describe("the status bar item", () => {
  it("says the model is ready, with the model's name", () => {
    assert.equal(statusText(status), "$(check) Punie: ready · embedded_model");
  });

  it("shows loading, not-yet-loaded and failed states", () => {
    assert.match(statusText({ ...status, modelState: "loading" }), /loading embedded_model/);
    assert.match(statusText({ ...status, modelState: "unloaded" }), /loads on first question/);
    assert.match(statusText({ ...status, modelState: "failed" }), /model failed/);
  });

  it("says when there is no server", () => {
    assert.match(statusText(undefined), /server not running/);
  });

  it("details the version, model, sessions, sandbox and any warning", () => {
    const details = statusDetails({
      ...status,
      modelState: "failed",
      modelError: "no weights",
      sandbox: { backend: "rlimits-only", warm: 0, warning: "no isolation" },
    });
    assert.match(details, /Punie 0\.1\.0/);
    assert.match(details, /sessions: 2/);
    assert.match(details, /sandbox: rlimits-only, 0 warm/);
    assert.match(details, /model error: no weights/);
    assert.match(details, /sandbox warning: no isolation/);
  });
});
