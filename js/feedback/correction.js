// FeedbackButtons' correction box: a text area starting from the output, the word diff against the output
// (drawn by the shared renderer, js/shared/diff.js, which the markup tests hold: text stays text) and Send.
// No stylesheet import, so node's tests load it.
import { renderDiff } from "../shared/diff.js";
import { clear, h } from "../shared/dom.js";
import { isSaveChord, saveChordText } from "../shared/keys.js";

/** Fill `box` with the changes from `output` to `text`; nothing when there is no output to compare with. */
export function correctionDiff(box, output, text) {
  if (output == null) return clear(box);
  return renderDiff(box, output, text, {
    empty: "Same as the output.",
    names: { before: "output", after: "correction" },
  });
}

/**
 * The correction box. `text` is the draft to start from; `onInput(text)` follows each keystroke, `onSend()`
 * is the button and the save chord (Ctrl/Cmd+Enter). Ids are under `viewId` (unique per view).
 */
export function correctionBox({ viewId, text, output, signal, onInput, onSend, label = "Correction" }) {
  const area = h("textarea", { id: `${viewId}-text`, rows: "4", value: text, "aria-describedby": `${viewId}-hint` });
  const changes = h("div", { class: "nbw-diff", role: "group", "aria-label": "Changes against the output" });
  area.addEventListener(
    "input",
    () => {
      onInput(area.value);
      correctionDiff(changes, output, area.value);
    },
    { signal },
  );
  area.addEventListener(
    "keydown",
    (event) => {
      if (isSaveChord(event)) {
        event.preventDefault();
        onSend();
      }
    },
    { signal },
  );
  correctionDiff(changes, output, text);
  return h(
    "div",
    { class: "nbw-correction" },
    h("label", { for: `${viewId}-text` }, label),
    area,
    changes,
    h(
      "div",
      { class: "nbw-toolbar" },
      h("button", { type: "button", class: "nbw-primary", onclick: onSend }, "Send correction"),
      h("span", { id: `${viewId}-hint`, class: "nbw-muted" }, `${saveChordText()} sends`),
    ),
  );
}
