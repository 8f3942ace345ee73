// The grid's growing and pruning (grid/curate.js): the confirm names the count and says what undo does,
// the delete asks first, a panel keeps what was typed across trait changes, ids are unique per view.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createCurate, deleteQuestion, pastePreviewTitle } from "../grid/curate.js";
import { installDOM } from "./support/dom.js";

installDOM();

const buttonsOf = (node) => node.descendants().filter((n) => n.tagName === "BUTTON");
const named = (node, text) => buttonsOf(node).find((b) => b.textContent === text);

function curateWith(traits) {
  const state = {
    dataset_id: "d",
    total: 30,
    selection: [],
    schema: {
      save: "patch",
      columns: [
        { key: "expected_output", title: "Expected output", kind: "text", editable: true },
        { key: "inputs", title: "Inputs", kind: "inputs", editable: true },
      ],
    },
    ...traits,
  };
  const sent = [];
  const request = (type, payload = {}) => {
    sent.push([type, payload]);
    return Promise.resolve({ ok: true });
  };
  const curate = createCurate({
    get: (name) => state[name],
    request,
    viewId: `v${Math.random()}`,
    signal: new AbortController().signal,
    focusTable: () => {},
  });
  curate.renderSummary();
  return { curate, state, sent };
}

test("the delete question names the count and what undo does, on each service", () => {
  assert.equal(
    deleteQuestion(3, "patch"),
    "Delete 3 datapoints? Undo brings them back as new datapoints (orq gives them new ids).",
  );
  assert.match(deleteQuestion(1, "patch"), /^Delete 1 datapoint\? Undo brings it back/);
  assert.match(deleteQuestion(2, "version"), /^Remove 2 datapoints from the next version\? Nothing is sent/);
  assert.equal(pastePreviewTitle({ mode: "new", count: 2 }), "2 new datapoints will be added:");
  assert.equal(pastePreviewTitle({ mode: "fill", count: 1 }), "1 selected row will be filled:");
});

test("Delete asks first: nothing is sent until the confirm's button, which names the count", () => {
  const { curate, sent } = curateWith({ selection: ["a", "b", "c"] });
  assert.ok(named(curate.element, "Delete 3…"));
  curate.confirmDelete();
  assert.deepEqual(sent, []);
  const yes = named(curate.element, "Delete 3"); // focused in a browser (the JupyterLab test presses Enter on it)
  assert.ok(named(curate.element, "Cancel"));
  yes.dispatchEvent({ type: "click" });
  assert.deepEqual(sent, [["delete", { ids: ["a", "b", "c"] }]]);
});

test("with nothing selected, there is no delete to confirm", () => {
  const { curate, sent } = curateWith({});
  curate.confirmDelete();
  assert.equal(named(curate.element, "Delete 0"), undefined);
  assert.equal(curate.isOpen(), null);
  assert.deepEqual(sent, []);
});

test("a replace panel keeps what was typed when a preview arrives, and asks for the preview", () => {
  const { curate, state, sent } = curateWith({ selection: ["a"] });
  named(curate.element, "Replace…").dispatchEvent({ type: "click" });
  const inputs = curate.element.descendants().filter((n) => n.tagName === "INPUT");
  inputs[0].value = "red";
  inputs[0].dispatchEvent({ type: "input" });
  inputs[1].value = "blue";
  inputs[1].dispatchEvent({ type: "input" });
  state.replace_preview = { count: 1, changes: [{ id: "a", before: "red car", after: "blue car" }] };
  curate.renderPreview();
  const again = curate.element.descendants().filter((n) => n.tagName === "INPUT");
  assert.equal(again[0].value, "red");
  assert.equal(again[1].value, "blue");
  assert.ok(named(curate.element, "Replace in 1 datapoint"));
  assert.equal(sent.length, 0);
});
