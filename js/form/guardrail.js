// The guardrail part of the form: on or off, enabled, alert on failure, and what passes, by output type (a
// boolean result, a number against a threshold, the passing labels of a categorical one). String outputs
// have none.
import { h } from "../shared/dom.js";
import { defaultGuardrail, OPERATORS, parseNumber } from "./draft.js";

const at = (key) => ["guardrail_config", key];

function booleanPass(f) {
  return [
    f.field(
      "Passes when the result is",
      at("value"),
      f.select(at("value"), { true: "true", false: "false" }, (v) => f.change(at("value"), v === "true")),
    ),
  ];
}

function numberPass(f) {
  return [
    h(
      "div",
      { class: "nbw-grid2" },
      f.field(
        "Operator",
        at("operator"),
        f.select(at("operator"), OPERATORS, (v) => f.change(at("operator"), v)),
      ),
      f.field("Threshold", at("value"), f.text(at("value"), { type: "number", step: "any" }, parseNumber)),
    ),
  ];
}

function categoricalPass(f, guardrail, labels) {
  const chosen = new Set(guardrail.values ?? []);
  const toggle = (label) => (on) => {
    const values = on ? [...chosen, label] : [...chosen].filter((v) => v !== label);
    f.change(
      at("values"),
      labels.filter((l) => values.includes(l)),
      { rebuild: true },
    );
  };
  return [
    h(
      "div",
      { class: "nbw-radios", role: "group", "aria-label": "Passing labels" },
      h("span", { class: "nbw-muted" }, "Passing labels: "),
      labels.map((label) => f.checkbox(label || "(empty)", chosen.has(label), toggle(label))),
    ),
    f.errorFor("guardrail_config.values"),
  ];
}

const PASSES = { boolean: booleanPass, number: numberPass, categorical: categoricalPass };

function guardrailFields(f, guardrail, labels) {
  return [
    f.checkbox("Enabled", guardrail.enabled !== false, (on) => f.change(at("enabled"), on), "guardrail_config.enabled"),
    f.checkbox(
      "Alert on failure",
      guardrail.alert_on_failure,
      (on) => f.change(at("alert_on_failure"), on),
      "guardrail_config.alert_on_failure",
    ),
    ...(PASSES[guardrail.type]?.(f, guardrail, labels) ?? []),
    f.errorFor("guardrail_config.type"),
  ];
}

/** The guardrail fieldset; `labels` are the categorical labels' values (the passing ones are picked among them). */
export function guardrailSection(f, labels) {
  const draft = f.draft();
  const legend = h("legend", {}, "Guardrail");
  if (draft.output_type === "string")
    return h(
      "fieldset",
      { class: "nbw-fieldset" },
      legend,
      h("div", { class: "nbw-muted" }, "String outputs have no guardrail."),
      f.errorFor("guardrail_config.type"),
    );
  const guardrail = draft.guardrail_config;
  const use = f.checkbox(
    "Use a guardrail",
    guardrail != null,
    (on) => f.replace({ ...f.draft(), guardrail_config: on ? defaultGuardrail(f.draft().output_type, labels) : null }),
    "guardrail_config",
  );
  return h(
    "fieldset",
    { class: "nbw-fieldset" },
    legend,
    use,
    guardrail ? guardrailFields(f, guardrail, labels) : null,
  );
}
