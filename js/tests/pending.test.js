// Pending writes in a widget's header: the count, the list naming each write, Go to row, Retry now; a quick
// save is not announced; a row saved by another widget reads "Updated", a draft's row "newer value saved elsewhere".
import assert from "node:assert/strict";
import { test } from "node:test";
import "./support/contract.js";
import { installDOM } from "./support/dom.js";

installDOM();
const { createPending, pendingCount, pendingLabel, pendingState, SHOW_AFTER_MS } = await import("../shared/pending.js");
const { statusContent } = await import("../grid/cells.js");

const retrying = {
  seq: 4,
  kind: "datapoint.update",
  what: "Datapoint edit",
  state: "retrying",
  attempts: 3,
  message: "The service had an error (500)",
  datapoint_id: "01JBX0DP000000000000000001",
  fields: ["Expected output"],
  row: 1234,
  page: 50,
  here: true,
  mine: true,
};

test("a pending write is named by row and field where the widget knows it, else by what it changes", () => {
  assert.equal(pendingLabel(retrying), "Row 1,234 · Expected output");
  assert.equal(pendingLabel({ ...retrying, row: undefined }), "Datapoint 01JBX0DP00… · Expected output");
  assert.equal(
    pendingLabel({ kind: "feedback.create", what: "Feedback", trace_id: "trace-1", fields: ["rating"] }),
    "Feedback · rating on trace trace-1",
  );
  assert.equal(pendingState(retrying), "Retrying (attempt 3): The service had an error (500)");
  assert.equal(pendingState({ state: "pending" }), "Saving");
  assert.equal(pendingCount({ count: 1, items: [retrying] }), "1 write pending (retrying)");
  assert.equal(pendingCount({ count: 2, items: [{ state: "pending" }] }), "2 writes pending");
});

function mount(pendingWrites, clock = { now: 0 }) {
  const sent = [];
  const went = [];
  const part = createPending({
    get: (name) => ({ pending_writes: pendingWrites })[name],
    send: (type) => sent.push(type),
    viewId: "v",
    goTo: (item) => went.push(item.datapoint_id),
    now: () => clock.now,
  });
  part.render();
  return { part, sent, went, clock };
}

const buttons = (node) => node.descendants().filter((n) => n.tagName === "BUTTON");

test("the count opens a list with Go to row and Retry now", () => {
  const { part, sent, went } = mount({ count: 1, items: [retrying] });
  assert.equal(part.element.hidden, false);
  const toggle = buttons(part.element)[0];
  assert.match(toggle.textContent, /1 write pending \(retrying\)/);
  assert.equal(toggle.getAttribute("aria-expanded"), "false");
  toggle.dispatchEvent({ type: "click" });
  const list = part.element.descendants().find((n) => n.tagName === "UL");
  assert.match(
    list.textContent,
    /Row 1,234 · Expected output Retrying \(attempt 3\): The service had an error \(500\)/,
  );
  buttons(part.element)
    .find((b) => b.textContent === "Go to row")
    .dispatchEvent({ type: "click" });
  assert.deepEqual(went, [retrying.datapoint_id]);
  buttons(part.element)
    .find((b) => b.textContent === "Retry now")
    .dispatchEvent({ type: "click" });
  assert.deepEqual(sent, ["retry_writes"]);
  part.dispose();
});

test("a write that settles at once is not announced; one still pending after a moment is", () => {
  const clock = { now: 1000 };
  const state = { count: 1, items: [{ ...retrying, state: "pending" }] };
  const { part } = mount(state, clock);
  assert.equal(part.element.hidden, true);
  clock.now += SHOW_AFTER_MS + 1;
  part.render();
  assert.equal(part.element.hidden, false);
  part.dispose();
  assert.equal(mount({ count: 0, items: [] }).part.element.hidden, true);
});

test("a row another widget saved reads Updated; a draft's row says a newer value was saved elsewhere", () => {
  const text = (parts) => parts.map((n) => n.textContent).join("");
  assert.match(text(statusContent({ state: "updated", updated: "2026-01-01T00:00:00Z" })), /Updated/);
  assert.match(text(statusContent({ state: "failed", message: "x", newer: "t" })), /newer value saved elsewhere/);
  assert.doesNotMatch(text(statusContent({ state: "failed", message: "x" })), /newer/);
});
