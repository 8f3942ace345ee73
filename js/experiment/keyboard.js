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

function onKey(x, event) {
  const tag = event.target.tagName;
  if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT") return;
  if (event.key === "Escape") {
    event.preventDefault();
    handFocusToNotebook(x.root);
    return;
  }
  if ((event.ctrlKey || event.metaKey) && event.key === "z") {
    event.preventDefault(); // as in the grid: Ctrl+Z undoes the last write of the widget
    if (x.compareOn())
      undoPreference(x); // comparing: the last preference
    else if (x.get("can_undo")) x.quietly(x.send("undo"));
    return;
  }
  if (x.compareOn() && onCompareKey(x, event)) return;
  const action = keyAction(event, x.kinds());
  const row = x.activeRow();
  if (!action || !row) return;
  if (x.compareOn() && action.type !== "move" && action.type !== "rerun") return; // no single output to act on
  event.preventDefault();
  if (action.type === "move") return move(x, action.key);
  const generation = x.get("_generations")?.[row.id];
  if (action.type === "rerun") x.quietly(x.send("rerun", { datapoint_id: row.id }));
  else if (action.type === "use_expected") x.quietly(x.send("use_expected", { datapoint_id: row.id }));
  else if (action.type === "undo") {
    if (x.get("can_undo")) x.quietly(x.send("undo"));
  } else if (action.type === "correct") {
    if (generation?.state === "done" && generation.trace_id) openEditor(x, row, generation);
  } else if (action.type === "feedback") {
    const kind = x.kinds().find((k) => k.property === action.property);
    giveFeedback(x, row.id, kind, action.value);
  }
}

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

function onCompareKey(x, event) {
  const action = compareKey(event, x.variantCount());
  if (!action) return false;
  event.preventDefault();
  const row = x.activeRow();
  const { get } = x;
  if (action.type === "diff_mode") {
    const order = diffModes(x.columnLabels()).map(([value]) => value);
    x.setDiffMode(order[(order.indexOf(x.ui.diffMode) + 1) % order.length]);
  } else if (action.type === "undo_preference") undoPreference(x);
  else if (action.type === "reveal_all") x.quietly(x.send(get("reveal_all") ? "hide" : "reveal", {}));
  else if (row && action.type === "reveal") {
    const shown = get("reveal_all") || (get("revealed") ?? []).includes(row.id);
    x.quietly(x.send(shown ? "hide" : "reveal", { datapoint_id: row.id }));
  } else if (row && action.type === "prefer")
    x.quietly(x.send("prefer", { datapoint_id: row.id, choice: action.choice }));
  return true;
}
