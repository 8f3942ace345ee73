// ExperimentReview's feedback cell: a control per feedback kind asked for (the choices FeedbackButtons
// draws too, feedback/choice-button.js) with its write's status, and the correction editor that opens
// under the row. A click shows the value at once (optimistic) until the kernel's state arrives.
// `x` is the review (index.js): {get, send, quietly, viewId, grid, signal, ui, kinds, rows, redraw, schedule}.
import { choiceButton } from "../feedback/choice-button.js";
import { choicesFor, isPicked, nextValue } from "../feedback/choices.js";
import { clampedText, statusBadge } from "../shared/cells.js";
import { h } from "../shared/dom.js";
import { isSaveChord, saveChordText } from "../shared/keys.js";
import { FEEDBACK_STATUS, outputText } from "./review.js";

const muted = (text, extra = "") => h("span", { class: `nbw-muted${extra}` }, text);

export function feedbackCell(x, row, generation) {
  if (x.get("feedback_off")) return muted(x.get("feedback_off"));
  if (generation?.state !== "done" || generation.error)
    return muted(generation?.error ? "No output: nothing to judge" : "After the output");
  if (!generation.trace_id) return muted(generation.feedback_off, " nbw-off");
  const given = x.get("_feedback")?.[row.id] ?? {};
  const earlier = x.get("_earlier")?.[row.id];
  return [
    earlier ? h("div", { class: "nbw-muted nbw-earlier" }, earlier) : null,
    ...x.kinds().map((kind) => feedbackControl(x, row, kind, given[kind.property], generation)),
  ];
}

function feedbackControl(x, row, kind, given, generation) {
  const key = `${row.id} ${kind.property}`;
  const shown = x.ui.optimistic.has(key) ? x.ui.optimistic.get(key) : given?.value;
  // a single choice is radios, several are checkboxes, as in FeedbackButtons (feedback/choice-button.js)
  const mode = { choice: "radio", choices: "checkbox" }[kind.kind];
  const group = h("div", {
    class: "nbw-fb",
    role: mode === "radio" ? "radiogroup" : "group",
    "aria-label": kind.label,
  });
  if (kind.kind === "correction") group.append(...correctionControl(x, row, given, generation));
  else group.append(h("span", { class: "nbw-fb-label" }, kind.label), ...choiceButtons(x, row, kind, shown, mode));
  if (given) group.append(statusLine(x, kind, given));
  return group;
}

function correctionControl(x, row, given, generation) {
  const open = x.ui.editor?.id === row.id;
  return [
    h(
      "button",
      {
        type: "button",
        "aria-expanded": String(open),
        onclick: (event) => {
          event.stopPropagation();
          openEditor(x, row, generation);
        },
      },
      given ? "Edit correction" : "Correct",
    ),
    given && !open ? h("div", { class: "nbw-muted nbw-given" }, clampedText(String(given.value))) : null,
    open ? muted("Correcting below the row") : null,
  ].filter(Boolean);
}

function choiceButtons(x, row, kind, shown, mode) {
  const choices = choicesFor(kind.kind, {
    options: kind.options,
    min: kind.score_min,
    max: kind.score_max,
    step: kind.score_step,
  });
  return choices.map((choice) =>
    choiceButton(choice, {
      pressed: isPicked(kind.kind, shown, choice.value),
      mode,
      onPick: (event) => {
        event.stopPropagation();
        giveFeedback(x, row.id, kind, nextValue(kind.kind, shown, choice.value));
      },
    }),
  );
}

function statusLine(x, kind, given) {
  const [badge, word] = FEEDBACK_STATUS[given.state] ?? [given.state, given.state];
  const status = h(
    "span",
    { class: `nbw-wstate nbw-state-${given.state}`, role: "status", "data-property": kind.property },
    statusBadge(badge, `${kind.label}: ${word}`),
  );
  if (given.message) status.append(": ", h("span", { class: "nbw-field-error" }, given.message));
  if (given.state === "retrying")
    status.append(
      " ",
      h("button", { type: "button", class: "nbw-link", onclick: () => x.quietly(x.send("retry")) }, "Retry now"),
    );
  return status;
}

export function giveFeedback(x, datapointId, kind, value) {
  const key = `${datapointId} ${kind.property}`;
  x.ui.optimistic.set(key, value);
  x.redraw();
  x.send("feedback", { datapoint_id: datapointId, property: kind.property, value })
    .catch(() => {})
    .finally(() => {
      x.ui.optimistic.delete(key);
      x.schedule();
    });
}

// --- the correction editor: one per view, across the row under it ---------------------------------------

export function openEditor(x, row, generation) {
  const ui = x.ui;
  const fresh = ui.editor?.id !== row.id;
  if (fresh) {
    const given = x.get("_feedback")?.[row.id]?.correction;
    const area = h("textarea", {
      rows: "6",
      id: `${x.viewId}-correction`,
      "aria-label": "Correction",
      "aria-describedby": `${x.viewId}-correction-hint`,
    });
    area.value = given?.value ?? outputText(generation.output);
    area.addEventListener("keydown", (event) => onEditorKey(x, event, row.id), { signal: x.signal });
    ui.editor = { id: row.id, area };
  }
  ui.active = x.rows().findIndex((r) => r.id === row.id);
  x.redraw();
  ui.editor.area.focus();
  // the output (or the last correction) selected: typing replaces it, an arrow key starts editing it
  if (fresh) ui.editor.area.select();
}

export function editorBox(x, row) {
  return h(
    "div",
    { class: "nbw-correction" },
    x.ui.editor.area,
    h(
      "div",
      { class: "nbw-toolbar" },
      h(
        "button",
        { type: "button", class: "nbw-primary", onclick: () => sendCorrection(x, row.id) },
        "Send correction",
      ),
      h("button", { type: "button", onclick: () => closeEditor(x) }, "Close"),
      h("span", { class: "nbw-muted", id: `${x.viewId}-correction-hint` }, `${saveChordText()} sends · Esc closes`),
    ),
  );
}

function onEditorKey(x, event, datapointId) {
  if (isSaveChord(event)) {
    event.preventDefault();
    sendCorrection(x, datapointId);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closeEditor(x);
  }
}

function sendCorrection(x, datapointId) {
  const kind = x.kinds().find((k) => k.kind === "correction");
  const text = x.ui.editor?.area.value ?? "";
  if (!kind || !text.trim()) return;
  closeEditor(x);
  giveFeedback(x, datapointId, kind, text);
}

function closeEditor(x) {
  x.ui.editor = null;
  x.redraw();
  x.grid.focus();
}
