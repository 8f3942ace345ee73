// ExperimentReview's keyed rows (experiment/rows.js): a change rebuilds only the row it touches, and
// focus on a control of another row stays where it was.
import assert from "node:assert/strict";
import { test } from "node:test";
import { h } from "../shared/dom.js";
import { CONTRACT } from "./support/contract.js";
import { installDOM } from "./support/dom.js";

installDOM();
const { createPage } = await import("../experiment/page.js");
const { createRows } = await import("../experiment/rows.js");

const done = (output) => ({ state: "done", output, trace_id: `t-${output}`, runs: 1, metadata: { latency_ms: 5 } });

function review(traits) {
  const state = {
    _rows: [1, 2, 3, 4].map((n) => ({ id: `d${n}`, inputs: { q: `question ${n}` }, expected_output: `answer ${n}` })),
    _generations: { d1: done("answer 1"), d2: done("other"), d3: { state: "running" }, d4: { state: "queued" } },
    _feedback: {},
    feedback_kinds: [{ property: "rating", kind: "thumbs", label: "Rating", options: CONTRACT.thumbs }],
    ...traits,
  };
  const x = createPage((name) => state[name]);
  const sent = [];
  x.grid = h("div", { class: "nbw-xgrid", tabindex: "0" });
  x.root = h("div", { class: "nbw" }, x.grid);
  Object.assign(x, {
    viewId: "v",
    signal: new AbortController().signal,
    send: (type, payload) => {
      sent.push([type, payload]);
      return new Promise(() => {});
    },
    quietly: () => {},
    showError: () => {},
    redraw: () => rows.render(),
    schedule: () => {},
  });
  const rows = createRows(x);
  rows.render();
  const rowEls = () => x.grid.children.filter((n) => n.dataset.id);
  return { state, x, rows, rowEls, sent };
}

const buttonNamed = (node, label) =>
  node.descendants().find((n) => n.tagName === "BUTTON" && n.textContent.trim() === label);

test("a generation update to row 3 rebuilds row 3 alone: rows 1, 2 and 4 are the same elements", () => {
  const { state, rows, rowEls } = review();
  const before = rowEls();
  assert.deepEqual(
    before.map((r) => r.dataset.state),
    ["done", "done", "running", "queued"],
  );
  state._generations = { ...state._generations, d3: done("answer 3") };
  assert.deepEqual(rows.render(), ["d3"]);
  const after = rowEls();
  assert.equal(after[0], before[0]);
  assert.equal(after[1], before[1]);
  assert.notEqual(after[2], before[2]);
  assert.equal(after[2].dataset.state, "done");
  assert.equal(after[3], before[3]);
  // the kernel re-sending the same page (new objects, same content) rebuilds nothing
  state._rows = structuredClone(state._rows);
  state._generations = structuredClone(state._generations);
  assert.deepEqual(rows.render(), []);
});

test("focus on row 1's Good button stays there while other rows stream in; the active row moves without a rebuild", () => {
  const { state, x, rows, rowEls } = review();
  const good = buttonNamed(rowEls()[0], "Good");
  good.focus();
  for (const n of [3, 4]) {
    state._generations = { ...state._generations, [`d${n}`]: done(`answer ${n}`) };
    rows.render();
    assert.equal(document.activeElement, good);
  }
  const first = rowEls();
  x.ui.active = 2;
  assert.deepEqual(rows.render(), []);
  assert.deepEqual(
    rowEls().map((r) => r.classList.contains("nbw-active")),
    [false, false, true, false],
  );
  assert.deepEqual(rowEls(), first);
});

test("a click on Good shows it pressed in its own row at once; focus goes to that row's new Good button", () => {
  const { rowEls, sent } = review();
  const [row1, row2] = rowEls();
  const good = buttonNamed(row1, "Good");
  good.focus();
  good.dispatchEvent({ type: "click" });
  assert.deepEqual(sent, [["feedback", { datapoint_id: "d1", property: "rating", value: "good" }]]);
  const [fresh, same] = rowEls();
  assert.notEqual(fresh, row1);
  assert.equal(same, row2);
  const now = buttonNamed(fresh, "Good");
  assert.equal(now.getAttribute("aria-pressed"), "true");
  assert.equal(document.activeElement, now);
});

test("choice feedback in the review reads as FeedbackButtons': a single choice is radios, several are checkboxes", () => {
  const kinds = [
    { property: "verdict", kind: "choice", label: "Verdict", options: ["right", "wrong"] },
    { property: "issues", kind: "choices", label: "Issues", options: ["tone", "facts"] },
  ];
  const { rowEls } = review({
    feedback_kinds: kinds,
    _feedback: { d1: { issues: { value: ["facts"], state: "sent" } } },
  });
  const groups = rowEls()[0]
    .descendants()
    .filter((n) => n.classList.contains("nbw-fb"));
  assert.deepEqual(
    groups.map((g) => g.getAttribute("role")),
    ["radiogroup", "group"],
  );
  const choices = (group) =>
    group
      .descendants()
      .filter((n) => n.tagName === "BUTTON")
      .map((b) => [b.getAttribute("role"), b.getAttribute("aria-checked"), b.getAttribute("aria-pressed")]);
  assert.deepEqual(choices(groups[0]), [
    ["radio", "false", null],
    ["radio", "false", null],
  ]);
  assert.deepEqual(choices(groups[1]), [
    ["checkbox", "false", null],
    ["checkbox", "true", null],
  ]);
});

test("what a use as expected replaced, when long, is clamped under Show more like any long text; a short one is not", () => {
  const long = (word) => Array.from({ length: 80 }, (_, i) => `${word} ${i}`).join(" ");
  const { rowEls } = review({
    _expected: {
      d1: { state: "saved", value: long("new"), replaced: long("old") },
      d2: { state: "saved", value: "b", replaced: "a" },
    },
  });
  const clampOf = (row) => {
    const diff = row.descendants().find((n) => n.getAttribute?.("aria-label") === "What it replaced");
    assert.ok(diff, "the replaced diff is on the row");
    return diff;
  };
  const [first, second] = rowEls();
  const diff = clampOf(first);
  assert.ok(diff.classList.contains("nbw-clamped"), "the long diff is clamped");
  const toggle = buttonNamed(diff.parentNode, "Show more");
  assert.ok(toggle, "with Show more beside it");
  toggle.dispatchEvent({ type: "click" });
  assert.ok(!diff.classList.contains("nbw-clamped") && toggle.textContent === "Show less", "Show more expands it");
  assert.ok(!clampOf(second).classList.contains("nbw-clamped"), "a short diff stays whole");
});
