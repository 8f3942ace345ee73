// Keyboard: keep notebook shortcuts quiet inside a widget, and hand focus back on Esc.

export function isolateShortcuts(root, signal) {
  // Lumino (JupyterLab, Notebook 7) skips its shortcuts for events inside this attribute.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  // Other hosts (classic notebook, VS Code) listen on ancestors: stop keys at the widget.
  root.addEventListener("keydown", (event) => event.stopPropagation(), { signal });
  root.addEventListener("keypress", (event) => event.stopPropagation(), { signal });
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
  root.querySelector(":focus")?.blur?.();
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  } else {
    document.activeElement?.blur?.();
  }
}

export const isSaveChord = (event) => (event.ctrlKey || event.metaKey) && event.key === "Enter";
