// ExperimentReview's keys on its grid: moving the active row (a page further at either end), Ctrl+Z,
// Escape back to the notebook, the review's keys (review.js keyAction) and compare mode's (compare.js).
// `x` is the review (index.js).
import { gridMove, handFocusToNotebook } from "../shared/keys.js";
import { compareKey, diffModes } from "./compare.js";
import { giveFeedback, openEditor } from "./feedback-cell.js";
import { keyAction } from "./review.js";

export function wireKeys(x) {
  x.grid.addEventListener("keydown", (event) => onKey(x, event), { signal: x.signal });
}

const TYPING = new Set(["TEXTAREA", "INPUT", "SELECT"]);

function onKey(x, event) {
  if (TYPING.has(event.target.tagName) || onChord(x, event)) return;
  if (x.compareOn() && onCompareKey(x, event)) return;
  const action = keyAction(event, x.kinds());
  const row = x.activeRow();
  if (!action || !row) return;
  if (x.compareOn() && action.type !== "move" && action.type !== "rerun") return; // no single output to act on
  event.preventDefault();
  ACTIONS[action.type](x, row, action);
}

/** Escape hands the keys back to the notebook; Ctrl+Z undoes, as in the grid, the widget's last write. */
function onChord(x, event) {
  const undo = (event.ctrlKey || event.metaKey) && event.key === "z";
  if (event.key !== "Escape" && !undo) return false;
  event.preventDefault();
  if (!undo) handFocusToNotebook(x.root);
  else if (x.compareOn())
    undoPreference(x); // comparing: the last preference
  else ACTIONS.undo(x);
  return true;
}

/** What each of the review's keys (review.js keyAction) does to the active row. */
const ACTIONS = {
  move: (x, _row, action) => move(x, action.key),
  rerun: (x, row) => x.quietly(x.send("rerun", { datapoint_id: row.id })),
  use_expected: (x, row) => x.quietly(x.send("use_expected", { datapoint_id: row.id })),
  undo: (x) => x.get("can_undo") && x.quietly(x.send("undo")),
  correct: (x, row) => {
    const generation = x.get("_generations")?.[row.id];
    if (generation?.state === "done" && generation.trace_id) openEditor(x, row, generation);
  },
  feedback: (x, row, action) =>
    giveFeedback(
      x,
      row.id,
      x.kinds().find((k) => k.property === action.property),
      action.value,
    ),
};

function move(x, key) {
  const to = gridMove({ row: x.ui.active, col: 0 }, key, { rows: x.rows().length, cols: 1, page: 5 });
  if (to?.beyond === 1 && x.get("has_next")) return x.quietly(x.send("page", { to: "next" }));
  if (to?.beyond === -1 && x.get("has_previous")) return x.quietly(x.send("page", { to: "prev" }));
  if (to) x.ui.active = to.row;
  x.redraw();
  x.grid.querySelector(".nbw-xrow.nbw-active")?.scrollIntoView?.({ block: "nearest" });
}

function undoPreference(x) {
  if (x.get("can_undo_preference")) x.quietly(x.send("undo_preference"));
}

/** What each of compare mode's keys (compare.js compareKey) does. */
const COMPARE_ACTIONS = {
  diff_mode: (x) => {
    const order = diffModes(x.columnLabels()).map(([value]) => value);
    x.setDiffMode(order[(order.indexOf(x.ui.diffMode) + 1) % order.length]);
  },
  undo_preference: undoPreference,
  reveal_all: (x) => x.quietly(x.send(x.get("reveal_all") ? "hide" : "reveal", {})),
  reveal: (x, row) => {
    const shown = x.get("reveal_all") || (x.get("revealed") ?? []).includes(row.id);
    x.quietly(x.send(shown ? "hide" : "reveal", { datapoint_id: row.id }));
  },
  prefer: (x, row, action) => x.quietly(x.send("prefer", { datapoint_id: row.id, choice: action.choice })),
};
const ON_A_ROW = new Set(["reveal", "prefer"]);

function onCompareKey(x, event) {
  const action = compareKey(event, x.variantCount());
  if (!action) return false;
  event.preventDefault();
  const row = x.activeRow();
  if (row || !ON_A_ROW.has(action.type)) COMPARE_ACTIONS[action.type](x, row, action);
  return true;
}
