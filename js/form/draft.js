// Pure helpers on the evaluator draft (the API's shape): tested with node --test.
//
// The evaluator's enums and defaults are the kernel's (models/orq.py, sent as the form's `vocabulary` trait,
// widgets/_words.py): render() hands them to useVocabulary() before anything is drawn, and the names below
// follow (live bindings). They are the package's constants, the same for every form on the page.

let words = null;
export let OUTPUT_TYPES = [];
export let OPERATORS = {}; // operator -> its sign, in the kernel's order
export let MODES = [];
export let VERSION_INCREMENTS = [];
// how each operator is shown: presentation, not a value (an operator without a sign shows its name)
const SIGNS = { eq: "=", ne: "≠", gt: ">", gte: "≥", lt: "<", lte: "≤" };

export function useVocabulary(vocabulary) {
  words = vocabulary;
  OUTPUT_TYPES = vocabulary.output_types;
  OPERATORS = Object.fromEntries(vocabulary.operators.map((operator) => [operator, SIGNS[operator] ?? operator]));
  MODES = vocabulary.modes;
  VERSION_INCREMENTS = vocabulary.version_increments;
}

export const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export function getAt(data, path) {
  return path.reduce((node, part) => (node == null ? undefined : node[part]), data);
}

/** A copy of `data` with `value` at `path` (creating objects on the way). */
export function setAt(data, path, value) {
  const copy = clone(data) ?? {};
  let node = copy;
  path.slice(0, -1).forEach((part, i) => {
    if (node[part] == null) node[part] = typeof path[i + 1] === "number" ? [] : {};
    node = node[part];
  });
  node[path[path.length - 1]] = value;
  return copy;
}

export function newJudge(model = "") {
  return { model, ...clone(words.judge) };
}

/** Switching to a jury starts from two judges (the first being the single judge's model). */
export function withMode(draft, mode) {
  const next = { ...clone(draft), mode };
  if (mode === "jury" && !next.jury) {
    next.jury = {
      judges: [newJudge(draft.model ?? ""), newJudge("")],
      replacement_judges: [],
      ...clone(words.jury),
    };
  }
  return next;
}

/** The fields a mode switch leaves empty for the user to fill (Judge 2's model, the single judge's model):
 * the form created them, so their problems show at once and Save waits for them. */
export function emptyAfterModeSwitch(draft) {
  if (draft.mode !== "jury") return draft.model ? [] : ["model"];
  return (draft.jury?.judges ?? []).flatMap((judge, i) => (judge.model ? [] : [`jury.judges.${i}.model`]));
}

export function defaultGuardrail(outputType, labels = []) {
  const own = words.guardrails[outputType];
  if (outputType === "categorical") return { ...words.guardrail, type: "categorical", values: labels.slice(0, 1) };
  return own ? { ...words.guardrail, type: outputType, ...own } : null; // a string output has no guardrail
}

/**
 * A new output type brings a guardrail that fits it (or none), and labels for a categorical one. `kept`
 * (output type -> its guardrail, or null) remembers the guardrail each type had when the user left it: coming
 * back to a type brings that one back (boolean -> string -> boolean keeps the guardrail, or its absence).
 */
export function withOutputType(draft, outputType, kept = {}) {
  const next = { ...clone(draft), output_type: outputType };
  if (outputType === draft.output_type) return next;
  if (draft.output_type) kept[draft.output_type] = clone(draft.guardrail_config ?? null);
  if (outputType === "categorical" && !next.categorical_labels?.length) {
    next.categorical_labels = words.categorical_labels.map((value) => ({ value }));
  }
  if (Object.hasOwn(kept, outputType)) {
    next.guardrail_config = clone(kept[outputType]);
  } else if (next.guardrail_config && next.guardrail_config.type !== outputType) {
    next.guardrail_config = defaultGuardrail(
      outputType,
      (next.categorical_labels ?? []).map((l) => l.value),
    );
  }
  return next;
}

/** "429, 500" -> [429, 500]; what is not a number is passed on for the kernel to refuse by name. */
export function parseCodes(text) {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((token) => (/^\d+$/.test(token) ? Number(token) : token));
}

export function parseModels(text) {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((model) => ({ model }));
}

/** A number input's text: a number, null when empty, or the text itself (refused by the kernel). */
export function parseNumber(text) {
  if (text.trim() === "") return null;
  const number = Number(text);
  return Number.isNaN(number) ? text : number;
}

/** The problem for `path`, or for the nearest field that has an input (e.g. jury.judges -> its list). */
export function problemsByField(problems, knownPaths) {
  const placed = new Map();
  const loose = [];
  for (const [path, message] of Object.entries(problems ?? {})) {
    let target = path;
    while (target && !knownPaths.has(target))
      target = target.includes(".") ? target.slice(0, target.lastIndexOf(".")) : "";
    if (target) placed.set(target, [...(placed.get(target) ?? []), message]);
    else loose.push(`${path}: ${message}`);
  }
  return { placed, loose };
}
