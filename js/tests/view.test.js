// view.js: the opening every render() shares (listeners undone at the end, changes coalesced, the root
// mounted with the notebook's shortcuts kept out, the pending-writes header kept up to date).
import assert from "node:assert/strict";
import { test } from "node:test";
import { installDOM } from "./support/dom.js";
import { fakeModel } from "./support/model.js";

installDOM();
const { startView } = await import("../shared/view.js");

test("a view's id is unique, traits are read and written, changes are coalesced into one call", async () => {
  const model = fakeModel({ a: 1 });
  const el = document.createElement("div");
  const one = startView({ model, el, name: "form" });
  const two = startView({ model, el, name: "form" });
  assert.match(one.viewId, /^nbw-form-/);
  assert.notEqual(one.viewId, two.viewId);
  assert.equal(one.get("a"), 1);
  one.set("a", 2);
  assert.equal(model.traits.a, 2);
  assert.equal(model.saved, 1);
  let calls = 0;
  one.watch(["a", "b"], () => calls++);
  model.fire("change:a");
  model.fire("change:b");
  await Promise.resolve();
  assert.equal(calls, 1);
  one.dispose();
  two.dispose();
});

test("mount puts the root in el with shortcuts kept out; dispose removes every listener and aborts", () => {
  const model = fakeModel({ pending_writes: { count: 0, items: [] } });
  const el = document.createElement("div");
  const view = startView({ model, el, name: "grid" });
  const root = document.createElement("div");
  root.append(view.pending.element);
  view.on("change:x", () => {});
  view.mount(root);
  assert.equal(el.children[0], root);
  assert.equal(root.getAttribute("data-lm-suppress-shortcuts"), "true");
  assert.ok(model.count() > 0);
  let aborted = false;
  view.signal.addEventListener("abort", () => {
    aborted = true;
  });
  view.dispose();
  assert.equal(model.count(), 0);
  assert.ok(aborted);
});
