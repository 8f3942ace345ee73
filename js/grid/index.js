// DatasetGrid front end: renders the page the Python widget holds and sends intents back.
import "../shared/theme.css";
import "./grid.css";
import { clampedText, evaluationsCell, jsonCell, keyValueCell, messagesCell } from "../shared/cells.js";
import { createRequester } from "../shared/comm.js";
import { diff, unchanged } from "../shared/diff.js";
import { append, clear, h } from "../shared/dom.js";
import { formatTime, pageCount, pretty, rangeText } from "../shared/format.js";
import { handFocusToNotebook, isolateShortcuts, isSaveChord } from "../shared/keys.js";
import { coalesced } from "../shared/schedule.js";
import { EDITABLE, editorText, editorValue, FIELD_LABELS } from "./editing.js";

const COLUMN_TITLES = {
  inputs: "Inputs",
  messages: "Messages",
  expected_output: "Expected output",
  evaluations: "Reviews",
  updated: "Updated",
  order: "#",
  input: "Input",
  persona: "Persona",
  tags: "Tags",
};
const PAGE_SIZES = [10, 25, 50, 100];
let viewIds = 0;

function render({ model, el }) {
  // --- state -------------------------------------------------------------------------------
  const controller = new AbortController();
  const { signal } = controller;
  const { request, dispose } = createRequester(model);
  const viewId = `nbw-grid-${++viewIds}`;
  let active = 0; // index of the active row on this page
  let editor = null; // {datapointId, field, text, error}
  const get = (name) => model.get(name);
  const service = () => get("service");
  // the page as shown: its rows, with the rows saved since it was loaded (sent as patches)
  const rows = () => {
    const patches = get("_row_patches") ?? {};
    return (get("_page_rows") ?? []).map((row) => (patches[row.id] ? { ...row, ...patches[row.id] } : row));
  };

  function send(type, payload) {
    return request(type, payload).catch((error) => {
      showRequestError(error);
      throw error;
    });
  }

  // --- DOM -----------------------------------------------------------------------------------
  const toolbar = h("div", { class: "nbw-toolbar" });
  const statusLine = h("div", { class: "nbw-status", role: "status", "aria-live": "polite" });
  const alert = h("div", { class: "nbw-alert", role: "alert" });
  const notice = h("div", { class: "nbw-notice", role: "status", hidden: true });
  const picker = h("div", { class: "nbw-picker" });
  const table = h("table", { class: "nbw-table", role: "grid", tabindex: "0", "aria-label": "Datapoints" });
  const pager = h("div", { class: "nbw-pager" });
  const root = h(
    "div",
    { class: "nbw nbw-grid" },
    toolbar,
    statusLine,
    alert,
    notice,
    picker,
    h("div", { class: "nbw-scroll" }, table),
    pager,
  );
  isolateShortcuts(root, signal);
  el.append(root);

  // --- rendering -------------------------------------------------------------------------------
  function renderToolbar() {
    const om = service() === "overmind";
    const open = Boolean(get("dataset_id"));
    const title = open ? get("dataset_name") || get("dataset_id") : "Choose a dataset";
    const parts = [h("span", { class: "nbw-title" }, title)];
    if (om && open && get("version") != null)
      parts.push(h("span", { class: "nbw-badge" }, `version ${get("version")}`));
    if (get("is_sandbox")) {
      parts.push(h("span", { class: "nbw-badge nbw-sandbox", title: get("source_label") }, "Sandbox data"));
    }
    parts.push(h("span", { class: "nbw-spacer" }));
    if (open && om) {
      const ordering = h(
        "select",
        { "aria-label": "Order", onchange: () => send("query", { ordering: ordering.value, search: get("search") }) },
        h("option", { value: "order", selected: get("ordering") !== "-order" }, "Order ↑"),
        h("option", { value: "-order", selected: get("ordering") === "-order" }, "Order ↓"),
      );
      const search = h("input", {
        type: "search",
        "aria-label": "Search datapoints",
        placeholder: "Search…",
        value: get("search"),
      });
      search.addEventListener(
        "keydown",
        (event) => {
          if (event.key === "Enter") send("query", { ordering: get("ordering"), search: search.value });
        },
        { signal },
      );
      parts.push(ordering, search);
      const stagedCount = Object.keys(get("staged") ?? {}).length;
      if (stagedCount) {
        const makeActive = h("input", { type: "checkbox", id: `${viewId}-active` });
        parts.push(
          h("span", { class: "nbw-badge" }, `${stagedCount} staged edit${stagedCount > 1 ? "s" : ""}`),
          h("label", { for: `${viewId}-active` }, makeActive, " make active"),
          h(
            "button",
            {
              class: "nbw-primary",
              type: "button",
              onclick: () => send("save_version", { make_active: makeActive.checked }),
            },
            "Save as new version",
          ),
          h("button", { type: "button", onclick: () => send("discard") }, "Discard edits"),
        );
      }
    }
    if (open && !om) {
      parts.push(
        h(
          "button",
          {
            type: "button",
            disabled: !get("can_undo"),
            title: "Undo the last saved edit (Ctrl+Z)",
            onclick: () => send("undo"),
          },
          "Undo",
        ),
      );
    }
    if (open) {
      parts.push(
        h("button", { type: "button", onclick: () => send("refresh") }, "Refresh"),
        h(
          "button",
          { type: "button", onclick: () => send("pick", { search: "" }) },
          om ? "Change version" : "Change dataset",
        ),
      );
    }
    clear(toolbar).append(...parts);
  }

  function renderStatus() {
    clear(statusLine);
    if (get("loading")) {
      statusLine.append(
        h("span", { class: "nbw-spinner", "aria-hidden": "true" }),
        " ",
        get("dataset_id") ? `Loading page ${get("page_number")}…` : "Loading…",
      );
    }
    clear(alert);
    if (get("error")) {
      alert.append(
        h("span", {}, get("error")),
        h(
          "button",
          { type: "button", onclick: () => send(get("dataset_id") ? "refresh" : "pick", { search: "" }) },
          "Retry",
        ),
      );
    }
    notice.hidden = !get("notice");
    notice.textContent = get("notice");
  }

  function showRequestError(error) {
    clear(alert).append(h("span", {}, error.message));
  }

  function renderPicker() {
    const state = get("picker") ?? {};
    clear(picker);
    picker.hidden = Boolean(get("dataset_id")) && !state.kind;
    if (!state.kind) return;
    const heading = {
      datasets: "Choose a dataset",
      agents: "Choose an agent",
      versions: `Choose a version of ${state.agent ?? "the agent"}`,
    }[state.kind];
    picker.append(h("h3", { class: "nbw-picker-title" }, heading));
    if (state.kind !== "versions") {
      const search = h("input", {
        type: "search",
        "aria-label": `Search ${state.kind}`,
        placeholder: "Search…",
        value: state.search ?? "",
      });
      search.addEventListener(
        "keydown",
        (event) => {
          if (event.key === "Enter") send("pick", { search: search.value });
        },
        { signal },
      );
      picker.append(search);
    } else {
      picker.append(
        h("button", { type: "button", class: "nbw-link", onclick: () => send("pick", { search: "" }) }, "← all agents"),
      );
    }
    const items = state.items ?? [];
    const list = h(
      "ul",
      { class: "nbw-picker-list" },
      items.map((item) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              onclick: () =>
                state.kind === "agents"
                  ? send("choose_agent", { agent_id: item.id })
                  : send("open_dataset", { dataset_id: item.id }),
            },
            item.name,
            item.count != null
              ? h("span", { class: "nbw-muted" }, ` · ${item.count.toLocaleString()} datapoints`)
              : null,
            item.active ? h("span", { class: "nbw-badge" }, "active") : null,
          ),
        ),
      ),
    );
    if (!items.length && !get("loading")) list.append(h("li", { class: "nbw-muted" }, "Nothing found."));
    picker.append(list);
    if (state.more) picker.append(h("div", { class: "nbw-muted" }, "More exist: search to narrow the list."));
  }

  function cellFor(column, row) {
    switch (column) {
      case "inputs":
        return keyValueCell(row.inputs);
      case "messages":
        return messagesCell(row.messages);
      case "expected_output":
        return row.expected_output == null
          ? h("span", { class: "nbw-muted" }, "—")
          : typeof row.expected_output === "string"
            ? clampedText(row.expected_output)
            : jsonCell(row.expected_output);
      case "evaluations":
        return evaluationsCell(row.evaluations);
      case "updated":
        return h("span", { class: "nbw-muted" }, formatTime(row.updated));
      case "input":
        return jsonCell(row.input);
      case "tags":
        return jsonCell(row.tags);
      default:
        return clampedText(row[column] == null ? "" : String(row[column]));
    }
  }

  function statusCell(row) {
    const status = get("row_status")?.[row.id];
    if (!status) return h("td", { role: "gridcell", class: "nbw-state" });
    const cell = h("td", { role: "gridcell", class: `nbw-state nbw-state-${status.state}` });
    if (status.state === "pending") cell.append(h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " Saving…");
    if (status.state === "saved")
      cell.append("✓ Saved ", h("span", { class: "nbw-muted" }, formatTime(status.updated)));
    if (status.state === "staged") cell.append("● Staged (save as a new version)");
    if (status.state === "retrying") {
      cell.append(
        h("div", { class: "nbw-field-error" }, `Not saved yet: ${status.reason || status.message}`),
        h("div", { class: "nbw-muted" }, `Retrying in the background (attempt ${status.attempts}); your edit is kept.`),
        h(
          "button",
          {
            type: "button",
            onclick: (e) => {
              e.stopPropagation();
              send("retry", { datapoint_id: row.id });
            },
          },
          "Retry now",
        ),
      );
    }
    if (status.state === "failed") {
      cell.append(
        h("div", { class: "nbw-field-error" }, `Not saved: ${status.reason || status.message}`),
        h(
          "button",
          {
            type: "button",
            onclick: (e) => {
              e.stopPropagation();
              send("retry", { datapoint_id: row.id });
            },
          },
          "Retry",
        ),
        " ",
        h(
          "button",
          {
            type: "button",
            onclick: (e) => {
              e.stopPropagation();
              openEditor(row, Object.keys(status.draft ?? {})[0], status.draft);
            },
          },
          "Edit draft",
        ),
      );
    }
    if (status.state === "conflict") {
      const [field] = Object.keys(status.draft ?? {});
      cell.append(
        h("div", { class: "nbw-field-error" }, status.message),
        h("div", { class: "nbw-muted" }, "Theirs:"),
        clampedText(pretty(status.server?.[field])),
        h("div", { class: "nbw-muted" }, "Yours:"),
        clampedText(pretty(status.draft?.[field])),
        h(
          "button",
          {
            type: "button",
            onclick: (e) => {
              e.stopPropagation();
              send("resolve", { datapoint_id: row.id, keep: "mine" });
            },
          },
          "Keep mine",
        ),
        " ",
        h(
          "button",
          {
            type: "button",
            onclick: (e) => {
              e.stopPropagation();
              send("resolve", { datapoint_id: row.id, keep: "theirs" });
            },
          },
          "Take theirs",
        ),
      );
    }
    return cell;
  }

  function renderTable() {
    const started = performance.now();
    const columns = get("columns") ?? [];
    const list = rows();
    const open = Boolean(get("dataset_id"));
    table.hidden = !open;
    if (!open) return;
    active = Math.max(
      0,
      list.findIndex((row) => row.id === get("selected_id")),
    );
    const offset = (get("page_number") - 1) * get("page_size");
    table.setAttribute("aria-rowcount", String(get("total") ?? -1));
    table.setAttribute("aria-colcount", String(columns.length + 2));
    const head = h(
      "thead",
      {},
      h(
        "tr",
        { role: "row" },
        h("th", { role: "columnheader", scope: "col" }, "#"),
        columns
          .filter((c) => c !== "order")
          .map((column) => h("th", { role: "columnheader", scope: "col" }, COLUMN_TITLES[column] ?? column)),
        h("th", { role: "columnheader", scope: "col" }, "Status"),
      ),
    );
    const body = h("tbody");
    if (!list.length) {
      body.append(
        h(
          "tr",
          { role: "row" },
          h(
            "td",
            { role: "gridcell", colspan: String(columns.length + 2), class: "nbw-empty" },
            get("loading")
              ? "Loading…"
              : get("total") === 0
                ? "This dataset has no datapoints."
                : "No datapoints on this page.",
          ),
        ),
      );
    }
    list.forEach((row, index) => {
      const staged = get("staged")?.[row.id] ?? {};
      const status = get("row_status")?.[row.id];
      // An edit not yet saved stays visible in its cells, beside its status.
      const draft = status && ["pending", "retrying", "failed"].includes(status.state) ? (status.draft ?? {}) : {};
      const shown = { ...row, ...staged, ...draft };
      const tr = h(
        "tr",
        {
          role: "row",
          id: `${viewId}-row-${index}`,
          "aria-rowindex": String(offset + index + 2),
          "aria-selected": String(index === active),
          class: [index === active ? "nbw-active" : "", Object.keys(draft).length ? "nbw-draft" : ""].join(" ").trim(),
          dataset: { id: row.id },
        },
        h("td", { role: "gridcell", class: "nbw-muted" }, String(row.order ?? offset + index + 1)),
        columns
          .filter((c) => c !== "order")
          .map((column) => h("td", { role: "gridcell", class: `nbw-col-${column}` }, cellFor(column, shown))),
        statusCell(row),
      );
      tr.addEventListener("click", () => activate(index, { focus: false }), { signal });
      tr.addEventListener(
        "dblclick",
        (event) => {
          const cell = event.target.closest("td");
          const column = [...cell.classList].find((c) => c.startsWith("nbw-col-"))?.slice(8);
          openEditor(row, EDITABLE[service()].includes(column) ? column : "expected_output");
        },
        { signal },
      );
      body.append(tr);
      if (editor && editor.datapointId === row.id) body.append(editorRow(row, columns.length + 2));
    });
    table.setAttribute("aria-activedescendant", list.length ? `${viewId}-row-${active}` : "");
    clear(table).append(head, body);
    // visible in the browser's performance panel, and read by bench/ as the floor of a page flip
    performance.measure?.("nbw-grid-render", { start: started, detail: { rows: list.length } });
    if (editor) {
      const area = table.querySelector("textarea");
      if (area && document.activeElement !== area) {
        area.focus();
        area.setSelectionRange(area.value.length, area.value.length);
      }
    }
  }

  function editorRow(row, span) {
    const fieldChoices = EDITABLE[service()];
    const area = h("textarea", {
      id: `${viewId}-editor`,
      rows: "6",
      "aria-describedby": `${viewId}-hint`,
      value: editor.text,
    });
    const diffBox = h("div", { class: "nbw-diff", "aria-label": "Changes to be saved" });
    const error = h("div", { class: "nbw-field-error", role: "alert" }, editor.error ?? "");
    const original = editorText(service(), editor.field, row[editor.field]);
    const renderDiff = () => {
      const parts = diff(original, area.value);
      append(clear(diffBox), [
        unchanged(parts)
          ? h("span", { class: "nbw-muted" }, "No changes yet.")
          : parts.map((part) => (part.op === "=" ? part.text : h(part.op === "+" ? "ins" : "del", {}, part.text))),
      ]);
    };
    area.addEventListener(
      "input",
      () => {
        editor.text = area.value;
        renderDiff();
      },
      { signal },
    );
    area.addEventListener(
      "keydown",
      (event) => {
        if (isSaveChord(event)) {
          event.preventDefault();
          saveEditor(row);
        }
        if (event.key === "Escape") {
          event.preventDefault();
          closeEditor();
        }
      },
      { signal },
    );
    renderDiff();
    const fieldSelect = h(
      "select",
      {
        "aria-label": "Field to edit",
        onchange: () => {
          editor = {
            datapointId: row.id,
            field: fieldSelect.value,
            text: editorText(service(), fieldSelect.value, row[fieldSelect.value]),
          };
          renderTable();
        },
      },
      fieldChoices.map((field) => h("option", { value: field, selected: field === editor.field }, FIELD_LABELS[field])),
    );
    return h(
      "tr",
      { class: "nbw-editor-row" },
      h(
        "td",
        { colspan: String(span) },
        h(
          "div",
          { class: "nbw-editor", role: "group", "aria-label": `Edit datapoint ${row.id}` },
          h(
            "div",
            { class: "nbw-toolbar" },
            h("label", { for: `${viewId}-editor`, class: "nbw-title" }, `Edit ${FIELD_LABELS[editor.field]}`),
            fieldSelect,
          ),
          area,
          error,
          h("div", { class: "nbw-muted" }, "Changes:"),
          diffBox,
          h(
            "div",
            { class: "nbw-toolbar" },
            h(
              "button",
              { class: "nbw-primary", type: "button", onclick: () => saveEditor(row) },
              service() === "overmind" ? "Stage edit" : "Save",
            ),
            h("button", { type: "button", onclick: closeEditor }, "Cancel"),
            h("span", { id: `${viewId}-hint`, class: "nbw-muted" }, "Ctrl+Enter (⌘+Enter) saves · Esc cancels"),
          ),
        ),
      ),
    );
  }

  function renderPager() {
    const open = Boolean(get("dataset_id"));
    pager.hidden = !open;
    if (!open) return;
    const pages = pageCount(get("total"), get("page_size"));
    const size = h(
      "select",
      { "aria-label": "Page size", onchange: () => send("page_size", { size: Number(size.value) }) },
      [...new Set([...PAGE_SIZES, get("page_size")])]
        .sort((x, y) => x - y)
        .map((n) => h("option", { value: String(n), selected: n === get("page_size") }, String(n))),
    );
    clear(pager).append(
      h("span", { class: "nbw-muted" }, rangeText(get("page_number"), get("page_size"), rows().length, get("total"))),
      h("span", { class: "nbw-spacer" }),
      h(
        "button",
        { type: "button", "aria-label": "First page", disabled: get("page_number") <= 1, onclick: () => send("first") },
        "« First",
      ),
      h(
        "button",
        {
          type: "button",
          "aria-label": "Previous page",
          disabled: !get("has_previous"),
          onclick: () => send("previous"),
        },
        "‹ Previous",
      ),
      h(
        "span",
        { class: "nbw-page" },
        pages ? `Page ${get("page_number")} of ${pages.toLocaleString()}` : `Page ${get("page_number")}`,
      ),
      h(
        "button",
        { type: "button", "aria-label": "Next page", disabled: !get("has_next"), onclick: () => send("next") },
        "Next ›",
      ),
      h("label", {}, "Rows per page ", size),
    );
  }

  function renderAll() {
    renderToolbar();
    renderStatus();
    renderPicker();
    renderTable();
    renderPager();
  }

  // --- intents ---------------------------------------------------------------------------------
  function activate(index, { focus = true } = {}) {
    const list = rows();
    if (!list.length) return;
    const target = list[Math.max(0, Math.min(index, list.length - 1))];
    // Selection is view state the front end owns: set the trait directly (the kernel reads it).
    if (target.id !== get("selected_id")) {
      model.set("selected_id", target.id);
      model.save_changes();
    }
    if (focus) table.focus();
  }

  function markActive() {
    active = Math.max(
      0,
      rows().findIndex((row) => row.id === get("selected_id")),
    );
    for (const tr of table.querySelectorAll("tbody tr[role=row]")) {
      const isActive = tr.id === `${viewId}-row-${active}`;
      tr.classList.toggle("nbw-active", isActive);
      tr.setAttribute("aria-selected", String(isActive));
      if (isActive) tr.scrollIntoView?.({ block: "nearest" });
    }
    table.setAttribute("aria-activedescendant", rows().length ? `${viewId}-row-${active}` : "");
  }

  function openEditor(row, field = "expected_output", draft = null) {
    const value = draft && field in draft ? draft[field] : row[field];
    editor = { datapointId: row.id, field, text: editorText(service(), field, value) };
    renderTable();
  }

  function closeEditor() {
    editor = null;
    renderTable();
    table.focus();
  }

  function saveEditor(row) {
    const parsed = editorValue(service(), editor.field, editor.text);
    if (parsed.error) {
      editor.error = parsed.error;
      renderTable();
      return;
    }
    const pending = { ...editor };
    editor = null;
    renderTable();
    table.focus();
    request("edit", { datapoint_id: row.id, field: pending.field, value: parsed.value }).catch((error) => {
      // refused before any request (e.g. nested inputs): reopen with the draft and the reason
      editor = { ...pending, error: error.message };
      renderTable();
    });
  }

  table.addEventListener(
    "keydown",
    (event) => {
      if (event.target !== table) return; // keys inside the editor and controls are theirs
      const keys = {
        ArrowDown: () => activate(active + 1),
        j: () => activate(active + 1),
        ArrowUp: () => activate(active - 1),
        k: () => activate(active - 1),
        Home: () => activate(0),
        End: () => activate(rows().length - 1),
        PageDown: () => get("has_next") && send("next"),
        PageUp: () => get("has_previous") && send("previous"),
        Enter: () => rows()[active] && openEditor(rows()[active]),
        Escape: () => handFocusToNotebook(root),
      };
      if ((event.ctrlKey || event.metaKey) && event.key === "z" && get("can_undo")) {
        event.preventDefault();
        send("undo");
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || !keys[event.key]) return;
      event.preventDefault();
      keys[event.key]();
    },
    { signal },
  );

  // --- reactions to the model --------------------------------------------------------------------
  const watched = [
    "_page_rows",
    "_row_patches",
    "row_status",
    "loading",
    "error",
    "page_number",
    "page_size",
    "has_next",
    "has_previous",
    "total",
    "dataset_id",
    "dataset_name",
    "picker",
    "staged",
    "can_undo",
    "version",
    "notice",
    "ordering",
    "search",
    "is_sandbox",
  ];
  model.on("change:selected_id", markActive);
  const onChange = coalesced(renderAll);
  const onPageChange = () => {
    editor = editor && rows().some((r) => r.id === editor.datapointId) ? editor : null;
  };
  model.on("change:_page_rows", onPageChange);
  for (const name of watched) model.on(`change:${name}`, onChange);
  renderAll();

  // --- cleanup -----------------------------------------------------------------------------------
  return () => {
    controller.abort();
    dispose();
    model.off("change:_page_rows", onPageChange);
    model.off("change:selected_id", markActive);
    for (const name of watched) model.off(`change:${name}`, onChange);
  };
}

export default { render };
