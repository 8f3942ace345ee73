// ExperimentReview with variants=: the compare keys, the filter, the preference words, the table hiding
// per-variant figures while blind, and the side-by-side cells (text as text, the pair diff, ids per view).
import assert from "node:assert/strict";
import { test } from "node:test";
import { installDOM, tagsBelow } from "./support/dom.js";

installDOM();
const { compareCells, compareKey, compareRows, comparisonTable, diffModes, pairOf, preferenceText } = await import(
  "../experiment/compare.js"
);

const key = (k, code, extra = {}) => ({ key: k, code, ...extra });

test("keys: 1/2 a side better, t tie, b both bad, z undo, v reveal, d diff mode; modifiers and absent columns do nothing", () => {
  assert.deepEqual(compareKey(key("1", "Digit1"), 2), { type: "prefer", choice: 0 });
  assert.deepEqual(compareKey(key("2", "Digit2"), 2), { type: "prefer", choice: 1 });
  assert.equal(compareKey(key("3", "Digit3"), 2), null);
  assert.deepEqual(compareKey(key("3", "Digit3"), 3), { type: "prefer", choice: 2 });
  assert.deepEqual(compareKey(key("t", "KeyT"), 2), { type: "prefer", choice: "tie" });
  assert.deepEqual(compareKey(key("b", "KeyB"), 2), { type: "prefer", choice: "neither" });
  assert.deepEqual(compareKey(key("z", "KeyZ"), 2), { type: "undo_preference" });
  assert.deepEqual(compareKey(key("v", "KeyV"), 2), { type: "reveal" });
  assert.deepEqual(compareKey(key("V", "KeyV", { shiftKey: true }), 2), { type: "reveal_all" });
  assert.deepEqual(compareKey(key("d", "KeyD"), 2), { type: "diff_mode" });
  assert.equal(compareKey(key("1", "Digit1", { ctrlKey: true }), 2), null);
  assert.equal(compareKey(key("j", "KeyJ"), 2), null); // moving is the review's own
});

test("the filter steps through the rows flagged", () => {
  const rows = [{ id: "a" }, { id: "b" }, { id: "c" }];
  const flags = { a: { differ: true, disagree: false }, b: { differ: false, disagree: true } };
  assert.deepEqual(
    compareRows(rows, "differ", flags).map((r) => r.id),
    ["a"],
  );
  assert.deepEqual(
    compareRows(rows, "disagree", flags).map((r) => r.id),
    ["b"],
  );
  assert.equal(compareRows(rows, "all", flags).length, 3);
});

test("a preference in words names the side while blind and the variant once revealed", () => {
  const blind = [
    { label: "Left", name: null },
    { label: "Right", name: null },
  ];
  const shown = [
    { label: "Left", name: "B" },
    { label: "Right", name: "A" },
  ];
  assert.equal(preferenceText(0, blind), "Left better");
  assert.equal(preferenceText(1, shown), "Right: A better");
  assert.equal(preferenceText("tie", blind), "Tie");
  assert.equal(preferenceText("neither", blind), "Both bad");
});

test("while blind the table shows no per-variant figure", () => {
  const table = {
    n: 3,
    ties: 1,
    both_bad: 0,
    differ: 2,
    differ_text: 2,
    disagree: 0,
    evaluators: [],
    hidden: true,
    variants: [],
  };
  const parts = comparisonTable(table, { viewId: "v1", filter: "all", blind: true, onFilter() {}, onRevealAll() {} });
  assert.ok(!parts.flatMap((p) => tagsBelow(p)).includes("table"));
  const open = comparisonTable(
    {
      ...table,
      hidden: false,
      evaluators: ["exact"],
      variants: [
        { name: "A", wins: 2, win_rate: [0.66, 0.2, 0.94], pass_rates: { exact: 0.5 }, means: { exact: null } },
      ],
    },
    { viewId: "v1", filter: "all", blind: true, onFilter() {}, onRevealAll() {} },
  );
  assert.ok(tagsBelow(open[1]).includes("td"));
});

const cell = (label, name, output) => ({
  label,
  name,
  generation: { state: "done", output, metadata: { latency_ms: 212.4, tokens: 31 } },
  verdicts: {},
});
const ctx = (extra = {}) => ({
  viewId: "v7",
  evaluators: [],
  diffMode: "0-1",
  expected: "Reset it from Settings.",
  preference: undefined,
  preferenceOff: "",
  blind: true,
  revealAll: false,
  onPrefer() {},
  onReveal() {},
  onRetry() {},
  isOpen: () => false,
  onToggle() {},
  ...extra,
});

test("side by side: outputs as text, never HTML; the pair diff; latency and tokens; ids unique per view", () => {
  const cells = [cell("Left", null, "<b>Reset</b> it from Settings."), cell("Right", null, "Reset it now.")];
  const parts = compareCells({ id: "dp1" }, cells, ctx()).filter(Boolean);
  const tags = parts.flatMap((p) => [p.tagName.toLowerCase(), ...tagsBelow(p)]);
  assert.ok(!tags.includes("b"), "an output's markup is shown as text");
  assert.ok(tags.includes("del") || tags.includes("ins"), "the pair diff marks the changes");
  const text = parts.map((p) => p.textContent).join(" ");
  assert.match(text, /<b>Reset<\/b>/);
  assert.match(text, /212 ms · 31 tokens/);
  assert.match(text, /Difference Left → Right/);
  const ids = parts
    .flatMap((p) => p.descendants())
    .map((e) => e.getAttribute?.("id"))
    .filter(Boolean);
  assert.ok(ids.length >= 4 && ids.every((id) => id.startsWith("v7-prefer-dp1-")));
  assert.equal(new Set(ids).size, ids.length);
});

test("each against the expected output; no pair diff then", () => {
  const cells = [cell("Left", "A", "Reset it from Settings."), cell("Right", "B", "Reset it now.")];
  const parts = compareCells({ id: "dp1" }, cells, ctx({ diffMode: "expected" })).filter(Boolean);
  const text = parts.map((p) => p.textContent).join(" ");
  assert.match(text, /Matches the expected output ✓/);
  assert.doesNotMatch(text, /Difference Left/);
  assert.match(text, /Left: A/);
});

test("no preference until every variant has an output", () => {
  const cells = [
    cell("Left", null, "x"),
    { label: "Right", name: null, generation: { state: "running" }, verdicts: {} },
  ];
  const parts = compareCells({ id: "dp2" }, cells, ctx()).filter(Boolean);
  const buttons = parts
    .flatMap((p) => p.descendants())
    .filter((e) => e.tagName.toLowerCase() === "button" && e.getAttribute("id"));
  assert.ok(buttons.length === 4 && buttons.every((b) => b.disabled === true || b.getAttribute("disabled") != null));
});

test("the diff between any two chosen columns", () => {
  assert.deepEqual(
    diffModes(["Column 1", "Column 2", "Column 3"]).map(([value]) => value),
    ["0-1", "0-2", "1-2", "expected", "off"],
  );
  assert.deepEqual(pairOf("1-2"), [1, 2]);
  assert.equal(pairOf("expected"), null);
  const cells = [cell("Column 1", null, "one"), cell("Column 2", null, "two"), cell("Column 3", null, "one more")];
  const parts = compareCells({ id: "dp3" }, cells, ctx({ diffMode: "0-2" })).filter(Boolean);
  const text = parts.map((p) => p.textContent).join(" ");
  assert.match(text, /Difference Column 1 → Column 3/);
});
