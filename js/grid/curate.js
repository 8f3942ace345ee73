// Growing and pruning from the grid: the selection bar (ticked rows, select page / all N, clear), a
// delete that asks first naming the count, a new-datapoint form, find & replace with a preview of every
// change as a diff, and rows pasted from a spreadsheet with a preview. Panels keep what was typed while
// the traits change under them; one panel is open at a time; Escape closes it and focus goes back to
// the table. Text is always set as text (never HTML).
// The panels are curate-panels.js (confirm, replace, paste) and curate-add.js (the new datapoint).
import { append, clear, h } from "../shared/dom.js";
import { addPanel } from "./curate-add.js";
import { confirmPanel, pastePanel, plural, replacePanel } from "./curate-panels.js";

export { deleteQuestion, pastePreviewTitle } from "./curate-panels.js";

const button = (label, onclick, attrs = {}) => h("button", { type: "button", onclick, ...attrs }, label);

/** "Select all" at work: how many rows it has read, or why it stopped. */
function selectingWords(selecting) {
  return [
    selecting.running ? h("span", { class: "nbw-muted" }, ` · selecting all… ${selecting.count} read`) : null,
    selecting.error ? h("span", { class: "nbw-error" }, ` · ${selecting.error}`) : null,
  ];
}

const DOING = { add: "Adding", delete: "Deleting", restore: "Bringing back" };

/** A bulk add, delete or restore at work: "Deleting 12 datapoints…", "… retrying (why)", " failed: why". */
function bulkLine(bulk) {
  if (!bulk.action) return null;
  const doing = DOING[bulk.action] ?? bulk.action;
  let state = "…";
  if (bulk.state === "failed") state = ` failed: ${bulk.message ?? ""}`;
  else if (bulk.state === "retrying") state = `… retrying (${bulk.message ?? "the service did not answer"})`;
  return h("div", { class: `nbw-bulk nbw-bulk-${bulk.state}` }, `${doing} ${plural(bulk.count, "datapoint")}${state}`);
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
    append(clear(summary), [
      selectionParts(),
      h("span", { class: "nbw-spacer" }),
      // the keys' way to the "New datapoint" row (the table is one tab stop: the row's own button is for the mouse)
      button("New datapoint", () => openPanel("add"), { "aria-expanded": String(open === "add") }),
      button("Replace…", () => openPanel("replace"), { "aria-expanded": String(open === "replace") }),
      button("Paste rows…", () => openPanel("paste"), { "aria-expanded": String(open === "paste") }),
      bulkLine(get("bulk") ?? {}),
    ]);
  }

  /** How many rows are ticked, and the ways to tick, untick and delete them. */
  function selectionParts() {
    const n = selection().length;
    const total = get("total");
    const quietly = (type, payload) => () => request(type, payload).catch(() => {});
    return [
      h("span", { class: "nbw-selected-count" }, n ? `${plural(n, "row")} selected` : "No rows selected"),
      selectingWords(get("selecting") ?? {}),
      button("Select page", quietly("select_page"), {
        title: "Tick every row of this page (Shift+Space ticks one row, Shift+↑/↓ a range)",
      }),
      total != null && total > 0
        ? button(`Select all ${total}`, quietly("select_all"), { disabled: n === total })
        : null,
      n ? button("Clear selection", quietly("select", { ids: [] })) : null,
      n
        ? button(`Delete ${n}…`, () => openPanel("confirm"), { class: "nbw-danger", title: "Asks first (Delete key)" })
        : null,
    ];
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

  // what a panel is built from (curate-panels.js, curate-add.js)
  const panelContext = {
    get,
    request,
    viewId,
    drafts,
    entry,
    ask,
    editable,
    selection,
    versioned,
    close: (options) => closePanel(options),
    redraw: () => renderPanel(),
    setError: (message) => {
      panelError = message;
    },
    fail: (message) => {
      panelError = message;
      renderPanel();
    },
    field: (label, control) => {
      control.id = control.id || `${viewId}-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`;
      return h("label", { class: "nbw-field", for: control.id }, h("span", {}, label), control);
    },
    errorLine: () => (panelError ? h("p", { class: "nbw-error", role: "alert" }, panelError) : null),
  };
  const PANELS = { confirm: confirmPanel, add: addPanel, replace: replacePanel, paste: pastePanel };

  function renderPanel() {
    if (!open) return panel.replaceChildren();
    if (open === "add") {
      panel.replaceChildren();
      return entry.replaceChildren(addPanel(panelContext));
    }
    renderNewRow();
    panel.replaceChildren(PANELS[open](panelContext));
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
