import assert from "node:assert/strict";
import { test } from "node:test";
import { keyAction, keyHelp, metadataText, outputText, progressText } from "../experiment/review.js";
import { CONTRACT } from "./support/contract.js";

const thumbs = { property: "rating", kind: "thumbs", options: CONTRACT.thumbs };
const correction = { property: "correction", kind: "correction" };
const score = { property: "quality", kind: "score", score_min: 1, score_max: 5 };
const key = (k, extra = {}) => ({ key: k, code: /^[0-9]$/.test(k) ? `Digit${k}` : `Key${k.toUpperCase()}`, ...extra });

test("keys: moving, thumbs, correction, use as expected, re-run", () => {
  const kinds = [thumbs, correction];
  assert.deepEqual(keyAction(key("j"), kinds), { type: "move", key: "j" });
  assert.deepEqual(keyAction({ key: "ArrowUp" }, kinds), { type: "move", key: "ArrowUp" });
  assert.deepEqual(keyAction(key("1"), kinds), { type: "feedback", property: "rating", value: "good" });
  assert.deepEqual(keyAction(key("2"), kinds), { type: "feedback", property: "rating", value: "bad" });
  assert.equal(keyAction(key("3"), kinds), null);
  assert.deepEqual(keyAction(key("c"), kinds), { type: "correct" });
  assert.deepEqual(keyAction(key("u"), kinds), { type: "use_expected" });
  assert.deepEqual(keyAction(key("r"), kinds), { type: "rerun" });
  assert.equal(keyAction(key("r", { ctrlKey: true }), kinds), null); // the browser's and notebook's chords pass
  assert.equal(keyAction(key("c"), [thumbs]), null); // no correction asked for
});

test("keys: digits score; with thumbs on 1/2 the score takes Shift+digit", () => {
  assert.deepEqual(keyAction(key("4"), [score]), { type: "feedback", property: "quality", value: 4 });
  assert.equal(keyAction(key("9"), [score]), null);
  assert.deepEqual(keyAction(key("1"), [thumbs, score]), { type: "feedback", property: "rating", value: "good" });
  assert.deepEqual(keyAction({ key: "!", code: "Digit1", shiftKey: true }, [thumbs, score]), {
    type: "feedback",
    property: "quality",
    value: 1,
  });
  assert.match(keyHelp([thumbs, score, correction]), /1\/2 thumbs · Shift\+1–5 score · c correct/);
});

test("metadata, outputs and progress as text", () => {
  assert.equal(metadataText({ latency_ms: 1234, tokens: 120, cost: 0.00042 }), "1.2 s · 120 tokens · $0.00042");
  assert.equal(metadataText({ latency_ms: 12.4, input_tokens: 3, output_tokens: 4 }), "12 ms · 7 tokens");
  assert.equal(outputText({ a: 1 }), '{\n  "a": 1\n}');
  assert.equal(outputText(null), "");
  assert.equal(
    progressText({ done: 3, error: 0, running: 4, queued: 3, rows: 10 }, 4, true),
    "Generating: 3 of 10 done · 4 at a time",
  );
  assert.equal(
    progressText({ done: 2, error: 0, rows: 10 }, 4, false),
    "This page: 2 of 10 generated · 8 not generated",
  );
  // a failed row is failed, not generated: the header agrees with the footer's summary ("2 generated · ...")
  assert.equal(progressText({ done: 2, error: 3, rows: 5 }, 4, false), "This page: 2 of 5 generated · 3 failed");
  assert.equal(progressText({ done: 9, error: 1, rows: 10 }, 4, false), "This page: 9 of 10 generated · 1 failed");
});
