// What the table does with keys, clicks and the clipboard. `t` is the table's live state, read at each
// event: {table, at, order, columns, view, tabbable, details, moveTo, position, shownWidth}; `on` are the
// grid's intents (table.js lists them).
import { gridMove, handFocusToNotebook } from "../shared/keys.js";
import { cellText } from "./cells.js";

const plain = (event) => !event.ctrlKey && !event.altKey && !event.metaKey;

// Each key handler returns true when the key was its own (the ones after it are not asked).
const KEYS = [
  function undo(event, _t, on) {
    if (!((event.ctrlKey || event.metaKey) && event.key === "z")) return false;
    event.preventDefault();
    on.undo();
    return true;
  },
  // on a header: Alt+←/→ moves the column, Shift+←/→ resizes it
  function headerArrows(event, t, on) {
    const column = t.columns[t.at.col - 1];
    const arrow = event.key === "ArrowLeft" || event.key === "ArrowRight";
    if (t.at.row !== 0 || !column || !(event.altKey || event.shiftKey) || !arrow) return false;
    event.preventDefault();
    const by = event.key === "ArrowLeft" ? -1 : 1;
    if (event.altKey) on.moveColumn(column.key, by);
    else on.resizeColumn(column.key, t.shownWidth(column.key) + by * 40);
    return true;
  },
  function leave(event, _t, _on, root) {
    if (event.key !== "Escape") return false;
    event.preventDefault();
    handFocusToNotebook(root);
    return true;
  },
  // on a row: Shift+Space ticks it, Shift+↑/↓ ticks a range
  function shiftTicks(event, t, on) {
    if (t.at.row === 0 || !event.shiftKey || !plain(event)) return false;
    const id = t.order[t.at.row - 1];
    if (event.key === " ") {
      event.preventDefault();
      on.tick(id, { range: false });
      return true;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return false;
    event.preventDefault();
    const row = Math.max(1, Math.min(t.order.length, t.at.row + (event.key === "ArrowDown" ? 1 : -1)));
    t.moveTo(row, t.at.col);
    on.tickRange(id, t.order[row - 1], t.order);
    return true;
  },
  function remove(event, t, on) {
    if (t.at.row === 0 || !(event.key === "Delete" || event.key === "Backspace") || event.ctrlKey || event.metaKey)
      return false;
    event.preventDefault();
    on.deleteKey(t.order[t.at.row - 1]); // asks first
    return true;
  },
  function edit(event, t, on) {
    if (event.key !== "Enter" && event.key !== "F2") return false;
    event.preventDefault();
    if (t.at.row === 0) return true;
    const id = t.order[t.at.row - 1];
    const column = t.columns[t.at.col - 1];
    // on the status: to the first action of the row's detail row (Keep mine, Retry now...)
    const control = t.at.col > 0 && !column ? t.details.get(id)?.querySelector("button") : null;
    if (control) control.focus();
    else on.edit(id, column?.editable ? column.key : null);
    return true;
  },
  function expand(event, t, on) {
    if (event.key !== " " || t.at.row === 0) return false;
    event.preventDefault();
    on.expand(t.order[t.at.row - 1]);
    return true;
  },
  function flip(event, _t, on) {
    if (event.key !== "PageDown" && event.key !== "PageUp") return false;
    event.preventDefault();
    on.flip(event.key === "PageDown" ? 1 : -1); // a page of the grid is a page of the dataset
    return true;
  },
  function move(event, t) {
    if ((event.ctrlKey && !["Home", "End"].includes(event.key)) || event.altKey || event.metaKey) return true;
    const size = { rows: t.order.length + 1, cols: t.columns.length + 2, page: 10 };
    const to = gridMove(t.at, event.key, size, { ctrl: event.ctrlKey });
    if (!to) return true;
    event.preventDefault();
    t.moveTo(to.row, to.col);
    return true;
  },
];

/** What Ctrl+C copies from the focused cell: its whole value as text (the datapoint's id from the number
 * cell, a column's title from its header, the status word from the status). */
function copiedText(t, cell) {
  const p = t.position(cell);
  if (p.row === 0) return cell.textContent.trim();
  const entry = t.view?.entries.find((e) => e.id === t.order[p.row - 1]);
  if (!entry) return cell.textContent;
  const column = t.columns[p.col - 1];
  if (column) return cellText(column, entry.shown);
  return p.col === 0 ? entry.id : (cell.querySelector(".nbw-status-badge")?.textContent.trim() ?? "");
}

// Ctrl+C (Cmd+C) on a focused cell with nothing selected: the cell's text goes to the clipboard
function copyCell(event, t) {
  if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "c" || event.target !== t.tabbable) return;
  const selection = document.getSelection?.();
  if (selection && !selection.isCollapsed && String(selection)) return; // a selection copies itself
  const text = copiedText(t, t.tabbable);
  const onCopy = (copy) => {
    copy.clipboardData?.setData("text/plain", text);
    copy.preventDefault();
  };
  document.addEventListener("copy", onCopy, { capture: true, once: true });
  setTimeout(() => document.removeEventListener("copy", onCopy, { capture: true }), 0);
}

function click(event, t, on) {
  const tick = event.target.closest("input.nbw-tick");
  if (tick) {
    event.preventDefault(); // the box shows the selection the kernel holds, set when it answers
    const p = t.position(tick.closest("td"));
    const from = t.order[t.at.row - 1];
    t.moveTo(p.row, p.col); // focus stays in the table, on the row's number cell
    if (event.shiftKey && from) on.tickRange(from, tick.dataset.id, t.order, { from: true });
    else on.tick(tick.dataset.id, { range: false });
    return;
  }
  const button = event.target.closest("button[data-action]");
  if (button) return on.action(button.dataset.action, button.dataset.id);
  const cell = event.target.closest("td[role=gridcell]");
  if (cell && !cell.closest(".nbw-editor-row") && cell.parentElement.dataset.id) {
    const p = t.position(cell);
    t.moveTo(p.row, p.col, { focus: !event.target.closest("a, input, textarea, select") });
  }
}

/** Listen on `t.table` until `signal` aborts; `root` is the widget's root (Escape hands focus back from it). */
export function wireTableInput(t, { root, signal, on }) {
  const { table } = t;
  const listen = (type, handler, options = {}) => table.addEventListener(type, handler, { signal, ...options });

  listen("focusin", (event) => {
    const cell = event.target.closest?.("td[role=gridcell], th[role=columnheader]");
    if (cell && event.target === cell && cell.closest("table") === table && !cell.closest(".nbw-editor-row")) {
      const p = t.position(cell);
      if (p.row >= 0) t.moveTo(p.row, p.col, { focus: false });
    }
  });
  listen("keydown", (event) => {
    if (event.target !== t.tabbable) return; // keys inside the editor and inside a cell's controls are theirs
    KEYS.some((handle) => handle(event, t, on, root));
  });
  listen("keydown", (event) => copyCell(event, t));
  // a double click edits: it must not also select a word of the cell
  listen("mousedown", (event) => {
    if (event.detail > 1 && !event.target.closest("input, textarea, select, [contenteditable], .nbw-editor-row"))
      event.preventDefault();
  });
  // a control inside a cell: Esc goes back to its cell
  listen(
    "keydown",
    (event) => {
      if (event.key === "Escape" && event.target.matches("button[data-action]") && t.tabbable) {
        event.preventDefault();
        event.stopPropagation();
        t.tabbable.focus();
      }
    },
    { capture: true },
  );
  listen("click", (event) => click(event, t, on));
  listen("dblclick", (event) => {
    const cell = event.target.closest("td[role=gridcell][data-key]");
    if (cell && !cell.closest(".nbw-editor-row")) {
      const column = t.columns.find((c) => c.key === cell.dataset.key);
      on.edit(cell.parentElement.dataset.id, column?.editable ? column.key : null);
    }
  });
  // rows pasted on the table (not in an editor): previewed as new datapoints, or into the ticked rows
  listen("paste", (event) => {
    if (event.target.closest?.(".nbw-editor-row, input, textarea")) return;
    const text = event.clipboardData?.getData("text/plain") ?? "";
    if (!text.trim()) return;
    event.preventDefault();
    on.paste(text);
  });
}
