// What each cell of the grid shows, by the column's kind (a draft not saved yet marked as such); the
// status cell as an icon and a word; what a problem needs (its reason, Retry, Keep mine / Take theirs) in
// a detail row under the row. Buttons carry `data-action`: the table handles their clicks in one place.
import {
  chipsCell,
  clampedText,
  evaluationsCell,
  roleBadge,
  statusBadge,
  tagsCell,
  textCell,
  timeCell,
} from "../shared/cells.js";
import { diff, excerptAtChange, sideBySide, sideOf } from "../shared/diff.js";
import { h } from "../shared/dom.js";
import { DETAIL_STATES, evaluationText, messageText, pretty } from "../shared/format.js";

function messagesContent(messages) {
  if (!messages?.length) return h("span", { class: "nbw-muted" }, "—");
  const last = messages[messages.length - 1];
  return h(
    "div",
    { class: "nbw-msgs" },
    h(
      "div",
      { class: "nbw-msgs-line" },
      h("span", { class: "nbw-count" }, `${messages.length} msg${messages.length > 1 ? "s" : ""}`),
      " ",
      roleBadge(last.role),
      " ",
      messageText(last),
    ),
    h(
      "div",
      { class: "nbw-msgs-list" },
      messages.map((message) =>
        h(
          "div",
          { class: `nbw-message nbw-role-${message.role}` },
          roleBadge(message.role),
          clampedText(messageText(message)),
        ),
      ),
    ),
  );
}

export function cellContent(column, row) {
  const value = row[column.key];
  switch (column.kind) {
    case "inputs":
      return chipsCell(value);
    case "messages":
      return messagesContent(value);
    case "evaluations":
      return evaluationsCell(value);
    case "time":
      return timeCell(value);
    case "tags":
      return tagsCell(value);
    case "json":
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? chipsCell(value)
        : textCell(value == null ? value : pretty(value));
    default:
      return textCell(value == null ? value : typeof value === "string" ? value : pretty(value));
  }
}

/** A cell's whole value as plain text: what Ctrl+C on the cell copies and what its hover shows. */
export function cellText(column, row) {
  const value = row[column.key];
  if (value === null || value === undefined || value === "") return "";
  switch (column.kind) {
    case "messages":
      return (value ?? []).map((m) => `${m.role ?? "?"}: ${messageText(m)}`).join("\n");
    case "evaluations":
      return (value ?? []).map(evaluationText).join(", ");
    case "tags":
      return (Array.isArray(value) ? value : [value])
        .map((t) => (typeof t === "string" ? t : JSON.stringify(t)))
        .join(", ");
    case "inputs":
      return Object.entries(value)
        .map(([key, v]) => `${key}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join("\n");
    default:
      return typeof value === "string" ? value : pretty(value);
  }
}

// Kinds whose cells clip their text on one line: their hover shows the whole text.
const CLIPPED_KINDS = new Set(["text", "json", "inputs", "messages"]);
const TITLE_CHARS = 4000;

/** The hover text of a cell whose value may be clipped (null where the cell shows all of it). */
export function cellTitle(column, row) {
  if (!CLIPPED_KINDS.has(column.kind ?? "text")) return null;
  const text = cellText(column, row);
  if (!text) return null;
  return text.length > TITLE_CHARS ? `${text.slice(0, TITLE_CHARS)}… (Space shows the row whole)` : text;
}

// Buttons in a cell stay out of the tab order (the table's roving focus reaches them with Enter); the
// buttons of a detail row are ordinary tab stops.
const action = (name, label, id, { tabbable = false } = {}) =>
  h("button", { type: "button", tabindex: tabbable ? null : "-1", dataset: { action: name, id } }, label);

export { DETAIL_STATES }; // the kernel's, as the states' words are (shared/format.js)

// Read after the badge's word (screen readers; on screen it is hidden): a sentence of its own.
const HINTS = {
  retrying: "Not saved yet; the details are in the row below.",
  failed: "Not saved; the details are in the row below.",
  conflict: "Changed by someone else; the details are in the row below.",
};

/** The status cell: an icon and a word (and when it was saved); what a problem needs is in its detail row. */
export function statusContent(status) {
  if (!status) return [];
  if (status.state === "saved")
    // when: under the word in an expanded or comfortable row; on hover (its title) in a one-line row
    return [statusBadge("saved"), h("span", { class: "nbw-muted nbw-saved-time" }, " ", timeCell(status.updated))];
  if (status.state === "updated")
    // another widget on this client saved this row: the row shows what it saved
    return [
      h("span", { title: "Saved from another widget: this row shows the saved value" }, statusBadge("updated")),
      h("span", { class: "nbw-sr-only" }, " Saved from another widget; this row shows the saved value."),
    ];
  const hint = HINTS[status.state];
  const parts = [
    statusBadge(status.state),
    hint ? h("span", { class: "nbw-sr-only" }, ` ${hint}`) : null,
    status.newer
      ? h(
          "span",
          { class: "nbw-stale", title: "Another widget saved a newer value of this row after your edit began" },
          " · newer value saved elsewhere",
        )
      : null,
  ];
  return parts.filter(Boolean);
}

/**
 * A row's detail row content for a status that needs one (else null): the reason in plain words and the
 * actions. A conflict shows theirs and yours side by side, each whole, with Keep mine / Take theirs.
 * `titleOf(key)` names a field as its column does.
 */
export function statusDetail(id, status, { titleOf = (key) => key } = {}) {
  if (!status || !DETAIL_STATES.has(status.state)) return null;
  const reason = status.message || status.reason; // the message is in a person's words
  const box = (...children) =>
    h(
      "div",
      { class: `nbw-detail nbw-detail-${status.state}`, role: "group", "aria-label": "Why this edit is not saved" },
      children,
    );
  if (status.state === "retrying")
    return box(
      statusBadge("retrying"),
      h("span", { class: "nbw-field-error" }, ` Not saved yet: ${reason}.`),
      h("span", { class: "nbw-muted" }, ` Attempt ${status.attempts}; your edit is kept and tried again. `),
      action("retry", "Retry now", id, { tabbable: true }),
    );
  if (status.state === "failed")
    return box(
      statusBadge("failed"),
      h("span", { class: "nbw-field-error" }, ` Not saved: ${reason}`),
      " ",
      action("retry", "Retry", id, { tabbable: true }),
      " ",
      action("edit-draft", "Edit draft", id, { tabbable: true }),
    );
  const fields = Object.keys(status.draft ?? {});
  return box(
    h(
      "div",
      { class: "nbw-detail-head" },
      statusBadge("conflict"),
      h(
        "span",
        { title: status.message ?? "" },
        ": your edit is not saved. Someone else changed this datapoint after you loaded it.",
      ),
    ),
    h(
      "div",
      { class: "nbw-muted" },
      "Keep mine saves your version over theirs; Take theirs drops your edit and shows theirs.",
    ),
    fields.map((field) =>
      h(
        "div",
        { class: "nbw-detail-field" },
        fields.length > 1 ? h("div", { class: "nbw-detail-title" }, titleOf(field)) : null,
        sideBySide(pretty(status.server?.[field]), pretty(status.draft?.[field]), {
          beforeLabel: "Theirs (on the service now)",
          afterLabel: "Yours (not saved)",
          label: `${titleOf(field)}: theirs and yours`,
        }),
      ),
    ),
    h(
      "div",
      { class: "nbw-detail-actions" },
      action("keep-mine", "Keep mine", id, { tabbable: true }),
      action("take-theirs", "Take theirs", id, { tabbable: true }),
    ),
  );
}

/**
 * A cell of a row whose edit is not saved (pending, retrying, failed, conflict): your draft, marked as
 * not saved. A text shows from a little before its first change (the change stays in view in a one-line
 * row), the words you added marked; an expanded row shows it whole.
 */
export function draftCell(column, before, after, { expanded = false } = {}) {
  const mark = h("span", { class: "nbw-draft-mark" }, "not saved");
  if (typeof after !== "string" || !["text", undefined].includes(column.kind))
    return h("div", { class: "nbw-cell nbw-draft-cell" }, mark, " ", cellContent(column, { [column.key]: after }));
  const { parts, cut } = expanded
    ? { parts: sideOf(diff(typeof before === "string" ? before : pretty(before), after), "after"), cut: false }
    : excerptAtChange(typeof before === "string" ? before : pretty(before), after);
  return h(
    "div",
    { class: "nbw-cell nbw-draft-cell", title: after.length > 600 ? `${after.slice(0, 600)}…` : after },
    mark,
    " ",
    h(
      "span",
      { class: "nbw-draft-text" },
      cut ? "…" : "",
      parts.flatMap((part) => {
        if (part.op === "=") return [part.text];
        const [, space, words] = part.text.match(/^(\s*)([\s\S]*)$/); // a mark starts at a word
        return [space, h("ins", {}, words)];
      }),
    ),
  );
}
