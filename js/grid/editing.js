// What the grid's editor shows for a column and what its text means, by the column's kind (from the
// schema Python publishes): pure, tested with node --test.
import { parseLoose, pretty } from "../shared/format.js";

/** The text an editor starts from for a value of this kind. */
export function editorText(kind, value) {
  if (kind === "text") return typeof value === "string" ? value : value == null ? "" : pretty(value);
  return pretty(value ?? (kind === "messages" ? [] : {}));
}

/** {value} or {error} for the editor's text: text stays text, inputs and messages must be JSON. */
export function editorValue(kind, text, title = "This field") {
  if (kind === "text") return { value: text };
  if (kind === "json") return { value: parseLoose(text) };
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
