// Cells shaped for LLM data. Every value is set as text: markup in a datapoint stays literal.
import { h } from "./dom.js";
import {
  evaluationText,
  evaluationTitle,
  fullTime,
  inlineValue,
  messageText,
  pretty,
  relativeTime,
  STATES,
} from "./format.js";

const CLAMP_CHARS = 280;

/** Long text clamped to a few lines, with "Show more" that expands in place. */
export function clampedText(text, { mono = false } = {}) {
  const value = String(text ?? "");
  const body = h("div", { class: `nbw-text${mono ? " nbw-mono" : ""}` }, value);
  return clamped(body, isLong(value));
}

/** Whether a text is long enough to be clamped (more than a few lines' worth). */
export const isLong = (text) => String(text ?? "").length > CLAMP_CHARS || String(text ?? "").split("\n").length > 4;

/** Any element (a diff, say) clamped like a long text when `long`, with "Show more" that expands it in place. */
export function clamped(body, long) {
  if (!long) return body;
  body.classList.add("nbw-clamped");
  const toggle = h("button", { class: "nbw-link", type: "button", "aria-expanded": "false" }, "Show more");
  toggle.addEventListener("click", (event) => {
    event.stopPropagation();
    const expanded = body.classList.toggle("nbw-clamped") === false;
    toggle.textContent = expanded ? "Show less" : "Show more";
    toggle.setAttribute("aria-expanded", String(expanded));
  });
  return h("div", { class: "nbw-clampbox" }, body, toggle);
}

export function messagesCell(messages) {
  if (!messages?.length) return h("span", { class: "nbw-muted" }, "—");
  const last = messages[messages.length - 1];
  const summary = h(
    "summary",
    {},
    h("span", { class: "nbw-count" }, messages.length === 1 ? "1 message" : `${messages.length} messages`),
    " · ",
    roleBadge(last.role),
    " ",
    h("span", { class: "nbw-muted" }, messageText(last).slice(0, 80)),
  );
  const list = messages.map((message) =>
    h(
      "div",
      { class: `nbw-message nbw-role-${message.role}` },
      roleBadge(message.role),
      message.name ? h("span", { class: "nbw-muted" }, ` ${message.name}`) : null,
      clampedText(messageText(message)),
    ),
  );
  return h("details", { class: "nbw-messages" }, summary, list);
}

export function roleBadge(role) {
  return h("span", { class: `nbw-badge nbw-role nbw-role-${role}` }, role);
}

export function keyValueCell(object) {
  const entries = Object.entries(object ?? {});
  if (!entries.length) return h("span", { class: "nbw-muted" }, "—");
  // One line per key ("key  value"), which stays readable in a narrow column.
  return h(
    "div",
    { class: "nbw-kv" },
    entries.map(([key, value]) =>
      h(
        "div",
        { class: "nbw-kv-row" },
        h("span", { class: "nbw-key" }, key),
        h("wbr"), // a line may break between the key and its value (they touch: no space between them)
        typeof value === "object" && value !== null
          ? clampedText(pretty(value), { mono: true })
          : h("span", { class: "nbw-value" }, value === null ? "null" : String(value)),
      ),
    ),
  );
}

export function jsonCell(value) {
  if (value === undefined || value === null) return h("span", { class: "nbw-muted" }, "—");
  if (typeof value === "object" && !Array.isArray(value)) return keyValueCell(value);
  return clampedText(pretty(value), { mono: typeof value !== "string" });
}

export function evaluationsCell(evaluations) {
  if (!evaluations?.length) return h("span", { class: "nbw-muted" }, "—");
  return h(
    "ul",
    { class: "nbw-chips" },
    evaluations.map((evaluation) =>
      h("li", { class: "nbw-chip", title: evaluationTitle(evaluation) }, evaluationText(evaluation)),
    ),
  );
}

/** Inputs as inline `key: value` chips (one line in compact rows; they wrap when the row is expanded). */
export function chipsCell(object) {
  const entries = Object.entries(object ?? {});
  if (!entries.length) return h("span", { class: "nbw-muted" }, "—");
  return h(
    "span",
    { class: "nbw-kvchips" },
    entries.map(([key, value]) =>
      h("span", { class: "nbw-kvchip" }, h("span", { class: "nbw-key" }, `${key}:`), " ", inlineValue(value)),
    ),
  );
}

/** Tags as chips that wrap between tags and at word boundaries, never inside a word. */
export function tagsCell(tags) {
  const list = Array.isArray(tags) ? tags : tags == null ? [] : [tags];
  if (!list.length) return h("span", { class: "nbw-muted" }, "—");
  return h(
    "ul",
    { class: "nbw-chips nbw-tags" },
    list.map((tag) => h("li", { class: "nbw-chip" }, inlineValue(tag))),
  );
}

/** A time shown relative ("2 hours ago"), the full time on hover. */
export function timeCell(iso, now = Date.now()) {
  if (!iso) return h("span", { class: "nbw-muted" }, "—");
  return h("time", { class: "nbw-muted", datetime: String(iso), title: fullTime(iso) }, relativeTime(iso, now));
}

/** A state as an icon and a word ("✓ Saved"); the icon is hidden from screen readers. */
export function statusBadge(state, word) {
  const known = STATES[state] ?? { icon: "•", word: state };
  return h(
    "span",
    { class: `nbw-status-badge nbw-badge-${state}` },
    h("span", { class: "nbw-icon", "aria-hidden": "true" }, known.icon),
    " ",
    word ?? known.word,
  );
}

/** Text on one line in compact rows (ellipsis), whole in expanded and comfortable rows. */
export function textCell(text) {
  if (text === null || text === undefined || text === "") return h("span", { class: "nbw-muted" }, "—");
  return h("div", { class: "nbw-text nbw-cell-text" }, String(text));
}
