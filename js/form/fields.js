// The form's field builders: a labelled field (its error line, its hint, the ids that tie them), a text or
// number input, a select, a checkbox, a loose error line. Each control edits the draft through `change`;
// the error lines and inputs are kept by path so the kernel's problems can be shown on them.

import { h } from "../shared/dom.js";
import { getAt } from "./draft.js";

/**
 * Builders for one form view. `draft()` is the draft as it stands, `change(path, value)` edits it,
 * `onTouch(path)` is told the first time a field is typed in or changed. `reset()` starts a new build:
 * `errorNodes` and `inputsByPath` (path -> element) then hold the fields of that build only.
 */
export function createFields({ viewId, signal, draft, change, onTouch }) {
  let count = 0; // ids stay unique in the view across builds
  const errorNodes = new Map(); // field path -> the element that shows its problem
  const inputsByPath = new Map();

  function field(label, path, control, { hint } = {}) {
    const key = path.join(".");
    const id = `${viewId}-f${++count}`;
    const error = h("div", { class: "nbw-field-error", id: `${id}-error`, "aria-live": "polite" });
    control.id = id;
    control.dataset.path = key;
    control.dataset.focusKey = key; // ids are new on each build: the path names the field across builds
    control.setAttribute("aria-describedby", `${id}-error${hint ? ` ${id}-hint` : ""}`);
    const touch = () => onTouch(key);
    control.addEventListener("input", touch, { signal });
    control.addEventListener("change", touch, { signal });
    errorNodes.set(key, error);
    inputsByPath.set(key, control);
    return h(
      "div",
      { class: "nbw-field" },
      h("label", { for: id }, label),
      control,
      hint ? h("div", { class: "nbw-muted", id: `${id}-hint` }, hint) : null,
      error,
    );
  }

  function shownValue(value, format) {
    if (value == null) return "";
    return format ? format(value) : String(value);
  }

  function text(path, attrs = {}, parse = (v) => v) {
    const input = h(attrs.multiline ? "textarea" : "input", {
      ...(attrs.multiline ? { rows: "8" } : { type: attrs.type ?? "text" }),
      value: shownValue(getAt(draft(), path), attrs.format),
      min: attrs.min,
      max: attrs.max,
      step: attrs.step,
      list: attrs.list,
      placeholder: attrs.placeholder,
      spellcheck: attrs.multiline ? "false" : undefined,
    });
    input.addEventListener("input", () => change(path, parse(input.value)), { signal });
    return input;
  }

  function select(path, options, onPick) {
    const current = getAt(draft(), path);
    const node = h(
      "select",
      {},
      Object.entries(options).map(([value, label]) =>
        h("option", { value, selected: String(current) === value }, label),
      ),
    );
    node.addEventListener("change", () => onPick(node.value), { signal });
    return node;
  }

  function checkbox(label, checked, onToggle, path) {
    const id = `${viewId}-c${++count}`;
    const box = h("input", { type: "checkbox", id, checked: Boolean(checked) });
    box.dataset.focusKey = path ?? `check:${label}`;
    if (path) {
      box.dataset.path = path;
      inputsByPath.set(path, box);
    }
    box.addEventListener("change", () => onToggle(box.checked), { signal });
    return h("label", { class: "nbw-check", for: id }, box, " ", label);
  }

  function errorFor(path) {
    const node = h("div", { class: "nbw-field-error", "aria-live": "polite" });
    errorNodes.set(path, node);
    return node;
  }

  function reset() {
    errorNodes.clear();
    inputsByPath.clear();
  }

  return { field, text, select, checkbox, errorFor, reset, errorNodes, inputsByPath };
}
