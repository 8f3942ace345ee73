import assert from "node:assert/strict";
import { test } from "node:test";
import { choicesFor, isPicked, nextValue } from "../feedback/choices.js";

test("choices per kind", () => {
  assert.deepEqual(
    choicesFor("thumbs").map((c) => c.value),
    ["good", "bad"],
  );
  assert.deepEqual(
    choicesFor("score", { min: 0, max: 1, step: 0.25 }).map((c) => c.value),
    [0, 0.25, 0.5, 0.75, 1],
  );
  assert.deepEqual(
    choicesFor("choices", { options: ["a", "b"] }).map((c) => c.name),
    ["a", "b"],
  );
  assert.deepEqual(choicesFor("correction"), []);
});

test("picking toggles within choices and replaces otherwise", () => {
  assert.deepEqual(nextValue("choices", ["a"], "b"), ["a", "b"]);
  assert.deepEqual(nextValue("choices", ["a", "b"], "a"), ["b"]);
  assert.deepEqual(nextValue("choices", null, "a"), ["a"]);
  assert.equal(nextValue("thumbs", "good", "bad"), "bad");
  assert.ok(isPicked("choices", ["a"], "a") && !isPicked("choices", ["a"], "b"));
  assert.ok(isPicked("score", 3, 3));
});
