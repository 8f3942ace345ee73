// Keyboard: keep notebook shortcuts quiet inside a widget, and hand focus back on Esc.
import { focusedIn } from "./dom.js";

export function isolateShortcuts(root, signal) {
  // Lumino (JupyterLab, Notebook 7) skips its shortcuts for events inside this attribute.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  keepClicksInside(root, signal);
  // Other hosts (classic notebook, VS Code) listen on ancestors: stop keys at the widget.
  root.addEventListener("keydown", (event) => event.stopPropagation(), { signal });
  root.addEventListener("keypress", (event) => event.stopPropagation(), { signal });
  // Esc that nothing inside used (closing an editor, cancelling a find: they call preventDefault)
  // leaves the widget, from any field, as it does from the grid's table.
  root.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      handFocusToNotebook(root);
    },
    { signal },
  );
}

const INTERACTIVE = "button, input, select, textarea, a[href], summary, [tabindex], [contenteditable]";

/**
 * A click on a part of the widget that is not a control (a title, a legend, a hint, a progress line)
 * keeps the keyboard in the widget: the root takes focus (tabindex -1: the browser focuses the nearest
 * focusable ancestor of what was clicked) instead of the notebook's cell, whose command mode would
 * take the next keys (`d d` deletes the cell in JupyterLab; marimo has command keys too).
 */
export function keepClicksInside(root, signal) {
  if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "-1");
  root.addEventListener(
    "mousedown",
    (event) => {
      const target = event.composedPath?.()[0] ?? event.target;
      const control = target?.closest?.(INTERACTIVE);
      if (control && control !== root && root.contains(control)) return; // the control takes focus itself
      // after the browser's own focus move (the host may have focused its cell meanwhile)
      setTimeout(() => {
        if (!focusedIn(root) && root.isConnected) root.focus({ preventScroll: true });
      }, 0);
    },
    { signal },
  );
}

/** The nearest ancestor matching `selector`, looking through shadow roots (marimo renders widgets in one). */
function closestAcrossShadow(node, selector) {
  let current = node;
  while (current) {
    const found = current.closest?.(selector);
    if (found) return found;
    current = current.getRootNode?.()?.host ?? null;
  }
  return null;
}

/** Give focus back to the notebook: command mode on the widget's cell (JupyterLab, Notebook 7, marimo). */
export function handFocusToNotebook(root) {
  const target =
    closestAcrossShadow(root, ".jp-Notebook") ??
    closestAcrossShadow(root, ".jp-Cell") ??
    closestAcrossShadow(root, ".marimo-cell");
  focusedIn(root)?.blur?.();
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  } else {
    document.activeElement?.blur?.();
  }
}

export const isSaveChord = (event) => (event.ctrlKey || event.metaKey) && event.key === "Enter";

/** True on a Mac (where the save chord is Cmd+Enter), from the browser's own word for its platform. */
export const isMac = () => {
  const nav = globalThis.navigator;
  return /^mac/i.test(nav?.userAgentData?.platform || nav?.platform || "");
};

/** The save chord as this platform's keyboard shows it. */
export const saveChordText = () => (isMac() ? "⌘+Enter" : "Ctrl+Enter");

/**
 * The ARIA grid pattern's moves: where the active cell goes for `key`, or null when the key is not a move.
 * `at` is {row, col}; `size` is {rows, cols, page} (page: rows a PageUp/PageDown jumps). Rows and columns
 * count from 0; a move stops at the edges (PageDown past the last row says so: {row, col, beyond: 1}).
 */
export function gridMove(at, key, size, { ctrl = false } = {}) {
  const lastRow = size.rows - 1;
  const lastCol = size.cols - 1;
  const clampRow = (row) => Math.max(0, Math.min(lastRow, row));
  const clampCol = (col) => Math.max(0, Math.min(lastCol, col));
  switch (key) {
    case "ArrowDown":
    case "j":
      return { row: clampRow(at.row + 1), col: at.col };
    case "ArrowUp":
    case "k":
      return { row: clampRow(at.row - 1), col: at.col };
    case "ArrowRight":
      return { row: at.row, col: clampCol(at.col + 1) };
    case "ArrowLeft":
      return { row: at.row, col: clampCol(at.col - 1) };
    case "Home":
      return ctrl ? { row: 0, col: 0 } : { row: at.row, col: 0 };
    case "End":
      return ctrl ? { row: lastRow, col: lastCol } : { row: at.row, col: lastCol };
    case "PageDown":
      return at.row >= lastRow
        ? { row: lastRow, col: at.col, beyond: 1 }
        : { row: clampRow(at.row + size.page), col: at.col };
    case "PageUp":
      return at.row <= 0 ? { row: 0, col: at.col, beyond: -1 } : { row: clampRow(at.row - size.page), col: at.col };
    default:
      return null;
  }
}
