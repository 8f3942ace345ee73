// DatasetGrid front end: renders the state the Python widget holds (its schema, one page of rows, each
// row's status) and sends intents back. Blocks: toolbar.js, table.js (keyed rows, roving focus),
// editor.js (messages.js), pager.js, picker.js; this file wires them to the model.
import "../shared/theme.css";
import "./grid.css";
import { createRequester } from "../shared/comm.js";
import { h } from "../shared/dom.js";
import { pretty } from "../shared/format.js";
import { isolateShortcuts } from "../shared/keys.js";
import { coalesced } from "../shared/schedule.js";
import { resolveColumns, withDrop, withHidden, withMove, withWidth } from "./columns.js";
import { buildEditor, editorResult, openEditorState, withServerError } from "./editor.js";
import { fromDrafts, toDrafts } from "./messages.js";
import { renderPager } from "./pager.js";
import { renderPicker } from "./picker.js";
import { mergeRows } from "./rows.js";
import { createTable } from "./table.js";
import { renderControls, renderFind, renderStaged, renderToolbar } from "./toolbar.js";

let viewIds = 0;

function render({ model, el }) {
  // --- state ---------------------------------------------------------------------------------------
  const controller = new AbortController();
  const { signal } = controller;
  const { request, dispose } = createRequester(model);
  const viewId = `nbw-grid-${++viewIds}`;
  const get = (name) => model.get(name);
  const expanded = new Set(); // rows shown whole, by id (view state of this view only)
  let editor = null; // the open editor's state (editor.js), and its row element
  let editorRow = null;
  let columnsOpen = false;
  let local = null; // a prefetched page shown at once on a flip, until the kernel confirms it
  const prefetched = new Map(); // page number -> a neighbour page the kernel sent ahead
  const listing = () => JSON.stringify([get("dataset_id"), get("page_size"), get("ordering"), get("search")]);
  const layout = () => get("column_layout")?.[get("dataset_id")] ?? {};
  const columns = () => resolveColumns(get("schema"), layout());
  const send = (type, payload) =>
    request(type, payload).catch((error) => {
      alert.replaceChildren(h("span", {}, error.message));
      return null;
    });

  // --- DOM -----------------------------------------------------------------------------------------
  const toolbar = h("div", { class: "nbw-toolbar" });
  const controls = h("div", { class: "nbw-controls" });
  const staged = h("div", { class: "nbw-staged", hidden: true });
  const findBox = h("div", { class: "nbw-find", hidden: true });
  const statusLine = h("div", { class: "nbw-status", role: "status", "aria-live": "polite" });
  const alert = h("div", { class: "nbw-alert", role: "alert" });
  const notice = h("div", { class: "nbw-notice", role: "status", hidden: true });
  const picker = h("div", { class: "nbw-picker" });
  const pager = h("div", { class: "nbw-pager" });
  const table = createTable({
    root: el,
    signal,
    on: {
      select: (id) => {
        model.set("selected_id", id); // view state the front end owns: the kernel reads it
        model.save_changes();
      },
      edit: (id, key) => openEditor(id, key),
      expand: (id) => toggleExpanded(id),
      action: (name, id) => {
        if (name === "expand") return toggleExpanded(id);
        if (name === "edit-draft") return openEditor(id, null, get("row_status")?.[id]);
        const intents = {
          retry: ["retry", {}],
          "keep-mine": ["resolve", { keep: "mine" }],
          "take-theirs": ["resolve", { keep: "theirs" }],
        };
        const [type, extra] = intents[name];
        send(type, { datapoint_id: id, ...extra });
      },
      flip: (by) => flip(by),
      undo: () => get("can_undo") && send("undo"),
      resizeColumn: (key, width) => saveLayout(withWidth(layout(), key, width)),
      moveColumn: (key, by) => saveLayout(withMove(get("schema"), layout(), key, by)),
      dropColumn: (key, before) => saveLayout(withDrop(get("schema"), layout(), key, before)),
    },
  });
  const root = h(
    "div",
    { class: "nbw nbw-grid" },
    toolbar,
    controls,
    staged,
    findBox,
    statusLine,
    alert,
    notice,
    picker,
    table.element,
    pager,
  );
  isolateShortcuts(root, signal);
  el.append(root);

  // --- the view's parts ----------------------------------------------------------------------------
  function saveLayout(saved) {
    model.set("column_layout", { ...get("column_layout"), [get("dataset_id")]: saved });
    model.save_changes();
  }
  function setLayout(op, key, arg) {
    if (op === "reset") return saveLayout({});
    saveLayout(op === "hide" ? withHidden(layout(), key, arg) : withMove(get("schema"), layout(), key, arg));
  }

  function toggleExpanded(id) {
    if (!expanded.delete(id)) expanded.add(id);
    renderRows();
  }

  function renderRows() {
    const open = Boolean(get("dataset_id"));
    table.hidden(!open);
    if (!open) return;
    const rows = local ? local.rows : (get("_page_rows") ?? []);
    const number = local ? local.number : get("page_number");
    table.update({
      columns: columns(),
      entries: mergeRows(rows, local ? {} : get("_row_patches"), get("staged"), get("row_status")),
      offset: (number - 1) * get("page_size"),
      selectedId: local ? rows[0]?.id : get("selected_id"),
      expanded,
      editor: editorRow,
      total: get("total"),
      emptyText: get("loading")
        ? "Loading…"
        : get("total") === 0
          ? "This dataset has no datapoints."
          : "No datapoints on this page.",
    });
  }

  const context = { get, send, viewId };
  const renderBar = {
    toolbar: () => renderToolbar(toolbar, context),
    controls: () =>
      renderControls(controls, {
        ...context,
        layout: layout(),
        setLayout,
        columnsOpen,
        toggleColumns: () => {
          columnsOpen = !columnsOpen;
          renderBar.controls();
        },
        setDensity: (density) => {
          model.set("density", density);
          model.save_changes();
        },
      }),
    staged: () => renderStaged(staged, context),
    find: () => renderFind(findBox, context),
    picker: () => renderPicker(picker, context),
    pager: () =>
      renderPager(pager, {
        ...context,
        get: (name) => (local && name in local.traits ? local.traits[name] : get(name)),
        flip,
        rowCount: (local ? local.rows : (get("_page_rows") ?? [])).length,
      }),
    status: () => {
      statusLine.replaceChildren(
        ...(get("loading")
          ? [
              h("span", { class: "nbw-spinner", "aria-hidden": "true" }),
              ` Loading${get("dataset_id") ? ` page ${get("page_number")}` : ""}…`,
            ]
          : []),
      );
      alert.replaceChildren(
        ...(get("error")
          ? [
              h("span", {}, get("error")),
              h(
                "button",
                { type: "button", onclick: () => send(get("dataset_id") ? "refresh" : "pick", { search: "" }) },
                "Retry",
              ),
            ]
          : []),
      );
      notice.hidden = !get("notice");
      notice.textContent = get("notice");
    },
    density: () => {
      root.classList.toggle("nbw-comfortable", get("density") === "comfortable");
      root.classList.toggle("nbw-compact", get("density") !== "comfortable");
    },
  };

  // --- intents -------------------------------------------------------------------------------------
  function flip(by) {
    const at = local
      ? local.traits
      : { page_number: get("page_number"), has_next: get("has_next"), has_previous: get("has_previous") };
    if (!(by > 0 ? at.has_next : at.has_previous)) return;
    const ahead = prefetched.get(at.page_number + by);
    if (ahead && !local && JSON.stringify(ahead.listing) === listing()) {
      // shown now; the kernel moves to the same page (from its cache) and confirms it
      local = {
        number: ahead.number,
        rows: ahead.rows,
        traits: { page_number: ahead.number, has_next: ahead.has_next, has_previous: ahead.has_previous },
      };
      renderRows();
      renderBar.pager();
    }
    send(by > 0 ? "next" : "previous");
  }

  function openEditor(id, key, status = null) {
    const list = columns();
    const column =
      list.find((c) => c.key === (key ?? Object.keys(status?.draft ?? {})[0])) ?? list.find((c) => c.editable);
    const row = (get("_page_rows") ?? []).find((r) => r.id === id);
    if (!column || !row) return;
    editor = openEditorState(column, { ...row, ...get("_row_patches")?.[id] }, status?.draft);
    if (status?.state === "failed") editor = withServerError(editor, status);
    showEditor({ focusFirst: true });
  }

  function showEditor({ focusFirst = false } = {}) {
    const focused = editorRow?.contains(document.activeElement)
      ? document.activeElement.getAttribute("aria-label")
      : null;
    editorRow = editor
      ? buildEditor(editor, {
          columns: columns(),
          saveLabel: get("schema")?.save === "version" ? "Stage edit" : "Save",
          viewId,
          signal,
          on: {
            change: (next) => {
              editor = next;
              showEditor();
            },
            field: (key) => openEditor(editor.id, key),
            raw: (raw) => switchRaw(raw),
            save: saveEditor,
            cancel: closeEditor,
          },
        })
      : null;
    renderRows();
    if (!editorRow) return;
    const again =
      focused &&
      [...editorRow.querySelectorAll("[aria-label]")].find((node) => node.getAttribute("aria-label") === focused);
    const target = again ?? (focusFirst ? editorRow.querySelector("textarea, .nbw-msg-editor select") : null);
    if (target) {
      target.focus();
      if (target.setSelectionRange && focusFirst) target.setSelectionRange(target.value.length, target.value.length);
    }
    if (focusFirst) editorRow.scrollIntoView?.({ block: "nearest" });
  }

  function switchRaw(raw) {
    if (raw) editor = { ...editor, raw, text: pretty(fromDrafts(editor.drafts).value), error: "", errors: {} };
    else {
      try {
        editor = { ...editor, raw, drafts: toDrafts(JSON.parse(editor.text)), error: "", errors: {} };
      } catch (error) {
        editor = { ...editor, error: `Messages must be valid JSON to edit them as messages: ${error.message}` };
      }
    }
    showEditor();
  }

  function saveEditor() {
    const result = editorResult(editor);
    if (result.error) {
      editor = { ...editor, error: result.error, errors: result.errors ?? {} };
      return showEditor();
    }
    const pending = editor;
    closeEditor();
    request("edit", { datapoint_id: pending.id, field: pending.key, value: result.value }).catch((error) => {
      // refused before any request (e.g. nested inputs): reopen with the draft and the reason
      editor = withServerError(pending, error.detail ?? { reason: error.message });
      showEditor();
    });
  }

  function closeEditor() {
    editor = null;
    showEditor();
    table.focus();
  }

  // --- reactions to the model ----------------------------------------------------------------------
  const listeners = [];
  const watch = (names, fn) => {
    const handler = coalesced(fn);
    for (const name of names) {
      model.on(`change:${name}`, handler);
      listeners.push([`change:${name}`, handler]);
    }
  };
  const confirm = () => {
    local = null; // the kernel moved: what it shows is the truth
    if (editor && !(get("_page_rows") ?? []).some((row) => row.id === editor.id)) {
      editor = null;
      editorRow = null;
    }
  };
  const onMessage = (message) => {
    if (message?.type !== "prefetched") return;
    prefetched.set(message.number, message);
    for (const number of prefetched.keys()) if (Math.abs(number - get("page_number")) > 1) prefetched.delete(number);
    root.dataset.pagesAhead = [...prefetched.keys()].sort((a, b) => a - b).join(" ");
  };
  const onSelected = () => table.markActive(get("selected_id"));
  const onFailure = () => {
    if (get("error")) local = null;
  };
  model.on("change:_page_rows", confirm);
  model.on("change:page_number", confirm);
  model.on("change:error", onFailure);
  model.on("msg:custom", onMessage);
  model.on("change:selected_id", onSelected);
  const rowsTraits = [
    "_page_rows",
    "_row_patches",
    "row_status",
    "staged",
    "schema",
    "column_layout",
    "dataset_id",
    "page_number",
    "page_size",
    "total",
  ];
  watch(rowsTraits, renderRows);
  watch(["dataset_id", "dataset_name", "version", "is_sandbox", "can_undo", "schema"], renderBar.toolbar);
  watch(["dataset_id", "schema", "search", "ordering", "density", "column_layout"], renderBar.controls);
  watch(["staged"], renderBar.staged);
  watch(["find", "search", "total", "schema"], renderBar.find);
  watch(["picker", "dataset_id", "loading"], renderBar.picker);
  watch(
    [
      "dataset_id",
      "page_number",
      "page_count",
      "known_pages",
      "has_next",
      "has_previous",
      "total",
      "page_size",
      "_page_rows",
      "schema",
    ],
    renderBar.pager,
  );
  watch(["loading", "error", "notice", "dataset_id", "page_number"], renderBar.status);
  watch(["density"], renderBar.density);
  for (const part of Object.values(renderBar)) part();
  renderRows();
  // Pages the kernel sent ahead before this view existed were not heard (marimo displays a widget well after
  // it is made, and a re-render starts afresh): ask for the neighbours of the page on show again.
  if (get("dataset_id")) request("send_ahead").catch(() => {});

  // --- cleanup -------------------------------------------------------------------------------------
  return () => {
    controller.abort();
    dispose();
    model.off("change:_page_rows", confirm);
    model.off("change:page_number", confirm);
    model.off("change:error", onFailure);
    model.off("msg:custom", onMessage);
    model.off("change:selected_id", onSelected);
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}

export default { render };
