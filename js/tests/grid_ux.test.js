// The grid's problems made readable: a conflict in its own row (theirs and yours whole, side by side,
// Keep mine / Take theirs), a draft not saved shown in its cell and marked, find's hits a batch at a
// time, the editor's keys in the words of its button.
import assert from "node:assert/strict";
import { test } from "node:test";
import "./support/contract.js";
import { DETAIL_STATES, draftCell, statusContent, statusDetail } from "../grid/cells.js";
import { editorHint } from "../grid/editor.js";
import { mergeRows } from "../grid/rows.js";
import { excerptAtChange, sideBySide } from "../shared/diff.js";
import { installDOM } from "./support/dom.js";

installDOM();
const { findProgress, renderFind } = await import("../grid/find.js");

const THEIRS = "CHANGED BY A COLLEAGUE";
const MINE = "Ask for the app version and a crash log, then escalate to the mobile team. Reply within a day.";
const conflict = {
  state: "conflict",
  message: "PATCH /v2/datasets/01KDVD/datapoints/01KDVE: This changed on the service since it was loaded.",
  reason: "This changed on the service since it was loaded (by someone else).",
  draft: { expected_output: MINE },
  server: { expected_output: THEIRS },
};
const text = (node) => (typeof node === "string" ? node : (node?.textContent ?? ""));
const all = (nodes) => nodes.filter(Boolean).map(text).join("");
const buttons = (root) => root.descendants().filter((n) => n.tagName === "BUTTON");

test("conflict: the status cell is an icon and a word; the detail row says it in plain words", () => {
  assert.match(all(statusContent(conflict)), /^⚠ Conflict/);
  assert.ok(!all(statusContent(conflict)).includes("PATCH"), "no route in the narrow status cell");
  const detail = statusDetail("dp1", conflict, { titleOf: () => "Expected output" });
  assert.match(
    detail.textContent,
    /Conflict: your edit is not saved\. Someone else changed this datapoint after you loaded it\./,
  );
  assert.ok(!detail.textContent.includes("PATCH /v2"), "the route is not in the words shown");
});

test("conflict: theirs and yours each whole, side by side, their own changes marked by whole words", () => {
  const detail = statusDetail("dp1", conflict, { titleOf: () => "Expected output" });
  const sides = detail.descendants().filter((n) => n.classList.contains("nbw-diff-side"));
  assert.equal(sides.length, 2);
  const [theirs, yours] = sides.map((side) => side.children[1]);
  assert.equal(sides[0].children[0].textContent, "Theirs (on the service now)");
  assert.equal(sides[1].children[0].textContent, "Yours (not saved)");
  assert.equal(theirs.textContent, THEIRS); // not interleaved with mine
  assert.equal(yours.textContent, MINE);
  // nothing in common but spaces: each side is marked whole, not word against word
  assert.deepEqual(
    yours.children.map((n) => [n.tagName, n.textContent]),
    [["INS", MINE]],
  );
  const edited = sideBySide("Ask for the app version.", "Ask for the app version and a crash log.");
  const added = edited.children[1].children[1].children.filter((n) => n.tagName === "INS").map((n) => n.textContent);
  assert.deepEqual(added.join("").trim().split(/\s+/), ["and", "a", "crash", "log"]);
});

test("conflict: Keep mine and Take theirs are tab stops that carry the row's id", () => {
  const detail = statusDetail("dp1", conflict);
  const actions = buttons(detail).map((b) => [
    b.textContent,
    b.dataset.action,
    b.dataset.id,
    b.getAttribute("tabindex"),
  ]);
  assert.deepEqual(actions, [
    ["Keep mine", "keep-mine", "dp1", null],
    ["Take theirs", "take-theirs", "dp1", null],
  ]);
});

test("retrying and failed: the reason and the actions in the detail row; saved and pending have none", () => {
  const retrying = statusDetail("dp2", { state: "retrying", reason: "Internal server error", attempts: 7 });
  assert.match(retrying.textContent, /Not saved yet: Internal server error\. Attempt 7; your edit is kept/);
  assert.deepEqual(
    buttons(retrying).map((b) => b.textContent),
    ["Retry now"],
  );
  const failed = statusDetail("dp2", { state: "failed", reason: "too long", draft: {} });
  assert.deepEqual(
    buttons(failed).map((b) => b.textContent),
    ["Retry", "Edit draft"],
  );
  for (const state of ["saved", "pending", "staged"]) {
    assert.equal(statusDetail("dp2", { state }), null);
    assert.ok(!DETAIL_STATES.has(state));
  }
  assert.match(all(statusContent({ state: "retrying", reason: "x", attempts: 2 })), /^↻ Retrying/);
  // the words read after the badge are a sentence of their own, no stray comma
  assert.equal(
    all(statusContent({ state: "retrying", reason: "x", attempts: 2 })),
    "↻ Retrying Not saved yet; the details are in the row below.",
  );
});

test("a conflict's cell shows your draft, not the stale original", () => {
  const rows = mergeRows([{ id: "a", expected_output: "original" }], {}, {}, { a: conflict });
  assert.equal(rows[0].shown.expected_output, MINE);
  assert.deepEqual(rows[0].draft, { expected_output: MINE });
});

test("a draft's cell: marked not saved, from a word shortly before its change, the added words marked", () => {
  const before = "Send a fresh reset link; links expire after 30 minutes, so ask them to use it at once.";
  const after = `${before} Then confirm by email.`;
  const cell = draftCell({ key: "expected_output", kind: "text" }, before, after);
  assert.ok(cell.classList.contains("nbw-draft-cell"));
  assert.equal(cell.children[0].textContent, "not saved");
  const shown = cell.children[1].textContent;
  assert.ok(shown.startsWith("…"), shown);
  assert.ok(shown.endsWith("Then confirm by email."), shown);
  assert.ok(after.endsWith(shown.slice(1)), "a whole-word tail of the draft");
  assert.ok(shown.length < 70, shown);
  assert.equal(
    cell.children[1].children.find((n) => n.tagName === "INS")?.textContent.trim(),
    "Then confirm by email.",
  );
  assert.equal(cell.title, after);
  // expanded: the draft whole
  const whole = draftCell({ key: "expected_output", kind: "text" }, before, after, { expanded: true });
  assert.equal(whole.children[1].textContent, after);
});

test("excerpt: nothing cut when the change is near the start; whole words when cut", () => {
  assert.deepEqual(excerptAtChange("a b", "a c"), {
    parts: [
      { op: "=", text: "a " },
      { op: "+", text: "c" },
    ],
    cut: false,
  });
  const long = "one two three four five six seven eight nine ten eleven twelve thirteen";
  const { parts, cut } = excerptAtChange(long, `${long} fourteen`, { context: 20 });
  assert.ok(cut);
  assert.ok(long.split(" ").includes(parts[0].text.split(" ")[0]), parts[0].text);
  assert.equal(parts.at(-1).text, " fourteen");
});

test("a draft rewritten whole shows from its start, nothing marked", () => {
  const cell = draftCell({ key: "expected_output", kind: "text" }, "CHANGED BY A COLLEAGUE", MINE);
  assert.equal(cell.children[1].textContent, MINE);
  assert.equal(cell.children[1].children.length, 0);
});

test("side by side: both texts whole even when nothing is shared", () => {
  const box = sideBySide("abc def", "xyz", { beforeLabel: "Theirs", afterLabel: "Yours" });
  const [theirs, yours] = box.children.map((side) => side.children[1].textContent);
  assert.deepEqual([theirs, yours], ["abc def", "xyz"]);
});

function findBox(find) {
  const box = document.createElement("div");
  const sent = [];
  const context = {
    get: (name) => ({ find, schema: { find: "scan" } })[name],
    send: (type, body) => sent.push([type, body]),
  };
  renderFind(box, context);
  return { box, sent, context };
}
const hits = (n) =>
  Array.from({ length: n }, (_, i) => ({
    page: 1 + Math.floor(i / 2),
    row: 1 + i * 12,
    id: `d${i}`,
    field: "Expected output",
    before: "…the ",
    match: "invoice",
    after: ` ${i}…`,
  }));

test("find: shows how many of how many, and the rest a batch at a time", () => {
  const { box } = findBox({ query: "invoice", rows: 120, total: 120, hits: hits(24), complete: true, start_page: 3 });
  assert.match(box.textContent, /24 found in the whole dataset \(120 rows, from page 3 round to it\)/);
  const list = () => box.children[1].children;
  assert.equal(list().length, 10);
  assert.match(box.children[2].textContent, /Showing 10 of 24 found\./);
  const more = buttons(box).find((b) => b.textContent === "Show 14 more");
  assert.ok(more, box.textContent);
  more.dispatchEvent({ type: "click" });
  assert.equal(list().length, 24);
  assert.match(box.children[2].textContent, /Showing 24 of 24 found\./);
  assert.ok(!buttons(box).some((b) => b.textContent.startsWith("Show")));
  assert.ok(!buttons(box).some((b) => b.textContent.startsWith("Find further")), "complete: nothing further");
});

test("find: a hit names its row and field and marks the match as text", () => {
  const hit = {
    page: 50,
    row: 1234,
    id: "d",
    field: "Inputs",
    before: "…<b>see</b> the ",
    match: "<i>x</i>",
    after: "…",
  };
  const { box, sent } = findBox({ query: "<i>x</i>", rows: 10, total: 10, hits: [hit], complete: true });
  const item = box.children[1].children[0];
  assert.equal(item.children[0].textContent, "Row 1,234");
  assert.equal(item.children[1].textContent, "Inputs");
  const text = item.children[2];
  assert.equal(text.textContent, "…<b>see</b> the <i>x</i>…");
  const mark = text.children.find((n) => n.tagName === "MARK");
  assert.equal(mark.textContent, "<i>x</i>");
  assert.ok(!text.children.some((n) => n.tagName === "B" || n.tagName === "I"), "markup stays text");
  item.children[0].dispatchEvent({ type: "click" });
  assert.deepEqual(sent, [["open_hit", { page: 50, datapoint_id: "d" }]]);
});

test("find: progress is a share of the dataset's rows where the total is known", () => {
  assert.equal(findProgress({ rows: 37000, total: 100000 }), "37% · 37,000 of 100,000 rows");
  assert.equal(findProgress({ rows: 37000, total: null }), "37,000 rows");
  assert.equal(findProgress({ rows: 120, total: 100 }), "100% · 100 of 100 rows");
  const { box } = findBox({ query: "x", rows: 400, total: 1000, hits: hits(3), running: true });
  assert.match(box.textContent, /Finding “x”: 40% · 400 of 1,000 rows, 3 found so far…/);
  assert.ok(buttons(box).some((b) => b.textContent === "Cancel"));
  const cancelled = findBox({ query: "x", rows: 400, total: 1000, hits: [], cancelled: true }).box;
  assert.match(cancelled.textContent, /cancelled after 40% · 400 of 1,000 rows: 0 found\./);
});

test("find: a scan stopped at its limit offers to go on from where it stopped", () => {
  const { box, sent } = findBox({ query: "the", rows: 400, total: 1000, hits: hits(200) });
  assert.match(box.textContent, /the first 200 found, in 40% · 400 of 1,000 rows/);
  const further = buttons(box).find((b) => b.textContent === "Find further");
  further.dispatchEvent({ type: "click" });
  assert.deepEqual(sent, [["find_further", undefined]]);
});

test("the editor's keys say what its button does", () => {
  assert.equal(editorHint("Save"), "Ctrl+Enter saves · Esc cancels");
  assert.equal(editorHint("Stage edit"), "Ctrl+Enter stages · Esc cancels");
});
