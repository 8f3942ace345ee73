// Pure functions turning datapoint values into display text (tested with node --test).

// What the models know; anything else the services send is kept raw and shown as its JSON.
export const KNOWN_ROLES = ["system", "developer", "user", "assistant", "tool"];
const KNOWN_PARTS = ["text", "image_url", "input_audio", "file"];
const EVALUATION_TYPES = ["string", "number", "boolean", "string_array"];

function partText(part) {
  if (part?.type === "text") return String(part.text ?? "");
  return KNOWN_PARTS.includes(part?.type) ? `[${part.type}]` : JSON.stringify(part);
}

function contentText(content) {
  if (typeof content === "string") return content;
  return Array.isArray(content) ? content.map(partText).join("\n") : "";
}

export function messageText(message) {
  if (!message) return "";
  if (!KNOWN_ROLES.includes(message.role)) return JSON.stringify(message);
  let text = contentText(message.content);
  if (message.refusal) text += `${text ? "\n" : ""}(refused: ${message.refusal})`;
  for (const call of message.tool_calls ?? []) {
    const fn = call.function ?? {};
    text += `${text ? "\n" : ""}→ ${fn.name ?? "tool"}(${fn.arguments ?? ""})`;
  }
  return text;
}

export function pretty(value) {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/** Editor text back to a value: JSON where it parses (Overmind values are JSON), else the text. */
export function parseLoose(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** A review's value as a reader says it ("good", "4", "yes", "accurate, polite"); unknown shapes as JSON. */
export function evaluationText(evaluation) {
  if (!EVALUATION_TYPES.includes(evaluation?.type)) return JSON.stringify(evaluation);
  if (evaluation.type === "string_array") return (evaluation.values ?? []).join(", ");
  if (evaluation.type === "boolean") return evaluation.value ? "yes" : "no";
  return String(evaluation.value);
}

const ANNOTATORS = { human: "Human review", llm: "LLM judge", code: "Code check", automation: "Automation" };

/** A review's hover text: what kind of reviewer, when, and why; never its ids (a datapoint's evaluations
 * carry no review or reviewer name, only ids, which mean nothing to a reader). */
export function evaluationTitle(evaluation, now = Date.now()) {
  const kind = ANNOTATORS[evaluation?.annotator?.kind] ?? "Human review";
  const lines = [kind];
  if (evaluation?.reviewed_at)
    lines.push(`reviewed ${relativeTime(evaluation.reviewed_at, now)} (${fullTime(evaluation.reviewed_at)})`);
  if (evaluation?.explanation) lines.push(String(evaluation.explanation));
  return lines.join("\n");
}

export function rangeText(pageNumber, pageSize, rowCount, total) {
  if (rowCount === 0) return total === 0 ? "No datapoints" : "No rows on this page";
  const first = (pageNumber - 1) * pageSize + 1;
  const last = first + rowCount - 1;
  return total == null ? `Rows ${first}–${last}` : `Rows ${first}–${last} of ${total.toLocaleString()}`;
}

export function pageCount(total, pageSize) {
  return total == null ? null : Math.max(1, Math.ceil(total / pageSize));
}

const UNITS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

// formatters are costly to make: one each, made once (a page shows a time per row)
const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

/** "3 hours ago", "in 2 days", "just now": a time relative to `now` (ms), for a narrow column. */
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return "";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return String(iso);
  const seconds = (then - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

/** The full time, for a tooltip beside a relative one. */
export function fullTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : FULL.format(date);
}

/** One line for a value in a chip: strings as they are, the rest as compact JSON. */
export function inlineValue(value) {
  if (value === null || value === undefined) return "null";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// The write states are the kernel's (widgets/_words.py WRITE_STATES, the `write_states` trait of the grid and
// the review): a view's render() hands them to useWriteStates() before it draws, and these names follow (live
// bindings; the package's constants, the same for every view on the page).
/** A row's state as an icon and a word (the icon is decoration; the word is what is read). */
export let STATES = {};
/** States whose row shows its draft in its cells (an edit not saved yet), not the stale original. */
export let DRAFT_STATES = new Set();
/** States whose details (the reason, what to do) show in a full-width row under the row. */
export let DETAIL_STATES = new Set();

export function useWriteStates(sent) {
  STATES = sent.words;
  DRAFT_STATES = new Set(sent.draft);
  DETAIL_STATES = new Set(sent.detail);
}
