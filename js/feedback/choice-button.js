// One feedback choice (a thumb, a score, an option) as a toggle button: FeedbackButtons and
// ExperimentReview both draw their choices with it, so they look and read the same (their style:
// choices.css, imported by each widget's entry).
import { h } from "../shared/dom.js";
import { thumbIcon } from "../shared/icons.js";

/** `ariaLabel` replaces the visible label for screen readers ("Thumbs up" for "Good"); omitted, the label is the name. */
export function choiceButton(choice, { pressed, title = choice.name, ariaLabel, onPick }) {
  return h(
    "button",
    {
      type: "button",
      class: `nbw-choice${pressed ? " nbw-pressed" : ""}`,
      "aria-pressed": String(pressed),
      "aria-label": ariaLabel,
      title,
      onclick: onPick,
    },
    choice.icon ? thumbIcon(choice.icon) : null,
    choice.label,
  );
}
