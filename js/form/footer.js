// The form's save bar: how many problems stand in the way, the version bump and description (an evaluator
// that exists), Save / Create evaluator, Reset and Reload. Rebuilt whole from the traits; the page keeps it
// in view (placement.js).
import { clear, h } from "../shared/dom.js";
import { VERSION_INCREMENTS } from "./draft.js";

/** The version bump and its description, written to their traits as they change. */
function versionControls({ get, set, signal }) {
  const bump = h(
    "select",
    { "aria-label": "Version bump" },
    VERSION_INCREMENTS.map((v) =>
      h(
        "option",
        { value: v, selected: get("version_increment") === v },
        v === "none" ? "no version bump" : `${v} version`,
      ),
    ),
  );
  bump.addEventListener("change", () => set("version_increment", bump.value), { signal });
  const description = h("input", {
    type: "text",
    "aria-label": "Version description",
    placeholder: "What changed (optional)",
    value: get("version_description"),
  });
  description.addEventListener("input", () => set("version_description", description.value), { signal });
  return [bump, description];
}

/**
 * Draw the save bar in `footer`. `shownProblem(path)` says whether a problem is on show yet; `onSave()`
 * saves; `intent(name)` sends "reset" or "reload" after the last keystrokes.
 */
export function renderFooter(footer, { get, set, signal, shownProblem, onSave, intent }) {
  const existing = Boolean(get("evaluator_id"));
  const saving = get("saving");
  const problems = Object.keys(get("problems") ?? {});
  const shownCount = problems.filter(shownProblem).length;
  const save = h(
    "button",
    {
      type: "button",
      class: "nbw-primary",
      // problems on show: fix them first; problems not on show yet (a blank new form): a click shows them
      disabled: shownCount > 0 || !get("dirty") || saving,
      title: "Save (Ctrl+S)",
      onclick: onSave,
      dataset: { focusKey: "save" }, // its words change while it saves
    },
    saving ? "Saving…" : existing ? "Save" : "Create evaluator",
  );
  const reset = h(
    "button",
    { type: "button", disabled: !get("dirty") || saving, onclick: () => intent("reset") },
    "Reset",
  );
  const reload = existing
    ? h("button", { type: "button", disabled: saving, onclick: () => intent("reload") }, "Reload")
    : null;
  const count = problems.length;
  clear(footer).append(
    h(
      "div",
      { class: "nbw-form-problems", role: "status" },
      count > 0 && shownCount ? `${count} problem${count > 1 ? "s" : ""} to fix before saving` : "",
    ),
    h("div", { class: "nbw-toolbar" }, existing ? versionControls({ get, set, signal }) : null, save, reset, reload),
  );
}
