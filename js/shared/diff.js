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

/**
 * Fill `box` with the diff of `before` → `after`, text as text, under a legend naming the sides
 * (`names`: {before, after}). Texts that share most of their words: inline, insertions in <ins>,
 * deletions in <del>. Texts that share little (removed and added words would only alternate): the whole
 * old text as one block, then the whole new one.
 */
export function renderDiff(box, before, after, { empty = "No changes yet.", names = {} } = {}) {
  const parts = diff(before, after);
  clear(box);
  if (unchanged(parts)) return append(box, [h("span", { class: "nbw-muted" }, empty)]);
  const was = names.before ?? "old text";
  const now = names.after ?? "new text";
  if (!mostlyShared(parts)) {
    box.classList.add("nbw-diff-blocks");
    const block = (tag, title, text) =>
      h(
        "div",
        { class: `nbw-diff-block nbw-diff-block-${tag}` },
        h("div", { class: "nbw-diff-title" }, title),
        h(tag, {}, text),
      );
    return append(box, [
      h("div", { class: "nbw-diff-legend" }, `The texts share little: the ${was}, then the ${now}, each whole.`),
      String(before ?? "") ? block("del", capital(was), String(before ?? "")) : null,
      String(after ?? "") ? block("ins", capital(now), String(after ?? "")) : null,
    ]);
  }
  box.classList.remove("nbw-diff-blocks");
  return append(box, [
    h(
      "div",
      { class: "nbw-diff-legend" },
      h("span", { class: "nbw-diff-key-del" }, "struck"),
      ` only in the ${was} · `,
      h("span", { class: "nbw-diff-key-ins" }, "marked"),
      ` only in the ${now}`,
    ),
    h(
      "div",
      { class: "nbw-diff-body" },
      parts.map((part) => (part.op === "=" ? part.text : h(part.op === "+" ? "ins" : "del", {}, part.text))),
    ),
  ]);
}

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** A new diff element (class nbw-diff, themed in theme.css). */
export function diffView(before, after, { label = "Changes", empty, names } = {}) {
  return renderDiff(h("div", { class: "nbw-diff", role: "group", "aria-label": label }), before, after, {
    empty,
    names,
  });
}

const letters = (text) => text.replace(/\s+/g, "").length;

/** Whether the two sides share much besides spaces: if not, marking words would only mark the spaces. */
function mostlyShared(parts) {
  const shared = letters(
    parts
      .filter((p) => p.op === "=")
      .map((p) => p.text)
      .join(""),
  );
  const changed = letters(
    parts
      .filter((p) => p.op !== "=")
      .map((p) => p.text)
      .join(""),
  );
  return shared >= changed / 2;
}

const wholeChange = (before, after) =>
  [
    { op: "-", text: String(before ?? "") },
    { op: "+", text: String(after ?? "") },
  ].filter((part) => part.text);

/**
 * One side of a diff as parts: "before" keeps the unchanged and removed words, "after" the unchanged and
 * added ones. Each side reads as whole text; its own changes stay marked.
 */
export function sideOf(parts, which) {
  const drop = which === "before" ? "+" : "-";
  return parts.filter((part) => part.op !== drop);
}

/** Two texts side by side (each whole, wrapping), the words each side changed marked: theirs | yours. */
export function sideBySide(before, after, { beforeLabel = "Before", afterLabel = "After", label = "Changes" } = {}) {
  const parts = mostlyShared(diff(before, after)) ? diff(before, after) : wholeChange(before, after);
  const pane = (title, which, tag) =>
    h(
      "div",
      { class: `nbw-diff-side nbw-diff-${which}` },
      h("div", { class: "nbw-diff-title" }, title),
      h(
        "div",
        { class: "nbw-diff" },
        sideOf(parts, which).map((part) => (part.op === "=" ? part.text : h(tag, {}, part.text))),
      ),
    );
  return h(
    "div",
    { class: "nbw-diff-sides", role: "group", "aria-label": label },
    pane(beforeLabel, "before", "del"),
    pane(afterLabel, "after", "ins"),
  );
}

/**
 * Where `after` first differs from `before`, with the words before it as context: the parts of `after`
 * (unchanged "=", added "+") from a word boundary at most `context` characters before the first change,
 * `cut` telling whether text was left out in front (shown as "…"). A text rewritten whole is shown whole
 * from its start, nothing marked.
 */
export function excerptAtChange(before, after, { context = 40 } = {}) {
  const all = diff(before, after);
  if (!mostlyShared(all)) return { parts: [{ op: "=", text: String(after ?? "") }], cut: false }; // rewritten
  const first = all.findIndex((part) => part.op !== "=");
  const lead = all
    .slice(0, Math.max(first, 0))
    .map((part) => part.text)
    .join("");
  if (first <= 0 || lead.length <= context) return { parts: sideOf(all, "after"), cut: false };
  const from = lead.length - context;
  const space = lead.slice(from).search(/\s\S/);
  const start = space < 0 ? lead.length : from + space + 1;
  return { parts: [{ op: "=", text: lead.slice(start) }, ...sideOf(all.slice(first), "after")], cut: true };
}
