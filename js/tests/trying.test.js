// EvaluatorForm's "Try it": verdict and status words, a dirty draft blocks the run, text stays text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { installDOM, tagsBelow } from "./support/dom.js";

installDOM();
const { renderTry, tryStatusText, tryVerdictText } = await import("../form/trying.js");

test("verdict and status words", () => {
  assert.equal(tryVerdictText({ state: "done", value: 4, passed: true }), "✓ 4");
  assert.equal(tryVerdictText({ state: "done", value: false, passed: false }), "✗ fail");
  assert.equal(tryVerdictText({ state: "error" }), "error");
  const rows = [{ state: "done", passed: true }, { state: "done", passed: false }, { state: "error" }];
  assert.equal(
    tryStatusText({ state: "done", version: "1.1.0", changed: 2, failed: 1 }, rows),
    "Version 1.1.0: 1 of 2 pass · 2 changed since the version before · 1 could not be judged",
  );
  assert.equal(
    tryStatusText({ state: "running", version: "1.0.0", limit: 10 }, []),
    "Running version 1.0.0 on 10 rows…",
  );
});

function panel(traits) {
  const container = document.createElement("div");
  const sent = [];
  const get = (name) => traits[name];
  const request = (type, payload) => {
    sent.push([type, payload]);
    return Promise.resolve();
  };
  const local = { open: true, dataset: "", deployment: "", limit: 10, page: 1 };
  renderTry(container, { get, request, viewId: "v", local, onError: () => {} });
  return { container, sent };
}

test("a dirty draft: the run waits for a save, and says so", () => {
  const traits = {
    evaluator_id: "01J",
    dirty: true,
    version: "1.0.0",
    try_options: { datasets: [{ id: "d1", name: "tickets" }], deployments: ["support-reply"] },
    try_status: { state: "idle" },
    try_rows: [],
  };
  const { container } = panel(traits);
  const run = container.descendants().find((e) => e.tagName === "BUTTON");
  assert.equal(run.getAttribute("disabled"), "");
  assert.match(container.textContent, /Not saved yet: Try it runs the saved version \(1\.0\.0\), not the draft/);
  const clean = panel({ ...traits, dirty: false });
  const ready = clean.container.descendants().find((e) => e.tagName === "BUTTON");
  assert.equal(ready.getAttribute("disabled") ?? null, null);
  ready.dispatchEvent({ type: "click" });
  assert.deepEqual(clean.sent, [["try", { dataset_id: "d1", deployment: null, limit: 10, page: 1 }]]);
});

test("the graded text is text, and a changed verdict is marked", () => {
  const { container } = panel({
    evaluator_id: "01J",
    dirty: false,
    try_options: { datasets: [{ id: "d1", name: "tickets" }] },
    try_status: { state: "done", version: "1.1.0", changed: 1, deployment: "support-reply" },
    try_rows: [
      {
        datapoint_id: "a",
        state: "done",
        text: "<img src=x onerror=alert(1)>",
        expected_output: "fine",
        value: 2,
        passed: false,
        explanation: "why",
        changed: true,
        before: { value: 4, passed: true },
      },
    ],
  });
  assert.ok(!tagsBelow(container).includes("img"));
  assert.ok(container.textContent.includes("<img src=x onerror=alert(1)>"));
  assert.ok(container.textContent.includes("changed (was ✓ 4)"));
});
