// The grid's table: keyed rows (only rows whose data or status changed are built again), one tab stop
// with roving focus over the cells (the ARIA grid pattern), resizable / reorderable column headers,
// sticky number, pinned edit column and status, and a cue while columns overflow to the right.
// Its elements are built by table-rows.js; keys, clicks and the clipboard are table-input.js.
import { h } from "../shared/dom.js";
import { fitWidths, NUMBER_WIDTH, STATUS_WIDTH, statusWidth, tableWidth } from "./columns.js";
import { wireHeaders } from "./headers.js";
import { planRows } from "./rows.js";
import { wireTableInput } from "./table-input.js";
import { buildDetail, buildRow, headRow } from "./table-rows.js";

const KEYS_HELP =
  "Arrow keys move between cells, Enter edits, Space shows the row whole, Page Up and Page Down turn pages; " +
  "Shift with Space ticks the row, Shift with Up or Down ticks a range, Delete asks to delete the ticked rows, " +
  "pasting tab-separated rows previews them as new datapoints (or into the ticked rows); " +
  "on a column header, Alt with Left or Right moves the column and Shift with Left or Right resizes it; Escape leaves the table.";

export function createTable({ root, signal, on, viewId, top = null }) {
  const colgroup = h("colgroup");
  const thead = h("thead");
  const tbody = h("tbody");
  // a row above the datapoints (the grid's "New datapoint" row), in a body of its own: never one of the rows
  const topBody = top ? h("tbody", { class: "nbw-top-body" }, top) : null;
  const help = h("p", { class: "nbw-sr-only", id: `${viewId}-keys` }, KEYS_HELP);
  const table = h(
    "table",
    { class: "nbw-table", role: "grid", "aria-label": "Datapoints", "aria-describedby": help.id },
    colgroup,
    thead,
    topBody,
    tbody,
  );
  const scroller = h("div", { class: "nbw-scroll" }, table);
  const cue = h("div", { class: "nbw-overflow-cue", "aria-hidden": "true", title: "More columns: scroll right" }, "›");
  const element = h("div", { class: "nbw-table-wrap" }, scroller, cue, help);
  let records = new Map(); // id -> what the row was built from (see planRows)
  const trs = new Map(); // id -> <tr>
  const details = new Map(); // id -> the detail <tr> under a row whose edit needs words and actions
  let order = [];
  let columns = [];
  let structure = "";
  let at = { row: 1, col: 1 }; // the active cell: row 0 is the header, column 0 the row number
  let view = null;
  let builtOffset = 0;
  let columnWidths = "";

  // --- building -----------------------------------------------------------------------------------
  function buildHead() {
    colgroup.replaceChildren(
      h("col", { style: `width:${NUMBER_WIDTH}px` }),
      ...columns.map((c) => h("col", { dataset: { key: c.key } })),
      h("col", { class: "nbw-state-col", style: `width:${STATUS_WIDTH}px` }),
    );
    thead.replaceChildren(headRow(columns));
    applyWidths();
  }

  /** Column widths; the pinned column narrows to what is left beside the number and the status, so the
   * column being edited and the status stay in view on a narrow screen. */
  function applyWidths() {
    const status = statusWidth(scroller.clientWidth);
    const fit = Math.max(100, scroller.clientWidth - NUMBER_WIDTH - status - 2);
    const fitted = fitWidths(columns, scroller.clientWidth ? fit : 0);
    const widths = fitted.map((width, i) => (columns[i].pinned && scroller.clientWidth ? Math.min(width, fit) : width));
    colgroup.querySelectorAll("col[data-key]").forEach((col, i) => {
      col.style.width = `${widths[i]}px`;
    });
    const statusCol = colgroup.querySelector("col.nbw-state-col");
    if (statusCol) statusCol.style.width = `${status}px`;
    element.style.setProperty("--nbw-status-width", `${status}px`); // the overflow cue sits beside it
    table.style.width = `max(100%, ${tableWidth(
      widths.map((width) => ({ width })),
      status,
    )}px)`;
  }

  /** A column's width as shown (fitted to the visible width unless the user sized it). */
  function shownWidth(key) {
    const col = [...colgroup.querySelectorAll("col[data-key]")].find((c) => c.dataset.key === key);
    return Number.parseFloat(col?.style.width) || columns.find((c) => c.key === key).width;
  }

  /** Each detail row right under its row (under the row's editor when it is open there). */
  function placeDetails() {
    for (const [id, detail] of details) {
      const row = trs.get(id);
      if (!row) {
        detail.remove();
        details.delete(id);
        continue;
      }
      const after = row.nextSibling?.matches?.(`tr.nbw-editor-row[data-for="${CSS.escape(id)}"]`)
        ? row.nextSibling
        : row;
      if (after.nextSibling !== detail) after.after(detail);
    }
  }

  /** The columns of `next`: the head is built again when their keys, pins or widths changed. Returns
   * whether they did (the table's width can change). */
  function takeColumns(next) {
    const shape = JSON.stringify(next.columns.map((c) => [c.key, c.pinned]));
    const widths = JSON.stringify(next.columns.map((c) => c.width));
    const reshaped = shape !== structure || widths !== columnWidths;
    columnWidths = widths;
    if (shape !== structure) {
      structure = shape;
      records = new Map(); // every row again
    }
    if (reshaped) {
      columns = next.columns;
      buildHead();
    }
    if (next.offset !== builtOffset) records = new Map(); // the numbers changed: every row again
    builtOffset = next.offset;
    return reshaped;
  }

  /** Build the planned rows (in place when the order stays) and their detail rows; put the body in order. */
  function buildRows(next, plan) {
    const sameOrder =
      plan.drop.length === 0 && plan.order.length === order.length && plan.order.every((id, i) => id === order[i]);
    const toBuild = new Set(plan.build);
    next.entries.forEach((entry, index) => {
      if (!toBuild.has(entry.id)) return;
      const tr = buildRow(entry, index, view, columns);
      if (sameOrder) trs.get(entry.id).replaceWith(tr);
      trs.set(entry.id, tr);
      details.get(entry.id)?.remove();
      const detail = buildDetail(entry, columns);
      if (detail) details.set(entry.id, detail);
      else details.delete(entry.id);
    });
    for (const id of plan.drop) trs.delete(id);
    if (!sameOrder || !plan.order.length) {
      tbody.replaceChildren(...plan.order.map((id) => trs.get(id)));
      if (!plan.order.length) tbody.append(emptyRow(next.emptyText));
    }
    return sameOrder;
  }

  const emptyRow = (text) =>
    h(
      "tr",
      { role: "row" },
      h("td", { role: "gridcell", colspan: String(columns.length + 2), class: "nbw-empty" }, text),
    );

  /** After a rebuild: the active cell kept in the page's bounds (on the selected row), focus where it was. */
  function keepActive({ hadFocus, focusedDetail }) {
    at = { row: Math.min(at.row, order.length), col: Math.min(at.col, columns.length + 1) };
    if (at.row >= 1 && view.selectedId) at.row = Math.max(1, order.indexOf(view.selectedId) + 1);
    roving();
    if (hadFocus && tabbable !== document.activeElement) tabbable?.focus({ preventScroll: true });
    if (focusedDetail !== undefined && !details.get(focusedDetail)?.isConnected && order.includes(focusedDetail))
      moveTo(order.indexOf(focusedDetail) + 1, columns.length + 1);
  }

  /** Show `next` (the view of the page); returns how many rows were built. */
  function update(next) {
    const started = performance.now();
    const focus = {
      hadFocus: tabbable !== null && tabbable === document.activeElement,
      // focus on an action of a detail row (Keep mine...): when that row goes, focus goes to the row's status
      focusedDetail: [...details].find(([, detail]) => detail.contains(document.activeElement))?.[0],
    };
    view = next;
    const reshaped = takeColumns(next);
    const plan = planRows(records, next.entries, { expanded: next.expanded });
    const sameOrder = buildRows(next, plan);
    records = plan.records;
    order = plan.order;
    placeEditor();
    placeDetails();
    table.setAttribute("aria-rowcount", String(next.total != null ? next.total + 1 : -1));
    table.setAttribute("aria-colcount", String(columns.length + 2));
    if (top) top.cells[0].colSpan = columns.length + 2;
    keepActive(focus);
    // measuring the overflow makes the browser lay the table out now: only when its width can change
    if (!sameOrder || reshaped) checkOverflow();
    // read by bench/: the time to show rows, and how many were built
    performance.measure?.("nbw-grid-render", {
      start: started,
      detail: { built: plan.build.length, rows: order.length },
    });
    return plan.build.length;
  }

  function placeEditor() {
    const editorRow = view.editor;
    for (const row of tbody.querySelectorAll("tr.nbw-editor-row")) if (row !== editorRow) row.remove();
    const owner = editorRow && trs.get(editorRow.dataset.for);
    if (owner && owner.nextSibling !== editorRow) owner.after(editorRow);
  }

  // --- roving focus ---------------------------------------------------------------------------------
  const rowElement = (row) => (row === 0 ? thead.rows[0] : trs.get(order[row - 1]));
  const cellAt = (row, col) => rowElement(row)?.cells[col] ?? null;
  let tabbable = null;

  function roving() {
    const cell = cellAt(at.row, at.col) ?? cellAt(0, 0);
    if (cell === tabbable) return;
    if (tabbable) tabbable.tabIndex = -1;
    if (cell) cell.tabIndex = 0;
    tabbable = cell;
  }

  function moveTo(row, col, { focus = true } = {}) {
    at = { row, col };
    roving();
    if (row >= 1 && order[row - 1] !== view.selectedId) on.select(order[row - 1]);
    if (focus) tabbable?.focus();
    tabbable?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }

  function markRow(tr, active) {
    if (tr.classList.contains("nbw-active") === active) return;
    tr.classList.toggle("nbw-active", active);
    tr.setAttribute("aria-selected", String(active));
  }

  /** Ticked rows (the selection) and rows staged for removal, on the rows already built. */
  function markTicked(ticked, removed = new Set()) {
    if (view) Object.assign(view, { ticked, removed });
    for (const [id, tr] of trs) {
      const on = ticked.has(id);
      tr.classList.toggle("nbw-ticked", on);
      tr.classList.toggle("nbw-removed", removed.has(id));
      const box = tr.querySelector("input.nbw-tick");
      if (box && box.checked !== on) box.checked = on;
    }
  }

  function markActive(selectedId) {
    for (const [id, tr] of trs) markRow(tr, id === selectedId);
    if (view) view.selectedId = selectedId;
    const index = order.indexOf(selectedId);
    if (index >= 0 && at.row !== index + 1) {
      const hadFocus = element.contains(document.activeElement) && document.activeElement === tabbable;
      at = { row: index + 1, col: at.col };
      roving();
      if (hadFocus) tabbable?.focus();
    }
  }

  const position = (cell) => ({
    row: cell.parentElement.parentElement === thead ? 0 : order.indexOf(cell.parentElement.dataset.id) + 1,
    col: cell.cellIndex,
  });

  wireTableInput(
    {
      table,
      details,
      moveTo,
      position,
      shownWidth,
      get at() {
        return at;
      },
      get order() {
        return order;
      },
      get columns() {
        return columns;
      },
      get view() {
        return view;
      },
      get tabbable() {
        return tabbable;
      },
    },
    { root, signal, on },
  );
  wireHeaders({ thead, colgroup, signal, on, widthOf: shownWidth });

  // --- the overflow cue, and the visible width the editor takes ------------------------------------
  let seenWidth = -1;
  function checkOverflow() {
    if (scroller.clientWidth !== seenWidth) {
      seenWidth = scroller.clientWidth;
      applyWidths();
    }
    const more = scroller.scrollLeft + scroller.clientWidth < scroller.scrollWidth - 2;
    element.classList.toggle("nbw-overflows", more);
    element.style.setProperty("--nbw-view-width", `${scroller.clientWidth}px`);
  }
  scroller.addEventListener("scroll", checkOverflow, { signal, passive: true });
  if (typeof ResizeObserver !== "undefined") {
    const observer = new ResizeObserver(checkOverflow);
    observer.observe(scroller);
    signal.addEventListener("abort", () => observer.disconnect());
  }

  return {
    element,
    scroller,
    update,
    markActive,
    markTicked,
    focus: () => (tabbable ?? cellAt(0, 0))?.focus(),
    hidden: (value) => {
      element.hidden = value;
    },
  };
}
