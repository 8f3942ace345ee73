// DatasetGrid front end: renders the state the Python widget holds (its schema, one page of rows, each
// row's status) and sends intents back. Blocks: toolbar.js, find.js, table.js (keyed rows, roving focus;
// its rows in table-rows.js, its keys and clicks in table-input.js), curate.js (selection bar; its panels in
// curate-panels.js and curate-add.js), edit-flow.js + editor.js (messages.js), flip.js, pager.js, picker.js;
// render() wires them to the model, on the view preamble every widget shares (shared/view.js).
import "../shared/theme.css";
import "./grid.css";
import { h, keepingFocus } from "../shared/dom.js";
import { useWriteStates } from "../shared/format.js";
import { startView } from "../shared/view.js";
import { resolveColumns, withDrop, withHidden, withMove, withWidth } from "./columns.js";
import { createCurate } from "./curate.js";
import { createEditFlow } from "./edit-flow.js";
import { renderFind } from "./find.js";
import { createFlipper } from "./flip.js";
import { renderPager } from "./pager.js";
import { renderPicker } from "./picker.js";
import { mergeRows } from "./rows.js";
import { createTable } from "./table.js";
import { renderControls, renderStaged, renderStatus, renderToolbar } from "./toolbar.js";

const INTENTS = {
  retry: ["retry", {}],
  "keep-mine": ["resolve", { keep: "mine" }],
  "take-theirs": ["resolve", { keep: "theirs" }],
};

/** What an empty table says. */
function emptyText(get) {
  if (get("loading")) return "Loading…";
  return get("total") === 0 ? "This dataset has no datapoints." : "No datapoints on this page.";
}

function render({ model, el }) {
  // --- state ---------------------------------------------------------------------------------------
  // view state the front end owns (selection, density, layout) is set with setTrait: the kernel reads it
  const view = startView({
    model,
    el,
    name: "grid",
    send: (type, payload) => send(type, payload),
    goTo: (item) => send("go_to_write", { datapoint_id: item.datapoint_id }),
  });
  const { signal, request, get, set: setTrait, viewId, on, watch } = view;
  useWriteStates(get("write_states")); // the states' words and which show a draft or a detail row: the kernel's
  const expanded = new Set(); // rows shown whole, by id (this view only)
  let columnsOpen = false;
  const layout = () => get("column_layout")?.[get("dataset_id")] ?? {};
  const columns = () => resolveColumns(get("schema"), layout());
  const saveLayout = (saved) => setTrait("column_layout", { ...get("column_layout"), [get("dataset_id")]: saved });
  const send = (type, payload) =>
    request(type, payload).catch((error) => {
      alert.replaceChildren(h("span", {}, error.message));
      return null;
    });

  // --- DOM -----------------------------------------------------------------------------------------
  const [toolbar, controls, staged, findBox, picker, pager] = [
    "toolbar",
    "controls",
    "staged",
    "find",
    "picker",
    "pager",
  ].map((name) => h("div", { class: `nbw-${name}` }));
  const statusLine = h("div", { class: "nbw-status", role: "status", "aria-live": "polite" });
  const alert = h("div", { class: "nbw-alert", role: "alert" });
  const notice = h("div", { class: "nbw-notice", role: "status", hidden: true });
  const keptLine = h("div", { class: "nbw-kept", role: "status", hidden: true });
  const curate = createCurate({ get, request, viewId, signal, focusTable: () => table.focus() });
  const table = createTable({
    root: el,
    signal,
    viewId,
    top: curate.newRow,
    on: {
      select: (id) => setTrait("selected_id", id),
      edit: (id, key) => edits.open(id, key),
      expand: (id) => toggleExpanded(id),
      action: (name, id) => {
        if (name === "expand") return toggleExpanded(id);
        if (name === "edit-draft") return edits.open(id, null, get("row_status")?.[id]);
        const [type, extra] = INTENTS[name];
        send(type, { datapoint_id: id, ...extra });
      },
      flip: (by) => flipper.flip(by),
      undo: () => get("can_undo") && send("undo"),
      resizeColumn: (key, width) => saveLayout(withWidth(layout(), key, width)),
      moveColumn: (key, by) => saveLayout(withMove(get("schema"), layout(), key, by)),
      dropColumn: (key, before) => saveLayout(withDrop(get("schema"), layout(), key, before)),
      tick: (id) => {
        anchor = { id, base: (get("selection") ?? []).filter((s) => s !== id) };
        const ticked = (get("selection") ?? []).includes(id);
        send("select", { ids: [id], how: ticked ? "remove" : "add" });
      },
      tickRange: (from, to, order) => {
        // Shift+arrows / Shift+click: the rows between where the range began and here, on this page
        if (!anchor || !order.includes(anchor.id)) anchor = { id: from, base: get("selection") ?? [] };
        const [a, b] = [order.indexOf(anchor.id), order.indexOf(to)].sort((x, y) => x - y);
        const range = order.slice(a, b + 1);
        const base = anchor.base.filter((id) => !order.slice(a, b + 1).includes(id));
        send("select", { ids: [...base, ...range], how: "set" });
      },
      deleteKey: (id) => {
        if (!(get("selection") ?? []).length && id) {
          request("select", { ids: [id] })
            .then(() => curate.confirmDelete())
            .catch(() => {});
        } else curate.confirmDelete();
      },
      paste: (text) => curate.pasted(text),
    },
  });
  let anchor = null; // where a Shift range began: {id, base: the selection before it}
  const root = h(
    "div",
    { class: "nbw nbw-grid" },
    toolbar,
    view.pending.element,
    curate.element,
    controls,
    staged,
    findBox,
    statusLine,
    alert,
    notice,
    keptLine,
    picker,
    table.element,
    pager,
  );
  view.mount(root);
  const edits = createEditFlow({
    get,
    request,
    viewId,
    signal,
    columns,
    shown: () => renderRows(),
    focusTable: () => table.focus(),
    page: () => flipper.get("page_number"),
    onKept: (drafts) => {
      keptLine.hidden = !drafts.length;
      keptLine.replaceChildren(
        ...drafts.map((draft) =>
          h(
            "div",
            {},
            `Unsaved edit kept: ${draft.title} of row ${draft.rowNumber} (page ${draft.page}). It opens again with your text on that page. `,
            h("button", { type: "button", class: "nbw-link", onclick: () => edits.discard(draft.id) }, "Discard it"),
          ),
        ),
      );
    },
  });
  const flipper = createFlipper({
    get,
    send,
    shown: () => {
      renderRows();
      parts.pager();
    },
  });

  // --- rendering: the rows that changed, and each bar from the traits it shows ---------------------
  function toggleExpanded(id) {
    if (!expanded.delete(id)) expanded.add(id);
    renderRows();
  }

  function renderRows() {
    table.hidden(!get("dataset_id"));
    if (!get("dataset_id")) return;
    const local = flipper.local();
    const rows = local ? local.rows : (get("_page_rows") ?? []);
    table.update({
      columns: columns(),
      entries: mergeRows(rows, local ? {} : get("_row_patches"), get("staged"), get("row_status")),
      offset: (flipper.get("page_number") - 1) * get("page_size"),
      selectedId: local ? rows[0]?.id : get("selected_id"),
      expanded,
      ticked: new Set(get("selection") ?? []),
      removed: new Set(get("version_changes")?.removed ?? []),
      editor: edits.row(),
      total: get("total"),
      emptyText: emptyText(get),
    });
  }

  const context = { get, send, viewId };
  const parts = {
    toolbar: () => renderToolbar(toolbar, context),
    controls: () =>
      renderControls(controls, {
        ...context,
        layout: layout(),
        setLayout: (op, key, arg) =>
          saveLayout(
            op === "reset"
              ? {}
              : op === "hide"
                ? withHidden(layout(), key, arg)
                : withMove(get("schema"), layout(), key, arg),
          ),
        columnsOpen,
        toggleColumns: () => {
          columnsOpen = !columnsOpen;
          parts.controls();
        },
        setDensity: (density) => setTrait("density", density),
      }),
    staged: () => renderStaged(staged, context),
    find: () => renderFind(findBox, context),
    picker: () => renderPicker(picker, context),
    pager: () =>
      renderPager(pager, {
        ...context,
        get: flipper.get,
        flip: flipper.flip,
        rowCount: (flipper.local()?.rows ?? get("_page_rows") ?? []).length,
      }),
    status: () => renderStatus({ statusLine, alert, notice }, context),
    density: () => {
      root.classList.toggle("nbw-comfortable", get("density") === "comfortable");
      root.classList.toggle("nbw-compact", get("density") !== "comfortable");
    },
  };
  // each bar is rebuilt whole: focus goes on to the rebuilt control ("Next page ›" stays focused for the next Enter)
  for (const [name, draw] of Object.entries(parts)) parts[name] = () => keepingFocus(root, draw);

  // --- reactions to the model ----------------------------------------------------------------------
  const moved = () => {
    flipper.confirmed();
    edits.pageChanged();
  };
  on("change:_page_rows", moved);
  on("change:page_number", moved);
  on("change:error", () => get("error") && flipper.confirmed());
  on("msg:custom", (message) => {
    flipper.received(message);
    root.dataset.pagesAhead = flipper.ahead().join(" "); // read by tests: the pages this view holds ahead
  });
  on("change:selected_id", () => table.markActive(get("selected_id")));
  const ticked = () => {
    table.markTicked(new Set(get("selection") ?? []), new Set(get("version_changes")?.removed ?? []));
    keepingFocus(root, curate.renderSummary);
  };
  watch(["selection", "version_changes", "bulk", "selecting", "total", "dataset_id", "schema"], ticked);
  watch(["replace_preview", "paste_preview"], curate.renderPreview);
  const rowTraits = [
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
  watch(rowTraits, renderRows);
  watch(
    ["dataset_id", "dataset_name", "version", "version_standing", "is_sandbox", "can_undo", "schema"],
    parts.toolbar,
  );
  watch(["dataset_id", "schema", "search", "ordering", "density", "column_layout"], parts.controls);
  watch(["staged", "version_changes", "version_save", "version_standing", "version"], parts.staged);
  watch(["find", "search", "total", "schema"], parts.find);
  watch(["picker", "dataset_id", "loading"], parts.picker);
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
    parts.pager,
  );
  watch(["loading", "error", "notice", "dataset_id", "page_number"], parts.status);
  watch(["density"], parts.density);
  for (const part of Object.values(parts)) part();
  renderRows();
  curate.renderSummary();
  // Pages the kernel sent ahead before this view existed were not heard (marimo displays a widget well after
  // it is made, and a re-render starts afresh): ask for the neighbours of the page on show again.
  if (get("dataset_id")) request("send_ahead").catch(() => {});

  return view.dispose;
}

export default { render };
