// The panels of the grid's curate part (curate.js) besides the new datapoint (curate-add.js): the delete
// confirm, find & replace with a preview of every change as a diff, and rows pasted with their preview.
// `p` is the curate part's panel context (curate.js: panelContext).
import { diffView } from "../shared/diff.js";
import { h } from "../shared/dom.js";

export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const SCOPES = [
  ["selection", "Selected rows"],
  ["page", "This page"],
  ["dataset", "Whole dataset"],
];

/** `{count, rows}` → the words a preview starts with. */
export function pastePreviewTitle(preview) {
  if (!preview?.mode) return "";
  return preview.mode === "fill"
    ? `${plural(preview.count, "selected row")} will be filled:`
    : `${plural(preview.count, "new datapoint")} will be added:`;
}

/** The confirm's question for deleting `count` datapoints (versioned: staged for the next version). */
export function deleteQuestion(count, save) {
  const what = plural(count, "datapoint");
  return save === "version"
    ? `Remove ${what} from the next version? Nothing is sent until you save the version.`
    : `Delete ${what}? Undo brings ${count === 1 ? "it" : "them"} back as new datapoints (orq gives them new ids).`;
}

export const cancel = (p) => h("button", { type: "button", onclick: () => p.close() }, "Cancel");

/** A panel's form: `onSubmit()` on Enter or its submit button, never a page load. */
export function panelForm(className, label, onSubmit, ...children) {
  const submit = (event) => {
    event.preventDefault();
    onSubmit();
  };
  return h("form", { class: className, "aria-label": label, onsubmit: submit }, children);
}

export function confirmPanel(p) {
  const { viewId } = p;
  const ids = p.selection();
  const yes = h(
    "button",
    {
      type: "button",
      class: "nbw-danger",
      "data-first": "",
      onclick: () => {
        p.request("delete", { ids }).catch((error) => p.setError(error.message));
        p.close();
      },
    },
    p.versioned() ? `Remove ${ids.length}` : `Delete ${ids.length}`,
  );
  return h(
    "div",
    { role: "alertdialog", "aria-labelledby": `${viewId}-confirm-q`, class: "nbw-confirm" },
    h("p", { id: `${viewId}-confirm-q` }, deleteQuestion(ids.length, p.get("schema")?.save)),
    yes,
    cancel(p),
  );
}

export function replacePanel(p) {
  const { viewId } = p;
  const d = p.drafts.replace;
  const find = h("input", { type: "text", id: `${viewId}-replace-find`, value: d.find, "data-first": "" });
  const by = h("input", { type: "text", id: `${viewId}-replace-by`, value: d.replace });
  const fieldChoice = h(
    "select",
    { id: `${viewId}-replace-field` },
    p.editable().map((c) => h("option", { value: c.key, selected: d.field === c.key }, c.title)),
  );
  const scope = h(
    "select",
    { id: `${viewId}-replace-scope` },
    SCOPES.map(([value, label]) =>
      h("option", { value, selected: (d.scope || (p.selection().length ? "selection" : "page")) === value }, label),
    ),
  );
  const keep = () =>
    Object.assign(d, { find: find.value, replace: by.value, field: fieldChoice.value, scope: scope.value });
  for (const control of [find, by, fieldChoice, scope]) control.addEventListener("input", keep);
  for (const control of [fieldChoice, scope]) control.addEventListener("change", keep);
  const preview = p.get("replace_preview") ?? {};
  const ask = () => {
    keep();
    p.ask("replace_preview", {
      find: d.find,
      replace: d.replace,
      field: d.field || p.editable()[0]?.key,
      scope: d.scope || scope.value,
    });
  };
  return panelForm(
    "nbw-replace",
    "Find and replace",
    ask,
    p.field("Find", find),
    p.field("Replace with", by),
    p.field("In", fieldChoice),
    p.field("Across", scope),
    h("button", { type: "submit" }, "Preview"),
    cancel(p),
    p.errorLine(),
    preview.count != null ? previewList(p, preview) : null,
  );
}

function previewList(p, preview) {
  const n = preview.count;
  const changes = preview.changes ?? [];
  const list = h(
    "ol",
    { class: "nbw-preview-list", "aria-label": "Changes" },
    changes.map((change) => h("li", {}, diffView(change.before, change.after, { label: "Change" }))),
  );
  const more = n > changes.length ? h("p", { class: "nbw-muted" }, `…and ${n - changes.length} more.`) : null;
  const apply = h(
    "button",
    {
      type: "button",
      class: "nbw-primary",
      disabled: n === 0,
      onclick: () => {
        p.ask("replace_apply").then((ok) => ok && p.close({ cancelPreview: false }));
      },
    },
    p.versioned() ? `Stage ${plural(n, "change")}` : `Replace in ${plural(n, "datapoint")}`,
  );
  return h(
    "div",
    { class: "nbw-preview", role: "region", "aria-label": "Preview" },
    h(
      "p",
      { class: "nbw-preview-count" },
      n ? `${plural(n, "datapoint")} will change:` : "Nothing matches: no change.",
    ),
    list,
    more,
    apply,
  );
}

/** A pasted row in the preview: each field, as a diff against the row it fills or as the new value. */
function pastedRow(row) {
  return h(
    "li",
    {},
    Object.entries(row.fields).map(([key, value]) =>
      row.before
        ? h("div", {}, h("strong", {}, `${key}: `), diffView(row.before[key], value, { label: key }))
        : h("div", {}, h("strong", {}, `${key}: `), h("span", {}, value)),
    ),
  );
}

function pastePreview(p, preview) {
  const apply = () =>
    p.ask("paste_apply").then((ok) => {
      if (!ok) return;
      p.drafts.paste = "";
      p.close({ cancelPreview: false });
    });
  return h(
    "div",
    { class: "nbw-preview", role: "region", "aria-label": "Preview" },
    h("p", { class: "nbw-preview-count" }, pastePreviewTitle(preview)),
    h("ol", { class: "nbw-preview-list" }, (preview.rows ?? []).map(pastedRow)),
    h(
      "button",
      { type: "button", class: "nbw-primary", onclick: apply },
      preview.mode === "fill" ? `Fill ${plural(preview.count, "row")}` : `Add ${plural(preview.count, "datapoint")}`,
    ),
  );
}

export function pastePanel(p) {
  const box = h("textarea", {
    id: `${p.viewId}-paste`,
    rows: 4,
    "data-first": "",
    placeholder: "Rows copied from a spreadsheet (tab-separated). A first row naming fields is a header.",
  });
  box.value = p.drafts.paste;
  box.addEventListener("input", () => {
    p.drafts.paste = box.value;
  });
  const preview = p.get("paste_preview") ?? {};
  return panelForm(
    "nbw-paste",
    "Paste rows",
    () => p.ask("paste_preview", { text: p.drafts.paste }),
    p.field("Rows", box),
    h("button", { type: "submit" }, "Preview"),
    cancel(p),
    p.errorLine(),
    preview.mode ? pastePreview(p, preview) : null,
  );
}
