// The staged edits of a versioned dataset while their version write is not saved: what the bar says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { installDOM, tagsBelow } from "./support/dom.js";

installDOM();
const { renderStaged, versionBadges } = await import("../grid/toolbar.js");
const { savingWords } = await import("../experiment/review.js");

function bar(traits) {
  const element = document.createElement("div");
  const sent = [];
  renderStaged(element, { get: (name) => traits[name], send: (type, body) => sent.push([type, body]), viewId: "v" });
  return { element, sent, buttons: element.descendants().filter((e) => e.tagName === "BUTTON") };
}

test("staged edits: a count, make active, save and discard", () => {
  const { element, sent, buttons } = bar({ staged: { a: {}, b: {} }, version_save: {} });
  assert.equal(element.hidden, false);
  assert.match(element.textContent, /2 staged edits/);
  assert.deepEqual(
    buttons.map((b) => b.textContent),
    ["Save as new version", "Discard edits"],
  );
  const makeActive = element.descendants().find((e) => e.tagName === "INPUT");
  makeActive.checked = true;
  buttons[0].dispatchEvent({ type: "click" });
  assert.deepEqual(sent, [["save_version", { make_active: true }]]);
});

test("while the version is being saved: no second save, no discard", () => {
  const { element, buttons } = bar({ staged: { a: {} }, version_save: { state: "pending" } });
  assert.match(element.textContent, /Saving 1 staged edit as a new version…/);
  assert.deepEqual(buttons, []);
});

test("retrying: the reason as text, the attempt, and Retry now", () => {
  const reason = "<b>503</b> the service is down";
  const { element, sent, buttons } = bar({
    staged: { a: {} },
    // the message is in a person's words; the request line is only in `detail` (describe())
    version_save: { state: "retrying", message: reason, detail: "POST /api/datasets/ -> 503", attempts: 3 },
  });
  assert.match(
    element.textContent,
    /Not saved yet: <b>503<\/b> the service is down\. Attempt 3; your edits stay staged\./,
  );
  assert.ok(!tagsBelow(element).includes("b")); // the reason is text, never markup
  assert.ok(!element.textContent.includes("POST /api")); // no request line
  assert.deepEqual(
    buttons.map((b) => b.textContent),
    ["Retry now"],
  );
  buttons[0].dispatchEvent({ type: "click" });
  assert.deepEqual(sent, [["retry_version", undefined]]);
});

test("nothing staged: the bar is hidden and empty", () => {
  const { element } = bar({ staged: {}, version_save: { state: "retrying" } });
  assert.equal(element.hidden, true);
  assert.equal(element.textContent, "");
});

test("experiment: the version save in words", () => {
  assert.equal(savingWords({ state: "pending" }), "Saving as a new version…");
  assert.equal(
    savingWords({ state: "retrying", message: "GET /api/datasets/x/ -> 500" }),
    "Not saved yet (GET /api/datasets/x/ -> 500); retrying, the outputs stay staged",
  );
});

test("a version's badges: active, or a warning when a newer version exists", () => {
  const words = (badges) => badges.map((b) => b.textContent);
  assert.deepEqual(words(versionBadges(2, { newest: 2, active: true })), ["version 2", "active"]);
  const old = versionBadges(1, { newest: 3, active: false });
  assert.deepEqual(words(old), ["version 1", "not the newest (version 3)"]);
  assert.match(old[1].getAttribute("title"), /made from version 1, without what the versions after it changed/);
  assert.deepEqual(words(versionBadges(4, {})), ["version 4"]);
});

test("staging on an old version says the new version will not have what came after it", () => {
  const { element } = bar({ staged: { a: {} }, version_save: {}, version: 1, version_standing: { newest: 3 } });
  assert.match(
    element.textContent,
    /Saved from version 1: the new version will not have what versions after it \(up to 3\) changed/,
  );
  const newest = bar({ staged: { a: {} }, version_save: {}, version: 3, version_standing: { newest: 3 } });
  assert.doesNotMatch(newest.element.textContent, /Saved from version/);
});
