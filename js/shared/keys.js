// Keyboard: keep notebook shortcuts quiet inside a widget, and hand focus back on Esc.

export function isolateShortcuts(root, signal) {
  // Lumino (JupyterLab, Notebook 7) skips its shortcuts for events inside this attribute.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  // Other hosts (classic notebook, VS Code) listen on ancestors: stop keys at the widget.
  root.addEventListener("keydown", (event) => event.stopPropagation(), { signal });
  root.addEventListener("keypress", (event) => event.stopPropagation(), { signal });
}

/** Give focus back to the notebook (command mode on the widget's cell). */
export function handFocusToNotebook(root) {
  const target = root.closest(".jp-Notebook") ?? root.closest(".jp-Cell");
  root.querySelector(":focus")?.blur?.();
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  } else {
    document.activeElement?.blur?.();
  }
}

export const isSaveChord = (event) => (event.ctrlKey || event.metaKey) && event.key === "Enter";
