import assert from "node:assert/strict";
import { test } from "node:test";
import { editorText, editorValue } from "../grid/editing.js";
import { diff, unchanged } from "../shared/diff.js";
import {
  evaluationText,
  evaluationTitle,
  messageText,
  pageCount,
  parseLoose,
  pretty,
  rangeText,
} from "../shared/format.js";

const apply = (parts, side) =>
  parts
    .filter((p) => p.op === "=" || p.op === side)
    .map((p) => p.text)
    .join("");

test("diff rebuilds both sides, by words on one line", () => {
  const parts = diff("Ask the customer to use the link.", "Ask the customer to use the reset link.");
  assert.equal(apply(parts, "-"), "Ask the customer to use the link.");
  assert.equal(apply(parts, "+"), "Ask the customer to use the reset link.");
  assert.deepEqual(
    parts.filter((p) => p.op !== "="),
    [{ op: "+", text: "reset " }],
  );
});

test("diff stays word by word across lines: a word added at the end strikes nothing", () => {
  const parts = diff("a\nb\nc\n", "a\nB\nc\n");
  assert.deepEqual(parts, [
    { op: "=", text: "a\n" },
    { op: "-", text: "b" },
    { op: "+", text: "B" },
    { op: "=", text: "\nc\n" },
  ]);
  const longer = diff("First line.\nSecond line ends here.", "First line.\nSecond line ends here. Really.");
  assert.deepEqual(
    longer.filter((p) => p.op !== "="),
    [{ op: "+", text: " Really." }],
  );
  assert.ok(unchanged(diff("same", "same")));
  assert.ok(!unchanged(diff("", "new")));
});

test("message text for every content shape", () => {
  assert.equal(messageText({ role: "user", content: "hi" }), "hi");
  assert.equal(
    messageText({ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url" }] }),
    "look\n[image_url]",
  );
  assert.equal(
    messageText({ role: "assistant", content: null, tool_calls: [{ function: { name: "f", arguments: "{}" } }] }),
    "→ f({})",
  );
  assert.equal(messageText({ role: "assistant", content: "", refusal: "no" }), "(refused: no)");
});

test("what the models do not know is shown as its raw JSON, never dropped", () => {
  const critic = { role: "critic", content: "<b>too long</b>" };
  assert.equal(messageText(critic), JSON.stringify(critic));
  const video = { type: "video_url", video_url: { url: "https://x/v.mp4" } };
  assert.equal(
    messageText({ role: "user", content: [{ type: "text", text: "see" }, video] }),
    `see\n${JSON.stringify(video)}`,
  );
  const unknown = { type: "rubric", score: { a: 1 } };
  assert.equal(evaluationText(unknown), JSON.stringify(unknown));
  // the value, not its type or ids
  assert.equal(evaluationText({ type: "number", value: 3 }), "3");
  assert.equal(evaluationText({ type: "string", value: "good", reviewed_by_id: "01JBX0" }), "good");
  assert.equal(evaluationText({ type: "boolean", value: false }), "no");
});

test("formatting helpers", () => {
  assert.equal(pretty("x"), "x");
  assert.equal(pretty({ a: 1 }), '{\n  "a": 1\n}');
  assert.deepEqual(parseLoose('{"team":"x"}'), { team: "x" });
  assert.equal(parseLoose("billing"), "billing");
  assert.equal(evaluationText({ type: "string_array", values: ["a", "b"] }), "a, b");
  assert.equal(rangeText(2, 25, 25, 10000), "Rows 26–50 of 10,000");
  assert.equal(rangeText(1, 25, 0, 0), "No datapoints");
  assert.equal(pageCount(101, 25), 5);
  assert.equal(pageCount(null, 25), null);
});

test("editor text and values by the column's kind", () => {
  assert.equal(editorText("text", null), "");
  assert.equal(editorText("inputs", { a: 1 }), '{\n  "a": 1\n}');
  assert.deepEqual(editorValue("text", "{not json"), { value: "{not json" });
  assert.deepEqual(editorValue("inputs", '{"a": 2}'), { value: { a: 2 } });
  assert.match(editorValue("inputs", "[1]", "Inputs").error, /Inputs must be a JSON object/);
  assert.match(editorValue("messages", "[oops", "Messages").error, /Messages must be valid JSON/);
  assert.deepEqual(editorValue("json", '{"team":"x"}'), { value: { team: "x" } });
  assert.deepEqual(editorValue("json", "plain"), { value: "plain" });
});

test("a review's hover text: its kind, when and why; never ids", () => {
  const review = {
    id: "01JBX0AAAA",
    human_review_id: "01JBX0BBBB",
    reviewed_by_id: "01JBX0CCCC",
    type: "string",
    value: "good",
    reviewed_at: "2026-01-01T10:00:00Z",
    explanation: "polite and right",
  };
  const title = evaluationTitle(review, Date.parse("2026-01-01T12:00:00Z"));
  assert.match(title, /^Human review\nreviewed 2 hours ago \(.*2026.*\)\npolite and right$/);
  assert.doesNotMatch(title, /01JBX0/);
  assert.match(evaluationTitle({ ...review, annotator: { kind: "llm", actor_id: "x" } }), /^LLM judge/);
});

test("a JSON field keeps its type: an object's typo is refused with the parse error, text only on purpose", () => {
  const original = { team: "platform", priority: "high" };
  const typo = '{"team": "platform", "priority": medium}';
  const refused = editorValue("json", typo, "Expected output", { original });
  assert.match(refused.error, /Expected output held a JSON object: .*valid JSON/);
  assert.equal(refused.asTextOffered, true);
  assert.equal("value" in refused, false);
  assert.deepEqual(editorValue("json", typo, "Expected output", { original, asText: true }), { value: typo });
  assert.deepEqual(editorValue("json", '{"team": "x"}', "E", { original }), { value: { team: "x" } });
  assert.deepEqual(editorValue("json", "42", "E", { original: "was text" }), { value: "42" }); // text stays text
  assert.match(editorValue("json", "[1,", "Input", { original: [1] }).error, /held a JSON list/);
  assert.deepEqual(editorValue("json", "billing", "E", { original: null }), { value: "billing" });
});
