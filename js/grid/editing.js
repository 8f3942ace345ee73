// What the grid's editor shows for a field and what its text means: pure, tested with node --test.
import { parseLoose, pretty } from "../shared/format.js";

export const FIELD_LABELS = {
  expected_output: "Expected output",
  inputs: "Inputs",
  messages: "Messages",
  input: "Input",
};
export const EDITABLE = { orq: ["expected_output", "inputs", "messages"], overmind: ["expected_output", "input"] };

/** The text an editor starts from for a field, and the value its text stands for. */
export function editorText(service, field, value) {
  if (service === "orq" && field === "expected_output") return value ?? "";
  return pretty(value ?? (field === "messages" ? [] : {}));
}

export function editorValue(service, field, text) {
  if (service === "orq" && field === "expected_output") return { value: text };
  if (service === "overmind") return { value: parseLoose(text) };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `${FIELD_LABELS[field]} must be valid JSON: ${error.message}` };
  }
}
