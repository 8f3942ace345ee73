// Building DOM from data. Text always goes in as textContent: datapoint text is never HTML.

let views = 0;
/**
 * A prefix for the element ids of one view, unique in the page: labels point at ids, and two copies of a
 * widget (or two views of one) on a page must each toggle their own controls. A bundle may be loaded once
 * per widget (its counter starting again at 1), hence the random part.
 */
export function newViewId(kind) {
  return `nbw-${kind}-${Math.random().toString(36).slice(2, 8)}-${++views}`;
}

/** h("button", {class: "x", onclick, "aria-label": "Next"}, "Next ›") */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value !== undefined && value !== null && value !== false) setAttr(node, name, value);
  }
  append(node, children);
  return node;
}

/** One attribute of h(): a listener (on...), the class, data-* (dataset), a property, else an attribute. */
function setAttr(node, name, value) {
  if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
  else if (name === "class") node.className = value;
  else if (name === "dataset") Object.assign(node.dataset, value);
  else if (name === "value" || (name in node && typeof value !== "string")) node[name] = value;
  else node.setAttribute(name, value === true ? "" : String(value));
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// --- focus across re-renders ---------------------------------------------------------------------
// Widgets rebuild their controls from state: a rebuilt control is a new element, and the one that had
// focus leaves the page with it (focus drops to <body>, where the widget's keys no longer reach).

/** The element with focus inside `root`, or null (through a shadow root: marimo renders widgets in one). */
export function focusedIn(root) {
  const active = root.getRootNode?.().activeElement ?? document.activeElement;
  return active && root.contains(active) ? active : null;
}

/** What names a control from one render to the next: its data-focus-key, else its id, else its tag and name. */
export function focusKey(node) {
  return (
    node.dataset?.focusKey || node.id || `${node.tagName}:${node.getAttribute("aria-label") ?? node.textContent.trim()}`
  );
}

const CONTROLS = new Set(["BUTTON", "INPUT", "SELECT", "TEXTAREA", "A"]);
const isControl = (node) => CONTROLS.has(node.tagName) || node.hasAttribute("tabindex");

function* below(node) {
  for (const child of node.children) {
    yield child;
    yield* below(child);
  }
}

/**
 * Runs `render` and, if it replaced the control that had focus inside `root`, focuses the replacement
 * (the control with the same focusKey). Without one (gone, disabled) the first control of the nearest
 * part still there takes focus, else `root` itself: focus stays in the widget.
 */
export function keepingFocus(root, render) {
  const before = focusedIn(root);
  if (!before || before === root) return render();
  const key = focusKey(before);
  const parts = [];
  for (let node = before.parentNode; node && node !== root; node = node.parentNode) parts.push(node);
  const result = render();
  // still focused, or still there and enabled (focus was moved on purpose): nothing to mend
  if (focusedIn(root) || (root.contains(before) && !before.hasAttribute("disabled"))) return result;
  refocus(root, key, parts);
  return result;
}

/** Focus on the control keyed `key` under root, else the first control of the nearest of `parts` still in
 * root, else root itself. */
function refocus(root, key, parts) {
  const landed = (node) => {
    node.focus({ preventScroll: true }); // a no-op on what cannot take focus (disabled, hidden)
    return focusedIn(root) !== null;
  };
  // the first node under `top` that passes `test` and takes focus
  const landedBelow = (top, test) => {
    for (const node of below(top)) if (isControl(node) && test(node) && landed(node)) return true;
    return false;
  };
  if (landedBelow(root, (node) => focusKey(node) === key)) return;
  for (const part of parts.filter((p) => root.contains(p)))
    if (landedBelow(part, (node) => node.getAttribute("tabindex") !== "-1")) return;
  if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "-1");
  landed(root);
}
