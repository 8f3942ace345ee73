// The grid's table: keyed rows (only rows whose data or status changed are built again), one tab stop
// with roving focus over the cells (the ARIA grid pattern), resizable / reorderable column headers,
// sticky number, pinned edit column and status, and a cue while columns overflow to the right.
import { h } from "../shared/dom.js";
import { fullTime } from "../shared/format.js";
import { gridMove, handFocusToNotebook } from "../shared/keys.js";
import { cellContent, cellText, cellTitle, draftCell, statusContent, statusDetail } from "./cells.js";
import { fitWidths, NUMBER_WIDTH, STATUS_WIDTH, statusWidth, tableWidth } from "./columns.js";
import { wireHeaders } from "./headers.js";
import { planRows } from "./rows.js";

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
    const th = (label, attrs = {}) => h("th", { role: "columnheader", scope: "col", tabindex: "-1", ...attrs }, label);
    thead.replaceChildren(
      h(
        "tr",
        { role: "row", "aria-rowindex": "1" },
        th("#", { class: "nbw-num" }),
        columns.map((c) =>
          th(
            [h("span", { class: "nbw-th-label" }, c.title), h("span", { class: "nbw-resize", "aria-hidden": "true" })],
            {
              class: `nbw-col-${c.key}${c.pinned ? " nbw-pinned" : ""}`,
              draggable: c.pinned ? null : "true",
              dataset: { key: c.key },
            },
          ),
        ),
        th("Status", { class: "nbw-state" }),
      ),
    );
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

  function buildRow(entry, index) {
    const number = view.offset + index + 1;
    const expanded = view.expanded.has(entry.id);
    const ticked = Boolean(view.ticked?.has(entry.id));
    return h(
      "tr",
      {
        role: "row",
        "aria-rowindex": String(number + 1),
        "aria-selected": String(entry.id === view.selectedId),
        class: [
          entry.id === view.selectedId ? "nbw-active" : "",
          Object.keys(entry.draft).length ? "nbw-draft" : "",
          expanded ? "nbw-expanded" : "",
          ticked ? "nbw-ticked" : "",
          view.removed?.has(entry.id) ? "nbw-removed" : "",
        ]
          .join(" ")
          .trim(),
        dataset: { id: entry.id },
      },
      h(
        "td",
        { role: "gridcell", class: "nbw-num", tabindex: "-1" },
        h("input", {
          type: "checkbox",
          class: "nbw-tick",
          tabindex: "-1",
          checked: ticked,
          "aria-label": `Select row ${number}`,
          dataset: { id: entry.id },
        }),
        h(
          "button",
          {
            type: "button",
            class: "nbw-expand",
            tabindex: "-1",
            "aria-expanded": String(expanded),
            "aria-label": `${expanded ? "Collapse" : "Expand"} row ${number}`,
            dataset: { action: "expand", id: entry.id },
          },
          expanded ? "▾" : "▸",
        ),
        String(number),
      ),
      columns.map((c) =>
        h(
          "td",
          {
            role: "gridcell",
            tabindex: "-1",
            class: `nbw-col-${c.key}${c.pinned ? " nbw-pinned" : ""}${c.editable ? " nbw-editable" : ""}${
              c.key in entry.draft ? " nbw-has-draft" : ""
            }`,
            dataset: { key: c.key },
            // a one-line cell clips its text: the whole text on hover, without expanding the row
            title: expanded ? null : cellTitle(c, entry.shown),
          },
          c.key in entry.draft
            ? draftCell(c, { ...entry.base, ...entry.patch }[c.key], entry.shown[c.key], { expanded })
            : h("div", { class: "nbw-cell" }, cellContent(c, entry.shown)),
        ),
      ),
      h(
        "td",
        {
          role: "gridcell",
          tabindex: "-1",
          class: `nbw-state${entry.status ? ` nbw-state-${entry.status.state}` : ""}`,
          title:
            entry.status?.state === "saved" && entry.status.updated ? `Saved ${fullTime(entry.status.updated)}` : null,
        },
        statusContent(entry.status),
      ),
    );
  }

  /** The full-width row under a row whose status needs its reason and actions (a conflict, a failure). */
  function buildDetail(entry) {
    const content = statusDetail(entry.id, entry.status, {
      titleOf: (key) => columns.find((c) => c.key === key)?.title ?? key,
    });
    if (!content) return null;
    return h(
      "tr",
      { class: "nbw-detail-row", dataset: { for: entry.id } },
      h("td", { colspan: String(columns.length + 2) }, content),
    );
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

  /** Show `next` (the view of the page); returns how many rows were built. */
  function update(next) {
    const started = performance.now();
    const hadFocus = tabbable !== null && tabbable === document.activeElement;
    // focus on an action of a detail row (Keep mine...): when that row goes, focus goes to the row's status
    const focusedDetail = [...details].find(([, detail]) => detail.contains(document.activeElement))?.[0];
    view = next;
    const shape = JSON.stringify(next.columns.map((c) => [c.key, c.pinned]));
    const widths = JSON.stringify(next.columns.map((c) => c.width));
    const reshaped = shape !== structure || widths !== columnWidths;
    columnWidths = widths;
    if (shape !== structure) {
      structure = shape;
      columns = next.columns;
      buildHead();
      records = new Map();
    } else if (reshaped) {
      columns = next.columns;
      buildHead();
    }
    if (next.offset !== builtOffset) records = new Map(); // the numbers changed: every row again
    builtOffset = next.offset;
    const plan = planRows(records, next.entries, { expanded: next.expanded });
    const sameOrder =
      plan.drop.length === 0 && plan.order.length === order.length && plan.order.every((id, i) => id === order[i]);
    const toBuild = new Set(plan.build);
    next.entries.forEach((entry, index) => {
      if (!toBuild.has(entry.id)) return;
      const tr = buildRow(entry, index);
      if (sameOrder) trs.get(entry.id).replaceWith(tr);
      trs.set(entry.id, tr);
      details.get(entry.id)?.remove();
      const detail = buildDetail(entry);
      if (detail) details.set(entry.id, detail);
      else details.delete(entry.id);
    });
    for (const id of plan.drop) trs.delete(id);
    if (!sameOrder || !plan.order.length) {
      tbody.replaceChildren(...plan.order.map((id) => trs.get(id)));
      if (!plan.order.length)
        tbody.append(
          h(
            "tr",
            { role: "row" },
            h("td", { role: "gridcell", colspan: String(columns.length + 2), class: "nbw-empty" }, next.emptyText),
          ),
        );
    }
    records = plan.records;
    order = plan.order;
    placeEditor();
    placeDetails();
    table.setAttribute("aria-rowcount", String(next.total != null ? next.total + 1 : -1));
    table.setAttribute("aria-colcount", String(columns.length + 2));
    if (top) top.cells[0].colSpan = columns.length + 2;
    at = { row: Math.min(at.row, order.length), col: Math.min(at.col, columns.length + 1) };
    if (at.row >= 1 && view.selectedId) at.row = Math.max(1, order.indexOf(view.selectedId) + 1);
    roving();
    if (hadFocus && tabbable !== document.activeElement) tabbable?.focus({ preventScroll: true });
    if (focusedDetail !== undefined && !details.get(focusedDetail)?.isConnected && order.includes(focusedDetail))
      moveTo(order.indexOf(focusedDetail) + 1, columns.length + 1);
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
    for (const [id, tr] of trs) {
      const active = id === selectedId;
      if (tr.classList.contains("nbw-active") !== active) {
        tr.classList.toggle("nbw-active", active);
        tr.setAttribute("aria-selected", String(active));
      }
    }
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
  const columnOf = (col) => columns[col - 1];

  table.addEventListener(
    "focusin",
    (event) => {
      const cell = event.target.closest?.("td[role=gridcell], th[role=columnheader]");
      if (cell && event.target === cell && cell.closest("table") === table && !cell.closest(".nbw-editor-row")) {
        const p = position(cell);
        if (p.row >= 0) moveTo(p.row, p.col, { focus: false });
      }
    },
    { signal },
  );

  table.addEventListener(
    "keydown",
    (event) => {
      const cell = event.target;
      if (cell !== tabbable) return; // keys inside the editor and inside a cell's controls are theirs
      const header = at.row === 0;
      const column = columnOf(at.col);
      if ((event.ctrlKey || event.metaKey) && event.key === "z") {
        event.preventDefault();
        return on.undo();
      }
      if (header && column && (event.altKey || event.shiftKey) && ["ArrowLeft", "ArrowRight"].includes(event.key)) {
        event.preventDefault();
        const by = event.key === "ArrowLeft" ? -1 : 1;
        return event.altKey
          ? on.moveColumn(column.key, by)
          : on.resizeColumn(column.key, shownWidth(column.key) + by * 40);
      }
      if (event.key === "Escape") {
        event.preventDefault();
        return handFocusToNotebook(root);
      }
      if (!header && event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
        if (event.key === " ") {
          event.preventDefault();
          return on.tick(order[at.row - 1], { range: false });
        }
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          const row = Math.max(1, Math.min(order.length, at.row + (event.key === "ArrowDown" ? 1 : -1)));
          const from = order[at.row - 1];
          moveTo(row, at.col);
          return on.tickRange(from, order[row - 1], order);
        }
      }
      if (!header && (event.key === "Delete" || event.key === "Backspace") && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        return on.deleteKey(order[at.row - 1]); // asks first
      }
      if (event.key === "Enter" || event.key === "F2") {
        event.preventDefault();
        if (header) return;
        // on the status: to the first action of the row's detail row (Keep mine, Retry now...)
        const control = at.col > 0 && !column ? details.get(order[at.row - 1])?.querySelector("button") : null;
        if (control) return control.focus();
        return on.edit(order[at.row - 1], column?.editable ? column.key : null);
      }
      if (event.key === " " && !header) {
        event.preventDefault();
        return on.expand(order[at.row - 1]);
      }
      if (event.key === "PageDown" || event.key === "PageUp") {
        event.preventDefault();
        return on.flip(event.key === "PageDown" ? 1 : -1); // a page of the grid is a page of the dataset
      }
      if ((event.ctrlKey && !["Home", "End"].includes(event.key)) || event.altKey || event.metaKey) return;
      const size = { rows: order.length + 1, cols: columns.length + 2, page: 10 };
      const move = gridMove(at, event.key, size, { ctrl: event.ctrlKey });
      if (!move) return;
      event.preventDefault();
      moveTo(move.row, move.col);
    },
    { signal },
  );

  /** What Ctrl+C copies from the focused cell: its whole value as text (the datapoint's id from the number
   * cell, a column's title from its header, the status word from the status). */
  function copiedText(cell) {
    const p = position(cell);
    if (p.row === 0) return cell.textContent.trim();
    const entry = view?.entries.find((e) => e.id === order[p.row - 1]);
    if (!entry) return cell.textContent;
    const column = columnOf(p.col);
    if (column) return cellText(column, entry.shown);
    return p.col === 0 ? entry.id : (cell.querySelector(".nbw-status-badge")?.textContent.trim() ?? "");
  }

  // Ctrl+C (Cmd+C) on a focused cell with nothing selected: the cell's text goes to the clipboard
  table.addEventListener(
    "keydown",
    (event) => {
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "c" || event.target !== tabbable) return;
      const selection = document.getSelection?.();
      if (selection && !selection.isCollapsed && String(selection)) return; // a selection copies itself
      const text = copiedText(tabbable);
      const onCopy = (copy) => {
        copy.clipboardData?.setData("text/plain", text);
        copy.preventDefault();
      };
      document.addEventListener("copy", onCopy, { capture: true, once: true });
      setTimeout(() => document.removeEventListener("copy", onCopy, { capture: true }), 0);
    },
    { signal },
  );

  // a double click edits: it must not also select a word of the cell
  table.addEventListener(
    "mousedown",
    (event) => {
      if (event.detail > 1 && !event.target.closest("input, textarea, select, [contenteditable], .nbw-editor-row"))
        event.preventDefault();
    },
    { signal },
  );

  // a control inside a cell: Esc goes back to its cell
  table.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape" && event.target.matches("button[data-action]") && tabbable) {
        event.preventDefault();
        event.stopPropagation();
        tabbable.focus();
      }
    },
    { signal, capture: true },
  );

  table.addEventListener(
    "click",
    (event) => {
      const tick = event.target.closest("input.nbw-tick");
      if (tick) {
        event.preventDefault(); // the box shows the selection the kernel holds, set when it answers
        const cell = tick.closest("td");
        const p = position(cell);
        const from = order[at.row - 1];
        moveTo(p.row, p.col); // focus stays in the table, on the row's number cell
        return event.shiftKey && from
          ? on.tickRange(from, tick.dataset.id, order, { from: true })
          : on.tick(tick.dataset.id, { range: false });
      }
      const button = event.target.closest("button[data-action]");
      if (button) return on.action(button.dataset.action, button.dataset.id);
      const cell = event.target.closest("td[role=gridcell]");
      if (cell && !cell.closest(".nbw-editor-row") && cell.parentElement.dataset.id) {
        const p = position(cell);
        moveTo(p.row, p.col, { focus: !event.target.closest("a, input, textarea, select") });
      }
    },
    { signal },
  );

  table.addEventListener(
    "dblclick",
    (event) => {
      const cell = event.target.closest("td[role=gridcell][data-key]");
      if (cell && !cell.closest(".nbw-editor-row")) {
        const column = columns.find((c) => c.key === cell.dataset.key);
        on.edit(cell.parentElement.dataset.id, column?.editable ? column.key : null);
      }
    },
    { signal },
  );

  wireHeaders({ thead, colgroup, signal, on, widthOf: shownWidth });

  // rows pasted on the table (not in an editor): previewed as new datapoints, or into the ticked rows
  table.addEventListener(
    "paste",
    (event) => {
      if (event.target.closest?.(".nbw-editor-row, input, textarea")) return;
      const text = event.clipboardData?.getData("text/plain") ?? "";
      if (!text.trim()) return;
      event.preventDefault();
      on.paste(text);
    },
    { signal },
  );

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
