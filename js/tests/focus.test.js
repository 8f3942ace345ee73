// Focus across re-renders (shared/dom.js keepingFocus) and Esc back to the notebook (shared/keys.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderPager } from "../grid/pager.js";
import { renderControls } from "../grid/toolbar.js";
import { h, keepingFocus } from "../shared/dom.js";
import { isolateShortcuts } from "../shared/keys.js";
import { installDOM } from "./support/dom.js";

installDOM();

const buttonsOf = (node) => node.descendants().filter((n) => n.tagName === "BUTTON");
const named = (node, text) => buttonsOf(node).find((b) => b.textContent === text);

function pagerIn(traits) {
  const pager = h("div", { class: "nbw-pager" });
  const root = h("div", { class: "nbw" }, pager);
  const state = { dataset_id: "d", page_number: 1, page_count: 5, page_size: 10, has_next: true, ...traits };
  const draw = () =>
    renderPager(pager, { get: (n) => state[n], send: () => {}, flip: () => {}, rowCount: 10, viewId: "v" });
  draw();
  return { root, pager, state, draw };
}

test("a rebuilt pager keeps focus on the rebuilt Next page button (Enter twice flips twice)", () => {
  const { root, pager, state, draw } = pagerIn({});
  named(pager, "Next page ›").focus();
  state.page_number = 2;
  keepingFocus(root, draw);
  assert.equal(document.activeElement, named(pager, "Next page ›")); // the new element, not the old one
  assert.ok(root.contains(document.activeElement));
});

test("a control that is disabled after the render hands focus to the first control of its part", () => {
  const { root, pager, state, draw } = pagerIn({ page_number: 3, has_previous: true });
  named(pager, "« First page").focus();
  Object.assign(state, { page_number: 1, has_previous: false });
  keepingFocus(root, draw);
  // First and Previous are disabled on page 1: Next is the first control that takes focus
  assert.equal(document.activeElement, named(pager, "Next page ›"));
});

test("a control named by data-focus-key or id is found again though its words change", () => {
  const box = h("div");
  const root = h("div", {}, box);
  const draw = (words) =>
    box.replaceChildren(
      h("button", { type: "button", dataset: { focusKey: "save" } }, words),
      h("input", { id: "v-find" }),
      h("input", { id: "v-goto" }),
    );
  draw("Save");
  buttonsOf(box)[0].focus();
  keepingFocus(root, () => draw("Saving…"));
  assert.equal(document.activeElement.dataset.focusKey, "save");
  box.children[2].focus(); // the second of two unnamed text boxes: told apart by id
  keepingFocus(root, () => draw("Save"));
  assert.equal(document.activeElement, box.children[2]);
});

test("when nothing of its part is left, the widget's root takes focus, never the page", () => {
  const part = h("div");
  const root = h("div", {}, part);
  part.append(h("button", { type: "button" }, "Choose"));
  buttonsOf(part)[0].focus();
  keepingFocus(root, () => {
    part.hidden = true;
    part.replaceChildren();
  });
  assert.equal(document.activeElement, root);
  assert.equal(root.getAttribute("tabindex"), "-1");
});

test("focus outside the widget, or moved on purpose by the render, is left alone", () => {
  const outside = h("button", { type: "button" }, "Elsewhere");
  const part = h("div", {}, h("button", { type: "button" }, "A"));
  const root = h("div", {}, part);
  outside.focus();
  keepingFocus(root, () => part.replaceChildren(h("button", { type: "button" }, "A")));
  assert.equal(document.activeElement, outside);
  buttonsOf(part)[0].focus();
  const chosen = h("input", { id: "chosen" });
  keepingFocus(root, () => {
    part.replaceChildren(h("button", { type: "button" }, "A"), chosen);
    chosen.focus();
  });
  assert.equal(document.activeElement, chosen);
});

test("inside a shadow root (marimo) the focused control is found through the root node", () => {
  const part = h("div", {}, h("button", { type: "button" }, "Next page ›"));
  const root = h("div", {}, part);
  const host = h("div");
  root.shadow = { host, activeElement: null };
  buttonsOf(part)[0].focus();
  assert.equal(document.activeElement, host); // the page sees only the host
  keepingFocus(root, () => part.replaceChildren(h("button", { type: "button" }, "Next page ›")));
  assert.equal(root.shadow.activeElement, buttonsOf(part)[0]);
  assert.equal(document.activeElement, host);
});

const keydown = (key) => ({
  type: "keydown",
  key,
  defaultPrevented: false,
  preventDefault() {
    this.defaultPrevented = true;
  },
});

test("Esc in any field of a widget hands focus to the notebook; an Esc used inside stays there", () => {
  const notebook = h("div", { class: "jp-Notebook" });
  const field = h("textarea");
  const editor = h("input");
  editor.addEventListener("keydown", (event) => event.key === "Escape" && event.preventDefault()); // closes itself
  const root = h("div", {}, field, editor);
  notebook.append(root);
  const controller = new AbortController();
  isolateShortcuts(root, controller.signal);
  field.focus();
  field.dispatchEvent(keydown("Escape"));
  assert.equal(document.activeElement, notebook);
  assert.equal(notebook.getAttribute("tabindex"), "-1");
  editor.focus();
  editor.dispatchEvent(keydown("Escape"));
  assert.equal(document.activeElement, editor);
  field.focus();
  field.dispatchEvent(keydown("a"));
  assert.equal(document.activeElement, field);
  controller.abort();
});

test("Esc in the grid's Find box stops a find in progress first; with none running it leaves the widget", () => {
  const notebook = h("div", { class: "jp-Notebook" });
  const bar = h("div");
  const root = h("div", {}, bar);
  notebook.append(root);
  const controller = new AbortController();
  isolateShortcuts(root, controller.signal);
  const sent = [];
  const state = { dataset_id: "d", schema: {}, find: { query: "x", running: true } };
  const draw = () =>
    renderControls(bar, {
      get: (n) => state[n],
      send: (...args) => sent.push(args[0]),
      viewId: "v",
      layout: {},
      setLayout: () => {},
      setDensity: () => {},
      columnsOpen: false,
      toggleColumns: () => {},
    });
  draw();
  const find = () => bar.descendants().find((n) => n.id === "v-find");
  find().focus();
  find().dispatchEvent(keydown("Escape"));
  assert.deepEqual(sent, ["cancel_find"]);
  assert.equal(document.activeElement, find());
  state.find = { query: "x", running: false };
  draw();
  find().focus();
  find().dispatchEvent(keydown("Escape"));
  assert.deepEqual(sent, ["cancel_find"]);
  assert.equal(document.activeElement, notebook);
  controller.abort();
});

test("a listing that fits on one page shows no page controls (they could do nothing), only its range", () => {
  const few = pagerIn({ page_count: 1, page_size: 3, total: 3, has_next: false, has_previous: false });
  assert.deepEqual(buttonsOf(few.pager), []);
  assert.ok(!few.pager.descendants().some((n) => n.tagName === "SELECT")); // 3 rows: no size splits them
  assert.match(few.pager.textContent, /3/);
  // 25 rows on one page of 25: a smaller size would page them, so the size stays; still no page buttons
  const one = pagerIn({ page_count: 1, page_size: 25, total: 25, has_next: false });
  assert.deepEqual(buttonsOf(one.pager), []);
  assert.ok(one.pager.descendants().some((n) => n.tagName === "SELECT"));
  // a real second page brings them back
  const two = pagerIn({ page_count: 2, page_size: 25, total: 30 });
  assert.ok(named(two.pager, "Next page ›"));
});
