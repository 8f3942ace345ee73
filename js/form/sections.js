// The form's sections, built from the draft as it stands: the evaluator's basics (key, path, description,
// output type, repetitions), its categorical labels, the judging (a single judge's model or a jury: jury.js),
// the prompt with its changes and variables; the guardrail is guardrail.js. Each builder takes the form `f`:
// {viewId, signal, get, draft(), change, replace, touch, keptGuardrails} and the field builders of fields.js.
import { renderDiff } from "../shared/diff.js";
import { append, clear, h } from "../shared/dom.js";
import { emptyAfterModeSwitch, MODES, OUTPUT_TYPES, parseNumber, withMode, withOutputType } from "./draft.js";
import { jurySection } from "./jury.js";

export function basicsSection(f) {
  return [
    h(
      "div",
      { class: "nbw-grid2" },
      f.field("Key", ["key"], f.text(["key"], { placeholder: "tone_check" }), {
        hint: "Letters, digits, _ and -; starts and ends with a letter or digit.",
      }),
      f.field("Path", ["path"], f.text(["path"], { placeholder: "Default" }), { hint: "project/folder/..." }),
    ),
    f.field("Description", ["description"], f.text(["description"])),
    h(
      "div",
      { class: "nbw-grid2" },
      f.field(
        "Output type",
        ["output_type"],
        f.select(["output_type"], Object.fromEntries(OUTPUT_TYPES.map((t) => [t, t])), (value) =>
          f.replace(withOutputType(f.draft(), value, f.keptGuardrails)),
        ),
      ),
      f.field(
        "Repetitions",
        ["repetitions"],
        f.text(["repetitions"], { type: "number", min: "1", max: "3", step: "1" }, parseNumber),
        { hint: "1 to 3 runs per evaluation" },
      ),
    ),
  ];
}

export function labelsSection(f) {
  const list = f.draft().categorical_labels ?? [];
  return h(
    "fieldset",
    { class: "nbw-fieldset" },
    h("legend", {}, "Categorical labels"),
    list.map((_label, index) =>
      h(
        "div",
        { class: "nbw-row" },
        f.field(
          `Label ${index + 1}`,
          ["categorical_labels", index, "value"],
          f.text(["categorical_labels", index, "value"]),
        ),
        h(
          "button",
          {
            type: "button",
            "aria-label": `Remove label ${index + 1}`,
            onclick: () => f.replace({ ...f.draft(), categorical_labels: list.filter((_, i) => i !== index) }),
          },
          "Remove",
        ),
      ),
    ),
    h(
      "button",
      { type: "button", onclick: () => f.replace({ ...f.draft(), categorical_labels: [...list, { value: "" }] }) },
      "Add label",
    ),
    f.errorFor("categorical_labels"),
  );
}

function modeRadio(f, mode) {
  const id = `${f.viewId}-mode-${mode}`;
  const radio = h("input", {
    type: "radio",
    name: `${f.viewId}-mode`,
    id,
    value: mode,
    checked: f.draft().mode === mode,
  });
  radio.dataset.path = `mode.${mode}`;
  radio.dataset.focusKey = `mode.${mode}`;
  radio.addEventListener(
    "change",
    () => {
      const next = withMode(f.draft(), mode);
      f.touch(emptyAfterModeSwitch(next)); // the form made them empty: Save stays off until they are filled
      f.replace(next);
    },
    { signal: f.signal },
  );
  return h("label", { for: id, class: "nbw-check" }, radio, mode === "single" ? " Single judge" : " Jury");
}

/** Single judge or jury: the mode, then the judge's model or the jury; the model suggestions for both. */
export function judgingSection(f) {
  const models = h(
    "datalist",
    { id: `${f.viewId}-models` },
    f.get("suggested_models").map((m) => h("option", { value: m })),
  );
  return h(
    "fieldset",
    { class: "nbw-fieldset" },
    h("legend", {}, "Judging"),
    h(
      "div",
      { class: "nbw-radios", role: "radiogroup", "aria-label": "Mode" },
      MODES.map((mode) => modeRadio(f, mode)),
    ),
    f.draft().mode === "jury"
      ? jurySection(f)
      : f.field("Model", ["model"], f.text(["model"], { list: `${f.viewId}-models`, placeholder: "provider/model" })),
    models,
  );
}

/**
 * The prompt, what changed in it since it was loaded (word by word, the diff the grid and feedback use) and
 * its variables. Returns {nodes, refresh}: refresh() compares again (a save or a reload changes the original).
 */
export function promptSection(f) {
  const prompt = f.text(["prompt"], { multiline: true, placeholder: "Is {{output}} a good answer to {{input}}?" });
  const changes = h("div", { class: "nbw-diff", role: "group", "aria-label": "Prompt changes" });
  const refresh = () => {
    const before = f.get("original")?.prompt ?? "";
    changes.hidden = !f.get("evaluator_id") || before === prompt.value;
    if (!changes.hidden)
      renderDiff(changes, before, prompt.value, {
        names: { before: "saved prompt", after: "prompt as edited" },
      });
  };
  prompt.addEventListener("input", refresh, { signal: f.signal });
  refresh();
  const nodes = [
    f.field("Prompt", ["prompt"], prompt),
    changes,
    h("div", { class: "nbw-variables", "aria-live": "polite" }),
  ];
  return { nodes, refresh };
}

/** The prompt's {{variables}} as the kernel found them, in the form's body. */
export function renderVariables(body, names) {
  const node = body.querySelector(".nbw-variables");
  if (!node) return;
  append(clear(node), [
    h("span", { class: "nbw-muted" }, names.length ? "Variables: " : "No {{variables}} in the prompt yet."),
    names.map((name) => h("code", { class: "nbw-chip" }, `{{${name}}}`)),
  ]);
}
