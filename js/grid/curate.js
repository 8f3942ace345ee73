// Growing and pruning from the grid: the selection bar (ticked rows, select page / all N, clear), a
// delete that asks first naming the count, a new-datapoint form, find & replace with a preview of every
// change as a diff, and rows pasted from a spreadsheet with a preview. Panels keep what was typed while
// the traits change under them; one panel is open at a time; Escape closes it and focus goes back to
// the table. Text is always set as text (never HTML).
import { diffView } from "../shared/diff.js";
import { h } from "../shared/dom.js";
import { pretty } from "../shared/format.js";
import { editorResult, messagesEditor } from "./editor.js";
import { fromDrafts, toDrafts } from "./messages.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
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

export function createCurate({ get, request, viewId, signal, focusTable }) {
  const summary = h("div", { class: "nbw-curate-summary", role: "status", "aria-live": "polite" });
  const panel = h("div", { class: "nbw-curate-panel" });
  const element = h("div", { class: "nbw-curate", id: `${viewId}-curate` }, summary, panel);
  // the "New datapoint" row at the top of the table: its button, or the form while it is open. An editor
  // row to the table (its keys, clicks and pastes are the form's), sticky to the visible width.
  const entry = h("div", { class: "nbw-new-entry" });
  const newRow = h("tr", { class: "nbw-editor-row nbw-new-row" }, h("td", {}, entry));
  const box = () => (open === "add" ? entry : panel); // where the open panel is
  let open = null; // "confirm" | "add" | "replace" | "paste"
  let opener = null; // what had focus when the panel opened: focus goes back there
  const drafts = { add: {}, replace: { find: "", replace: "", field: "", scope: "" }, paste: "" };
  let panelError = "";

  const editable = () => (get("schema")?.columns ?? []).filter((c) => c.editable);
  const selection = () => get("selection") ?? [];
  const versioned = () => get("schema")?.save === "version";

  const ask = (type, payload) =>
    request(type, payload).then(
      () => {
        panelError = "";
        return true;
      },
      (error) => {
        panelError = error.message;
        renderPanel();
        return false;
      },
    );

  // --- the bar ------------------------------------------------------------------------------------
  function renderSummary() {
    element.hidden = !get("dataset_id");
    renderNewRow();
    if (element.hidden) return;
    const n = selection().length;
    const total = get("total");
    const selecting = get("selecting") ?? {};
    const parts = [h("span", { class: "nbw-selected-count" }, n ? `${plural(n, "row")} selected` : "No rows selected")];
    if (selecting.running) parts.push(h("span", { class: "nbw-muted" }, ` · selecting all… ${selecting.count} read`));
    if (selecting.error) parts.push(h("span", { class: "nbw-error" }, ` · ${selecting.error}`));
    const button = (label, onclick, attrs = {}) => h("button", { type: "button", onclick, ...attrs }, label);
    parts.push(
      button("Select page", () => request("select_page").catch(() => {}), {
        title: "Tick every row of this page (Shift+Space ticks one row, Shift+↑/↓ a range)",
      }),
    );
    if (total != null && total > 0)
      parts.push(button(`Select all ${total}`, () => request("select_all").catch(() => {}), { disabled: n === total }));
    if (n) parts.push(button("Clear selection", () => request("select", { ids: [] }).catch(() => {})));
    if (n)
      parts.push(
        button(`Delete ${n}…`, () => openPanel("confirm"), { class: "nbw-danger", title: "Asks first (Delete key)" }),
      );
    parts.push(h("span", { class: "nbw-spacer" }));
    parts.push(
      // the keys' way to the "New datapoint" row (the table is one tab stop: the row's own button is for the mouse)
      button("New datapoint", () => openPanel("add"), { "aria-expanded": String(open === "add") }),
      button("Replace…", () => openPanel("replace"), { "aria-expanded": String(open === "replace") }),
      button("Paste rows…", () => openPanel("paste"), { "aria-expanded": String(open === "paste") }),
    );
    const bulk = get("bulk") ?? {};
    if (bulk.action) {
      const doing = { add: "Adding", delete: "Deleting", restore: "Bringing back" }[bulk.action] ?? bulk.action;
      const state =
        bulk.state === "failed"
          ? ` failed: ${bulk.message ?? ""}`
          : bulk.state === "retrying"
            ? `… retrying (${bulk.message ?? "the service did not answer"})`
            : "…";
      parts.push(
        h("div", { class: `nbw-bulk nbw-bulk-${bulk.state}` }, `${doing} ${plural(bulk.count, "datapoint")}${state}`),
      );
    }
    summary.replaceChildren(...parts);
  }

  /** The top row, closed: one button that opens the form in the row (the form stays while traits change). */
  function renderNewRow() {
    newRow.hidden = !get("dataset_id");
    if (open === "add") return;
    entry.replaceChildren(
      h(
        "button",
        {
          type: "button",
          class: "nbw-new-open",
          tabindex: "-1", // the table stays one tab stop; the bar's New datapoint is the keys' way here
          title: versioned() ? "Add a datapoint to the next version" : "Add a datapoint (orq lists it last)",
          onclick: () => openPanel("add"),
        },
        "+ New datapoint",
      ),
    );
  }

  // --- the panels ---------------------------------------------------------------------------------
  function openPanel(name, { focusFirst = true } = {}) {
    if (open === name && name !== "confirm") return closePanel();
    opener = opener && (element.contains(opener) || newRow.contains(opener)) ? opener : document.activeElement;
    open = name;
    panelError = "";
    renderPanel();
    renderSummary();
    if (focusFirst) box().querySelector("[data-first]")?.focus();
  }

  function closePanel({ cancelPreview = true } = {}) {
    if (cancelPreview && (open === "replace" || open === "paste")) request("cancel_preview").catch(() => {});
    open = null;
    panelError = "";
    panel.replaceChildren();
    renderNewRow();
    renderSummary();
    const back = opener;
    opener = null;
    if (back?.isConnected && !element.contains(back) && !newRow.contains(back)) back.focus();
    else focusTable();
  }

  const field = (label, control) => {
    control.id = control.id || `${viewId}-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`;
    return h("label", { class: "nbw-field", for: control.id }, h("span", {}, label), control);
  };
  const errorLine = () => (panelError ? h("p", { class: "nbw-error", role: "alert" }, panelError) : null);

  function renderPanel() {
    if (!open) return panel.replaceChildren();
    if (open === "add") {
      panel.replaceChildren();
      return entry.replaceChildren(addPanel());
    }
    renderNewRow();
    const build = { confirm: confirmPanel, add: addPanel, replace: replacePanel, paste: pastePanel }[open];
    panel.replaceChildren(build());
  }

  function confirmPanel() {
    const ids = selection();
    const yes = h(
      "button",
      {
        type: "button",
        class: "nbw-danger",
        "data-first": "",
        onclick: () => {
          request("delete", { ids }).catch((error) => {
            panelError = error.message;
          });
          closePanel();
        },
      },
      versioned() ? `Remove ${ids.length}` : `Delete ${ids.length}`,
    );
    return h(
      "div",
      { role: "alertdialog", "aria-labelledby": `${viewId}-confirm-q`, class: "nbw-confirm" },
      h("p", { id: `${viewId}-confirm-q` }, deleteQuestion(ids.length, get("schema")?.save)),
      yes,
      h("button", { type: "button", onclick: () => closePanel() }, "Cancel"),
    );
  }

  /**
   * The new datapoint's messages in the row editor's message editor (roles, text or content parts,
   * tool calls, a tool call's id), or as raw JSON (a message's name, any part): whatever an edit of a
   * row can express. Checked as the row editor checks, each problem on its message.
   */
  function newMessages(c) {
    drafts.add.messages ??= { kind: "messages", title: c.title, drafts: [], raw: false, text: "[]", errors: {} };
    const state = drafts.add.messages;
    const redraw = () => {
      const had = entry.contains(document.activeElement) ? document.activeElement : null;
      const label = had?.getAttribute("aria-label");
      renderPanel();
      const box = entry.querySelector(".nbw-new-messages");
      const added = state.focusMessage != null ? box?.querySelectorAll(".nbw-msg-edit")[state.focusMessage] : null;
      state.focusMessage = null;
      const again = label
        ? [...(box?.querySelectorAll("[aria-label]") ?? [])].find((n) => n.getAttribute("aria-label") === label)
        : null;
      (
        added?.querySelector("textarea, select") ??
        again ??
        (had?.isConnected ? had : null) ??
        box?.querySelector("button")
      )?.focus();
    };
    const set = (changes) => {
      drafts.add.messages = Object.assign(state, { error: "", errors: {} }, changes);
      redraw();
    };
    const raw = h("input", {
      type: "checkbox",
      checked: state.raw,
      "aria-label": `${c.title} as raw JSON`,
      onchange: () => {
        if (!state.raw) set({ raw: true, text: pretty(fromDrafts(state.drafts).value) });
        else {
          try {
            set({ raw: false, drafts: toDrafts(JSON.parse(state.text)) });
          } catch (error) {
            raw.checked = true;
            panelError = `${c.title} must be valid JSON to edit them as messages: ${error.message}`;
            redraw();
          }
        }
      },
    });
    let body;
    if (state.raw) {
      body = h("textarea", {
        id: `${viewId}-new-${c.key}`,
        class: "nbw-mono",
        rows: 6,
        "aria-label": `${c.title} (JSON)`,
        placeholder: '[{"role": "user", "content": "…", "name": "…"}]',
      });
      body.value = state.text;
      body.addEventListener("input", () => {
        state.text = body.value;
      });
    } else body = messagesEditor(state, set, viewId);
    return h(
      "fieldset",
      { class: "nbw-field nbw-new-messages" },
      h("legend", {}, c.title, " ", h("label", { class: "nbw-muted" }, raw, " Raw JSON")),
      body,
    );
  }

  function addPanel() {
    const controls = editable().map((c, index) => {
      if (c.kind === "messages") return newMessages(c);
      const json = c.kind !== "text";
      const box = h("textarea", {
        id: `${viewId}-new-${c.key}`,
        rows: json ? 3 : 2,
        placeholder:
          c.kind === "inputs"
            ? '{"question": "…"}  (flat: text, numbers, true/false)'
            : c.kind === "messages"
              ? '[{"role": "user", "content": "…"}]'
              : json
                ? "JSON or text"
                : "",
        "data-first": index === 0 ? "" : null,
      });
      box.value = drafts.add[c.key] ?? "";
      box.addEventListener("input", () => {
        drafts.add[c.key] = box.value;
      });
      return field(c.title, box);
    });
    const submit = () => {
      const fields = {};
      for (const c of editable()) {
        if (c.kind === "messages") {
          const state = drafts.add.messages;
          if (!state) continue;
          const result = editorResult(state); // the row editor's checks, its words
          const said = JSON.stringify(result.value);
          if (result.error || (result.warning && state.warned !== said)) {
            // a likely slip (an empty assistant message) is said once; adding again adds it as it is
            Object.assign(state, {
              errors: result.errors ?? result.warnings ?? {},
              warned: result.error ? undefined : said,
            });
            panelError = result.error ?? result.warning;
            return renderPanel();
          }
          if (result.value.length) fields[c.key] = result.value;
          continue;
        }
        const text = (drafts.add[c.key] ?? "").trim();
        if (!text) continue;
        if (c.kind === "text") fields[c.key] = drafts.add[c.key];
        else {
          try {
            fields[c.key] = JSON.parse(text);
          } catch {
            if (c.kind === "json") fields[c.key] = drafts.add[c.key];
            else {
              panelError = `${c.title} is not valid JSON: write it as in the example.`;
              return renderPanel();
            }
          }
        }
      }
      if (!Object.keys(fields).length) {
        panelError = "The new datapoint is empty: fill in at least one field.";
        return renderPanel();
      }
      ask("add", { fields }).then((ok) => {
        if (!ok) return;
        drafts.add = {}; // saved (or staged): the draft has done its job
        closePanel();
      });
    };
    return h(
      "form",
      {
        class: "nbw-new",
        "aria-label": "New datapoint",
        onsubmit: (event) => {
          event.preventDefault();
          submit();
        },
      },
      controls,
      errorLine(),
      h("button", { type: "submit", class: "nbw-primary" }, versioned() ? "Stage datapoint" : "Add datapoint"),
      h("button", { type: "button", onclick: () => closePanel() }, "Cancel"),
      h("span", { class: "nbw-muted" }, versioned() ? " Saved with the next version." : " orq lists it last."),
    );
  }

  function replacePanel() {
    const d = drafts.replace;
    const find = h("input", { type: "text", id: `${viewId}-replace-find`, value: d.find, "data-first": "" });
    const by = h("input", { type: "text", id: `${viewId}-replace-by`, value: d.replace });
    const fieldChoice = h(
      "select",
      { id: `${viewId}-replace-field` },
      editable().map((c) => h("option", { value: c.key, selected: d.field === c.key }, c.title)),
    );
    const scope = h(
      "select",
      { id: `${viewId}-replace-scope` },
      SCOPES.map(([value, label]) =>
        h("option", { value, selected: (d.scope || (selection().length ? "selection" : "page")) === value }, label),
      ),
    );
    const keep = () =>
      Object.assign(d, { find: find.value, replace: by.value, field: fieldChoice.value, scope: scope.value });
    for (const control of [find, by, fieldChoice, scope]) control.addEventListener("input", keep);
    for (const control of [fieldChoice, scope]) control.addEventListener("change", keep);
    const preview = get("replace_preview") ?? {};
    const shown = preview.count != null ? previewList(preview) : null;
    const form = h(
      "form",
      {
        class: "nbw-replace",
        "aria-label": "Find and replace",
        onsubmit: (event) => {
          event.preventDefault();
          keep();
          ask("replace_preview", {
            find: d.find,
            replace: d.replace,
            field: d.field || editable()[0]?.key,
            scope: d.scope || scope.value,
          });
        },
      },
      field("Find", find),
      field("Replace with", by),
      field("In", fieldChoice),
      field("Across", scope),
      h("button", { type: "submit" }, "Preview"),
      h("button", { type: "button", onclick: () => closePanel() }, "Cancel"),
      errorLine(),
      shown,
    );
    return form;
  }

  function previewList(preview) {
    const n = preview.count;
    const list = h(
      "ol",
      { class: "nbw-preview-list", "aria-label": "Changes" },
      (preview.changes ?? []).map((change) => h("li", {}, diffView(change.before, change.after, { label: "Change" }))),
    );
    const more =
      n > (preview.changes ?? []).length
        ? h("p", { class: "nbw-muted" }, `…and ${n - preview.changes.length} more.`)
        : null;
    const apply = h(
      "button",
      {
        type: "button",
        class: "nbw-primary",
        disabled: n === 0,
        onclick: () => {
          ask("replace_apply").then((ok) => ok && closePanel({ cancelPreview: false }));
        },
      },
      versioned() ? `Stage ${plural(n, "change")}` : `Replace in ${plural(n, "datapoint")}`,
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

  function pastePanel() {
    const box = h("textarea", {
      id: `${viewId}-paste`,
      rows: 4,
      "data-first": "",
      placeholder: "Rows copied from a spreadsheet (tab-separated). A first row naming fields is a header.",
    });
    box.value = drafts.paste;
    box.addEventListener("input", () => {
      drafts.paste = box.value;
    });
    const preview = get("paste_preview") ?? {};
    const rows = (preview.rows ?? []).map((row) =>
      h(
        "li",
        {},
        Object.entries(row.fields).map(([key, value]) =>
          row.before
            ? h("div", {}, h("strong", {}, `${key}: `), diffView(row.before[key], value, { label: key }))
            : h("div", {}, h("strong", {}, `${key}: `), h("span", {}, value)),
        ),
      ),
    );
    const shown = preview.mode
      ? h(
          "div",
          { class: "nbw-preview", role: "region", "aria-label": "Preview" },
          h("p", { class: "nbw-preview-count" }, pastePreviewTitle(preview)),
          h("ol", { class: "nbw-preview-list" }, rows),
          h(
            "button",
            {
              type: "button",
              class: "nbw-primary",
              onclick: () =>
                ask("paste_apply").then((ok) => {
                  if (!ok) return;
                  drafts.paste = "";
                  closePanel({ cancelPreview: false });
                }),
            },
            preview.mode === "fill"
              ? `Fill ${plural(preview.count, "row")}`
              : `Add ${plural(preview.count, "datapoint")}`,
          ),
        )
      : null;
    return h(
      "form",
      {
        class: "nbw-paste",
        "aria-label": "Paste rows",
        onsubmit: (event) => {
          event.preventDefault();
          ask("paste_preview", { text: drafts.paste });
        },
      },
      field("Rows", box),
      h("button", { type: "submit" }, "Preview"),
      h("button", { type: "button", onclick: () => closePanel() }, "Cancel"),
      errorLine(),
      shown,
    );
  }

  const onEscape = (event) => {
    if (event.key === "Escape" && open && (panel.contains(event.target) || entry.contains(event.target))) {
      event.preventDefault();
      event.stopPropagation();
      closePanel();
    }
  };
  element.addEventListener("keydown", onEscape, { signal });
  newRow.addEventListener("keydown", onEscape, { signal });

  return {
    element,
    newRow,
    renderSummary,
    /** a trait a panel shows changed (a preview arrived) */
    renderPreview: () => {
      if (open !== "replace" && open !== "paste") return;
      const had = panel.contains(document.activeElement) ? document.activeElement : null;
      renderPanel();
      if (!had) return;
      // the same control when it has an id (a text box), else the preview's action (after Preview)
      const again = had.id ? element.querySelector(`#${CSS.escape(had.id)}`) : null;
      (
        again ??
        panel.querySelector(".nbw-preview button.nbw-primary:not(:disabled)") ??
        panel.querySelector("[data-first]")
      )?.focus();
    },
    confirmDelete: () => {
      if (selection().length) openPanel("confirm");
    },
    /** text pasted on the table: the paste panel with its preview */
    pasted: (text) => {
      drafts.paste = text;
      openPanel("paste", { focusFirst: false });
      ask("paste_preview", { text }).then(() => panel.querySelector(".nbw-preview button.nbw-primary")?.focus());
    },
    isOpen: () => open,
  };
}
