// Pure helpers on the evaluator draft (the API's shape): tested with node --test.

export const RETRY_CODES = [429, 500, 502, 503, 504];
export const OUTPUT_TYPES = ["boolean", "categorical", "number", "string"];
export const OPERATORS = { eq: "=", ne: "≠", gt: ">", gte: "≥", lt: "<", lte: "≤" };

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
  return { model, retry: { count: 2, on_codes: [...RETRY_CODES] }, fallbacks: [] };
}

/** Switching to a jury starts from two judges (the first being the single judge's model). */
export function withMode(draft, mode) {
  const next = { ...clone(draft), mode };
  if (mode === "jury" && !next.jury) {
    next.jury = {
      judges: [newJudge(draft.model ?? ""), newJudge("")],
      replacement_judges: [],
      min_successful_judges: 2,
      tie_value: "Tie",
    };
  }
  return next;
}

export function defaultGuardrail(outputType, labels = []) {
  const base = { enabled: true, alert_on_failure: false };
  if (outputType === "boolean") return { ...base, type: "boolean", value: true };
  if (outputType === "categorical") return { ...base, type: "categorical", values: labels.slice(0, 1) };
  if (outputType === "number") return { ...base, type: "number", value: 0, operator: "gte" };
  return null; // a string output has no guardrail
}

/** A new output type brings a guardrail that fits it (or none), and labels for a categorical one. */
export function withOutputType(draft, outputType) {
  const next = { ...clone(draft), output_type: outputType };
  if (outputType === "categorical" && !next.categorical_labels?.length) {
    next.categorical_labels = [{ value: "pass" }, { value: "fail" }];
  }
  if (next.guardrail_config && next.guardrail_config.type !== outputType) {
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
