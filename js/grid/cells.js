// What each cell of the grid shows, by the column's kind; the status cell as an icon and a word, with
// what a problem needs (its reason, Retry, Keep mine / Take theirs). Buttons carry `data-action`:
// the table handles their clicks in one place, and keeps them out of the tab order (roving focus).
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
import { diffView } from "../shared/diff.js";
import { h } from "../shared/dom.js";
import { messageText, pretty } from "../shared/format.js";

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

const action = (name, label, id) =>
  h("button", { type: "button", tabindex: "-1", dataset: { action: name, id } }, label);

export function statusContent(id, status) {
  if (!status) return [];
  const reason = status.message || status.reason;
  switch (status.state) {
    case "saved":
      return [statusBadge("saved"), " ", h("span", { class: "nbw-muted" }, timeCell(status.updated))];
    case "pending":
    case "staged":
      return [statusBadge(status.state)];
    case "retrying":
      return [
        statusBadge("retrying"),
        h("div", { class: "nbw-field-error" }, `Not saved yet: ${reason}`),
        h("div", { class: "nbw-muted" }, `Attempt ${status.attempts}; your edit is kept.`),
        action("retry", "Retry now", id),
      ];
    case "failed":
      return [
        statusBadge("failed"),
        h("div", { class: "nbw-field-error" }, `Not saved: ${reason}`),
        action("retry", "Retry", id),
        " ",
        action("edit-draft", "Edit draft", id),
      ];
    case "conflict": {
      const [field] = Object.keys(status.draft ?? {});
      return [
        statusBadge("conflict"),
        h("div", { class: "nbw-field-error" }, status.message),
        h("div", { class: "nbw-muted" }, "Theirs → yours:"),
        diffView(pretty(status.server?.[field]), pretty(status.draft?.[field]), { label: "Theirs against yours" }),
        action("keep-mine", "Keep mine", id),
        " ",
        action("take-theirs", "Take theirs", id),
      ];
    }
    default:
      return [statusBadge(status.state)];
  }
}
