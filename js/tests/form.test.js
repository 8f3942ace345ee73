import assert from "node:assert/strict";
import { test } from "node:test";
import "./support/contract.js";
import {
  emptyAfterModeSwitch,
  getAt,
  parseCodes,
  parseModels,
  parseNumber,
  problemsByField,
  setAt,
  withMode,
  withOutputType,
} from "../form/draft.js";

test("set and get nested values without touching the original", () => {
  const draft = { jury: { judges: [{ model: "a" }] } };
  const next = setAt(draft, ["jury", "judges", 0, "model"], "b");
  assert.equal(getAt(next, ["jury", "judges", 0, "model"]), "b");
  assert.equal(draft.jury.judges[0].model, "a");
  assert.deepEqual(setAt({}, ["guardrail_config", "value"], 3), { guardrail_config: { value: 3 } });
});

test("switching to a jury starts from two judges, keeping the model", () => {
  const jury = withMode({ mode: "single", model: "openai/gpt-4o" }, "jury");
  assert.equal(jury.jury.judges.length, 2);
  assert.equal(jury.jury.judges[0].model, "openai/gpt-4o");
  const back = withMode(jury, "single");
  assert.equal(back.mode, "single");
  assert.deepEqual(withMode(back, "jury").jury, jury.jury); // the jury is kept for switching back
});

test("a new output type brings a fitting guardrail", () => {
  const draft = { output_type: "boolean", guardrail_config: { type: "boolean", value: true, enabled: true } };
  assert.equal(withOutputType(draft, "number").guardrail_config.type, "number");
  assert.equal(withOutputType(draft, "string").guardrail_config, null);
  const categorical = withOutputType(draft, "categorical");
  assert.deepEqual(
    categorical.categorical_labels.map((l) => l.value),
    ["pass", "fail"],
  );
  assert.deepEqual(categorical.guardrail_config.values, ["pass"]);
});

test("an output type round trip keeps the guardrail the draft had, or its absence", () => {
  const guardrail = { type: "boolean", value: false, enabled: true, operator: "eq" };
  const draft = { output_type: "boolean", guardrail_config: guardrail };
  const kept = {};
  const back = withOutputType(withOutputType(draft, "string", kept), "boolean", kept);
  assert.deepEqual(back.guardrail_config, guardrail); // not dropped, not a default one
  const viaNumber = withOutputType(withOutputType(draft, "number", kept), "boolean", kept);
  assert.deepEqual(viaNumber.guardrail_config, guardrail);
  const none = {};
  const unchecked = { output_type: "boolean", guardrail_config: null }; // the user turned it off
  const again = withOutputType(withOutputType(unchecked, "number", none), "boolean", none);
  assert.equal(again.guardrail_config, null);
});

test("the fields a mode switch leaves empty count as shown", () => {
  const jury = withMode({ mode: "single", model: "openai/gpt-4o" }, "jury");
  assert.deepEqual(emptyAfterModeSwitch(jury), ["jury.judges.1.model"]);
  assert.deepEqual(emptyAfterModeSwitch(withMode({ mode: "jury", model: null, jury: jury.jury }, "single")), ["model"]);
  assert.deepEqual(emptyAfterModeSwitch(withMode({ mode: "jury", model: "a/b", jury: jury.jury }, "single")), []);
});

test("parsing inputs", () => {
  assert.deepEqual(parseCodes("429, 500 503"), [429, 500, 503]);
  assert.deepEqual(parseCodes("429, abc"), [429, "abc"]);
  assert.deepEqual(parseModels("a, b ,"), [{ model: "a" }, { model: "b" }]);
  assert.equal(parseNumber(""), null);
  assert.equal(parseNumber("2"), 2);
  assert.equal(parseNumber("x"), "x");
});

test("problems land on the nearest known field", () => {
  const known = new Set(["key", "jury.judges", "jury.judges.0.retry.count"]);
  const { placed, loose } = problemsByField(
    { key: "bad", "jury.judges.0.retry.count": "too many", "jury.judges.1.model": "empty", other: "?" },
    known,
  );
  assert.deepEqual(placed.get("key"), ["bad"]);
  assert.deepEqual(placed.get("jury.judges.0.retry.count"), ["too many"]);
  assert.deepEqual(placed.get("jury.judges"), ["empty"]);
  assert.deepEqual(loose, ["other: ?"]);
});
