// One feedback choice (a thumb, a score, an option) as a toggle button: FeedbackButtons and
// ExperimentReview both draw their choices with it, so they look and read the same (their style:
// choices.css, imported by each widget's entry).
import { h } from "../shared/dom.js";
import { thumbIcon } from "../shared/icons.js";

/**
 * `ariaLabel` replaces the visible label for screen readers ("Good (thumbs up)" for "Good"); omitted, the
 * label is the name. `mode`: "radio" (one of several: a single choice) or "checkbox" (any of several) give
 * the button that role, aria-checked and a mark that shows which it is; omitted, a toggle (aria-pressed).
 */
export function choiceButton(choice, { pressed, title = choice.name, ariaLabel, onPick, mode }) {
  const checkable = mode === "radio" || mode === "checkbox";
  return h(
    "button",
    {
      type: "button",
      class: `nbw-choice${pressed ? " nbw-pressed" : ""}${checkable ? ` nbw-choice-${mode}` : ""}`,
      role: checkable ? mode : null,
      "aria-checked": checkable ? String(pressed) : null,
      "aria-pressed": checkable ? null : String(pressed),
      "aria-label": ariaLabel,
      title,
      onclick: onPick,
    },
    checkable ? h("span", { class: "nbw-choice-mark", "aria-hidden": "true" }) : null,
    choice.icon ? thumbIcon(choice.icon) : null,
    choice.label,
  );
}
