// The one diff of the front end: word by word (whitespace kept), from the `diff` library (jsdiff).
// Used by the grid's editor, the evaluator form and the feedback correction; `diff()` is pure.
import { diffWordsWithSpace } from "diff";
import { append, clear, h } from "./dom.js";

// Past this many characters a side, the diff would cost more than it shows: both sides whole.
const MAX_CHARS = 50_000;

/** [{op: "=" | "-" | "+", text}] turning `before` into `after`, word by word. */
export function diff(before, after) {
  const a = String(before ?? "");
  const b = String(after ?? "");
  if (a === b) return a ? [{ op: "=", text: a }] : [];
  const changes = a.length + b.length <= 2 * MAX_CHARS ? diffWordsWithSpace(a, b, { timeout: 200 }) : undefined;
  if (!changes) {
    return [
      { op: "-", text: a },
      { op: "+", text: b },
    ].filter((part) => part.text);
  }
  return changes.map((change) => ({ op: change.added ? "+" : change.removed ? "-" : "=", text: change.value }));
}

export const unchanged = (parts) => parts.every((part) => part.op === "=");

/** Fill `box` with the diff of `before` → `after`: insertions in <ins>, deletions in <del>, text as text. */
export function renderDiff(box, before, after, { empty = "No changes yet." } = {}) {
  const parts = diff(before, after);
  clear(box);
  if (unchanged(parts)) return append(box, [h("span", { class: "nbw-muted" }, empty)]);
  return append(
    box,
    parts.map((part) => (part.op === "=" ? part.text : h(part.op === "+" ? "ins" : "del", {}, part.text))),
  );
}

/** A new diff element (class nbw-diff, themed in theme.css). */
export function diffView(before, after, { label = "Changes", empty } = {}) {
  return renderDiff(h("div", { class: "nbw-diff", role: "group", "aria-label": label }), before, after, { empty });
}
