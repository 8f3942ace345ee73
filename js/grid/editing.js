// What the grid's editor shows for a column and what its text means, by the column's kind (from the
// schema Python publishes): pure, tested with node --test.
import { parseLoose, pretty } from "../shared/format.js";

/** The text an editor starts from for a value of this kind. */
export function editorText(kind, value) {
  if (kind === "text") return typeof value === "string" ? value : value == null ? "" : pretty(value);
  return pretty(value ?? (kind === "messages" ? [] : {}));
}

const held = (value) =>
  Array.isArray(value)
    ? "a JSON list"
    : value === null || typeof value !== "object"
      ? `a ${typeof value}`
      : "a JSON object";

/** A JSON field's value: text stays text, a value that was not text must parse (unless `asText`). */
function jsonValue(text, title, { original, asText }) {
  if (asText || typeof original === "string") return { value: text };
  if (original === undefined || original === null) return { value: parseLoose(text) };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return {
      error: `${title} held ${held(original)}: the text must be valid JSON to keep it one (${error.message}). Fix it, or save it as text on purpose.`,
      asTextOffered: true,
    };
  }
}

/**
 * {value} or {error} for the editor's text: text stays text, inputs and messages must be JSON. A JSON
 * field (Overmind's values) keeps the type it had: a value that was not text must still parse as JSON,
 * else it is refused with the parse error and `asTextOffered` (saving it as text is an explicit choice:
 * `asText`); text stays text; an empty field takes JSON where the text parses, else the text.
 */
export function editorValue(kind, text, title = "This field", { original, asText = false } = {}) {
  if (kind === "text") return { value: text };
  if (kind === "json") return jsonValue(text, title, { original, asText });
  try {
    const value = JSON.parse(text);
    if (kind === "inputs" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      return { error: `${title} must be a JSON object of names to values` };
    }
    return { value };
  } catch (error) {
    return { error: `${title} must be valid JSON: ${error.message}` };
  }
}
