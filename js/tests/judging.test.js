// The review's judges: verdict words, the filter and sort over a page's rows, agreement words, and the
// verdict cell (explanation as text, a retry on a failure to judge).
import assert from "node:assert/strict";
import { test } from "node:test";
import { installDOM, tagsBelow } from "./support/dom.js";

installDOM();
const { agreementText, judgeSummaryText, verdictCell, verdictText, visibleRows } = await import(
  "../experiment/judging.js"
);

const exact = { key: "exact", output_type: "boolean", labels: [] };
const score = { key: "score", output_type: "number", labels: [] };
const jury = { key: "jury", output_type: "categorical", labels: ["correct", "partially_correct", "wrong"] };
const done = (value, passed, extra = {}) => ({
  state: "done",
  value,
  passed,
  status: passed ? "passed" : "condition_failed",
  ...extra,
});

test("verdicts in a few characters", () => {
  assert.equal(verdictText(done(true, true), exact), "✓ pass");
  assert.equal(verdictText(done(false, false), exact), "✗ fail");
  assert.equal(verdictText(done(2, false), score), "✗ 2");
  assert.equal(verdictText(done(3.456, true), score), "✓ 3.46");
  assert.equal(verdictText(done("partially_correct", true), jury), "✓ partially_correct");
  assert.equal(verdictText({ state: "running" }, exact), "…");
  assert.equal(verdictText({ state: "error", error: "x" }, exact), "error");
  assert.equal(verdictText({ state: "done", value: null, passed: false, status: "failed" }, jury), "✗ failed");
  assert.equal(verdictText(undefined, exact), "–");
});

const rows = [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }];
const verdicts = {
  a: { exact: done(true, true), score: done(5, true) },
  b: { exact: done(false, false), score: done(1, false) },
  c: { exact: done(true, true), score: done(3, true) },
  d: { exact: { state: "running" } },
};
const view = (filter, sortBy = "") =>
  visibleRows(rows, { filter, sortBy, verdicts, disagree: { c: ["exact"] }, evaluators: [exact, score] }).map(
    (r) => r.id,
  );

test("the filter: all, failing any judge, judge and people disagree, not yet judged", () => {
  assert.deepEqual(view("all"), ["a", "b", "c", "d"]);
  assert.deepEqual(view("failing"), ["b"]);
  assert.deepEqual(view("disagree"), ["c"]);
  assert.deepEqual(view("unjudged"), ["d"]);
  // without judges the filter shows every row (a stale trait never hides the page)
  assert.deepEqual(
    visibleRows(rows, { filter: "failing", verdicts }).map((r) => r.id),
    ["a", "b", "c", "d"],
  );
});

test("sort by a judge's score: worst first, rows without a verdict last, ties in dataset order", () => {
  assert.deepEqual(view("all", "score"), ["b", "c", "a", "d"]);
  assert.deepEqual(view("all", "exact"), ["b", "a", "c", "d"]);
  const labelled = {
    a: { jury: done("correct", true) },
    b: { jury: done("wrong", false) },
    c: { jury: done("partially_correct", true) },
  };
  assert.deepEqual(
    visibleRows(rows, { sortBy: "jury", verdicts: labelled, evaluators: [jury] }).map((r) => r.id),
    ["b", "c", "a", "d"],
  );
  assert.deepEqual(view("all", "unknown"), ["a", "b", "c", "d"]);
});

test("agreement and summary words", () => {
  const item = { evaluator: "exact", property: "rating", n: 10, agreement: 0.4, kappa: -0.1538, disagreements: ["x"] };
  assert.equal(
    agreementText({ ...item, disagreements: Array(6).fill("x") }),
    "exact vs rating: agree on 4 of 10 (40%) · kappa -0.15 · disagree on 6",
  );
  assert.match(agreementText({ ...item, kappa: null }), /kappa undefined/);
  assert.equal(
    judgeSummaryText({ key: "score", judged: 10, passed: 4, pass_rate: 0.4, mean: 2.6, errors: 1 }),
    "score: 4/10 pass (40%) · mean 2.60 · 1 failed to judge",
  );
  assert.equal(judgeSummaryText({ key: "score", judged: 0, passed: 0, errors: 0 }), "score: not judged yet");
});

test("the verdict cell: the explanation as text on demand, a retry for a failure to judge", () => {
  const retried = [];
  const cells = verdictCell(
    "row1",
    {
      exact: done(false, false, { explanation: "<img src=x onerror=alert(1)> shares no word" }),
      score: { state: "error", error: "the judge's provider is down" },
    },
    [exact, score],
    { onRetry: (...args) => retried.push(args) },
  );
  const [why, failure] = cells;
  assert.equal(why.tagName, "DETAILS");
  assert.ok(why.textContent.includes("<img src=x onerror=alert(1)> shares no word"));
  assert.ok(!tagsBelow(why).includes("img")); // text, never HTML
  assert.ok(failure.textContent.includes("Could not judge: the judge's provider is down"));
  const button = failure.descendants().find((e) => e.tagName === "BUTTON");
  button.dispatchEvent({ type: "click" });
  assert.deepEqual(retried, [["row1", "score"]]);
});

test("a jury's tie is a tie: '= Tie' on a neutral chip, not a red ✗", () => {
  const jury = { key: "jury", output_type: "categorical", labels: ["good", "bad", "Tie"], tie_value: "Tie" };
  const tie = { state: "done", value: "Tie", passed: false };
  assert.equal(verdictText(tie, jury), "= Tie");
  const [line] = verdictCell("d1", { jury: tie }, [jury], { onRetry: () => {} });
  const chip = line.descendants().find((n) => n.classList.contains("nbw-verdict"));
  assert.ok(chip.classList.contains("nbw-verdict-tie"));
  // a plain failure stays one
  const [failed] = verdictCell("d1", { jury: { state: "done", value: "bad", passed: false } }, [jury], {});
  assert.ok(failed.descendants().some((n) => n.classList.contains("nbw-verdict-fail")));
});
