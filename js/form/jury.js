// The jury part of the form: one block per judge and per replacement judge (model, retries, status codes,
// fallback models), the buttons that add them, the minimum of successful judges and the tie value.
import { h } from "../shared/dom.js";
import { newJudge, parseCodes, parseModels, parseNumber, setAt } from "./draft.js";

function judgeBlock(f, group, index, count) {
  const base = ["jury", group, index];
  const title = group === "judges" ? `Judge ${index + 1}` : `Replacement judge ${index + 1}`;
  const about =
    group === "judges"
      ? null
      : h(
          "div",
          { class: "nbw-muted nbw-hint" },
          "Steps in for a judge that fails (after its retries and fallback models), so the jury can still reach its minimum.",
        );
  const remove = h(
    "button",
    {
      type: "button",
      "aria-label": `Remove ${title.toLowerCase()}`,
      onclick: () => {
        const list = f.draft().jury[group].filter((_, i) => i !== index);
        f.replace(setAt(f.draft(), ["jury", group], list));
      },
    },
    "Remove",
  );
  return h(
    "fieldset",
    { class: "nbw-fieldset nbw-judge" },
    h("legend", {}, title),
    about,
    h(
      "div",
      { class: "nbw-grid3" },
      f.field(
        "Model",
        [...base, "model"],
        f.text([...base, "model"], { list: `${f.viewId}-models`, placeholder: "provider/model" }),
      ),
      f.field(
        "Retries",
        [...base, "retry", "count"],
        f.text([...base, "retry", "count"], { type: "number", min: "1", max: "5", step: "1" }, parseNumber),
        { hint: "1 to 5" },
      ),
      f.field(
        "Retry on status codes",
        [...base, "retry", "on_codes"],
        f.text([...base, "retry", "on_codes"], { format: (codes) => codes.join(", ") }, parseCodes),
        { hint: "e.g. 429, 500, 503" },
      ),
    ),
    f.field(
      "Fallback models",
      [...base, "fallbacks"],
      f.text([...base, "fallbacks"], { format: (fallbacks) => fallbacks.map((x) => x.model).join(", ") }, parseModels),
      { hint: "comma-separated, tried in order" },
    ),
    count > 0 ? remove : null,
  );
}

export function jurySection(f) {
  const jury = f.draft().jury ?? { judges: [] };
  const judges = jury.judges ?? [];
  const replacements = jury.replacement_judges ?? [];
  const add = (group, list) => () => f.replace(setAt(f.draft(), ["jury", group], [...list, newJudge()]));
  return h(
    "div",
    { class: "nbw-jury" },
    judges.map((_judge, i) => judgeBlock(f, "judges", i, judges.length)),
    f.errorFor("jury.judges"),
    h("button", { type: "button", onclick: add("judges", judges) }, "Add judge"),
    replacements.map((_judge, i) => judgeBlock(f, "replacement_judges", i, replacements.length)),
    h("button", { type: "button", onclick: add("replacement_judges", replacements) }, "Add replacement judge"),
    replacements.length
      ? null
      : h(
          "div",
          { class: "nbw-muted nbw-hint" },
          "A replacement judge steps in for a judge that fails, so the jury can still reach its minimum.",
        ),
    h(
      "div",
      { class: "nbw-grid2" },
      f.field(
        "Min successful judges",
        ["jury", "min_successful_judges"],
        f.text(["jury", "min_successful_judges"], { type: "number", min: "2", step: "1" }, parseNumber),
        { hint: `at least 2, at most ${judges.length}` },
      ),
      f.field("Tie value", ["jury", "tie_value"], f.text(["jury", "tie_value"]), {
        hint: "The result given when the judges' votes are split evenly.",
      }),
    ),
    f.errorFor("jury"),
  );
}
