// comm.js (intents answered by request id) and keys.js (shortcuts kept inside the widget).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRequester } from "../shared/comm.js";
import { isolateShortcuts, isSaveChord, saveChordText } from "../shared/keys.js";
import { installDOM } from "./support/dom.js";

installDOM();

/** A widget model as anywidget gives it: send() records, on/off keep the custom-message listeners. */
function fakeModel() {
  const listeners = new Set();
  return {
    sent: [],
    send(message) {
      this.sent.push(message);
    },
    on: (_, listener) => listeners.add(listener),
    off: (_, listener) => listeners.delete(listener),
    answer: (message) => {
      for (const listener of [...listeners]) listener(message);
    },
    listeners,
  };
}

test("a request is answered by its own id; answers to other views are left alone", async () => {
  const model = fakeModel();
  const one = createRequester(model, { timeoutMs: 2000 });
  const two = createRequester(model, { timeoutMs: 2000 });
  const first = one.request("next", { page: 2 });
  const second = two.request("next", { page: 3 });
  const [a, b] = model.sent;
  assert.equal(a.type, "next");
  assert.equal(a.page, 2);
  assert.notEqual(a.id, b.id);
  let settledTwo = false;
  second.then(() => {
    settledTwo = true;
  });
  model.answer({ id: a.id, ok: true, value: "first" });
  assert.equal((await first).value, "first");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settledTwo, false); // view two's request still waits for its own answer
  model.answer({ id: a.id, ok: true, value: "again" }); // a repeated answer is ignored
  model.answer({ id: b.id, ok: true, value: "second" });
  assert.equal((await second).value, "second");
  one.dispose();
  two.dispose();
});

test("a refusal rejects with the service's message and detail", async () => {
  const model = fakeModel();
  const requester = createRequester(model);
  const pending = requester.request("edit");
  model.answer({ id: model.sent[0].id, ok: false, error: { message: "inputs.q: must be text", status: 400 } });
  await assert.rejects(pending, (error) => error.message === "inputs.q: must be text" && error.detail.status === 400);
  requester.dispose();
});

test("no answer in time rejects naming the intent; dispose rejects what waits and stops listening", async () => {
  const model = fakeModel();
  const requester = createRequester(model, { timeoutMs: 20 });
  await assert.rejects(requester.request("find"), /no answer to find after 0.02s/);
  const waiting = createRequester(model, { timeoutMs: 60000 });
  const pending = waiting.request("first");
  waiting.dispose();
  await assert.rejects(pending, /view closed/);
  requester.dispose();
  assert.equal(model.listeners.size, 0);
});

test("keys inside the widget never reach the notebook, and Lumino skips its shortcuts there", () => {
  const notebook = document.createElement("div");
  const root = document.createElement("div");
  notebook.append(root);
  const inner = document.createElement("input");
  root.append(inner);
  const reached = [];
  notebook.addEventListener("keydown", (event) => reached.push(event.key));
  notebook.addEventListener("keypress", (event) => reached.push(event.key));
  const controller = new AbortController();
  isolateShortcuts(root, controller.signal);
  assert.equal(root.getAttribute("data-lm-suppress-shortcuts"), "true");
  inner.dispatchEvent({ type: "keydown", key: "a" });
  inner.dispatchEvent({ type: "keypress", key: "b" });
  assert.deepEqual(reached, []);
  controller.abort(); // the view is gone: keys flow again
  inner.dispatchEvent({ type: "keydown", key: "c" });
  assert.deepEqual(reached, ["c"]);
});

test("the save chord is Ctrl or Cmd + Enter only", () => {
  assert.ok(isSaveChord({ ctrlKey: true, key: "Enter" }));
  assert.ok(isSaveChord({ metaKey: true, key: "Enter" }));
  assert.ok(!isSaveChord({ key: "Enter" }));
  assert.ok(!isSaveChord({ ctrlKey: true, key: "s" }));
});

test("the save chord's hint names the platform's key only", () => {
  const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  const on = (navigator) => Object.defineProperty(globalThis, "navigator", { value: navigator, configurable: true });
  try {
    on({ platform: "Linux x86_64" });
    assert.equal(saveChordText(), "Ctrl+Enter");
    on({ platform: "Win32" });
    assert.equal(saveChordText(), "Ctrl+Enter");
    on({ platform: "MacIntel" });
    assert.equal(saveChordText(), "⌘+Enter");
    on({ userAgentData: { platform: "macOS" }, platform: "" });
    assert.equal(saveChordText(), "⌘+Enter");
  } finally {
    if (had) Object.defineProperty(globalThis, "navigator", had);
    else delete globalThis.navigator;
  }
});
