import assert from "node:assert/strict";
import { test } from "node:test";
import { choiceButton } from "../feedback/choice-button.js";
import { choicesFor, isPicked, nextValue } from "../feedback/choices.js";
import { CONTRACT } from "./support/contract.js";
import { installDOM, tagsBelow } from "./support/dom.js";

installDOM();

test("choices per kind", () => {
  assert.deepEqual(
    choicesFor("thumbs", { options: CONTRACT.thumbs }).map((c) => c.value),
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

test("a choice button: pressed state, its name for screen readers, an option's markup as text", () => {
  const picked = [];
  const [up, down] = choicesFor("thumbs", { options: CONTRACT.thumbs });
  const good = choiceButton(up, { pressed: true, ariaLabel: up.name, onPick: () => picked.push(up.value) });
  assert.equal(good.getAttribute("aria-pressed"), "true");
  assert.ok(good.className.split(" ").includes("nbw-pressed"));
  assert.equal(good.getAttribute("aria-label"), "Good (thumbs up)"); // begins with the words it shows
  assert.equal(good.textContent, "Good");
  good.dispatchEvent({ type: "click" });
  assert.deepEqual(picked, ["good"]);

  const bad = choiceButton(down, { pressed: false, onPick: () => {} });
  assert.equal(bad.getAttribute("aria-pressed"), "false");
  assert.ok(!bad.className.split(" ").includes("nbw-pressed"));
  assert.equal(bad.getAttribute("aria-label"), null); // the visible label is its name
  assert.equal(bad.title, "Bad (thumbs down)");
  assert.ok(bad.children[0].getAttribute("class").includes("nbw-thumb-down")); // the thumb turned over

  const [option] = choicesFor("choice", { options: ["<img src=x onerror=alert(1)>"] });
  const shown = choiceButton(option, { pressed: false, title: "key 1", onPick: () => {} });
  assert.equal(shown.textContent, "<img src=x onerror=alert(1)>");
  assert.deepEqual(tagsBelow(shown), []);
  assert.equal(shown.title, "key 1");
});

test("a single choice reads as radio buttons, several choices as checkboxes; both show their state", () => {
  const [a] = choicesFor("choice", { options: ["a", "b"] });
  const radio = choiceButton(a, { pressed: true, mode: "radio", onPick: () => {} });
  assert.equal(radio.getAttribute("role"), "radio");
  assert.equal(radio.getAttribute("aria-checked"), "true");
  assert.equal(radio.getAttribute("aria-pressed"), null);
  assert.ok(radio.className.includes("nbw-choice-radio"));
  const box = choiceButton(a, { pressed: false, mode: "checkbox", onPick: () => {} });
  assert.equal(box.getAttribute("role"), "checkbox");
  assert.equal(box.getAttribute("aria-checked"), "false");
  assert.ok(box.className.includes("nbw-choice-checkbox"));
  assert.equal(box.textContent, "a"); // the mark is drawn, not words
  const toggle = choiceButton(a, { pressed: true, onPick: () => {} }); // thumbs and scores stay toggles
  assert.equal(toggle.getAttribute("role"), null);
  assert.equal(toggle.getAttribute("aria-pressed"), "true");
});
