// What ExperimentReview shows, read from the model: its columns, the page's rows as the judges' toolbar
// or the comparison's filter shows them (the keys step through these), and the view's own state (the
// active row, the open correction, the clicks not answered yet, ...). Pure, tested with node --test.
import { compareRows, pairOf } from "./compare.js";
import { visibleRows } from "./judging.js";

const COLUMNS = [
  ["datapoint", "Datapoint"],
  ["expected", "Expected output"],
  ["output", "Output"],
  ["diff", "Difference"],
  ["feedback", "Feedback"],
];
const JUDGE_COLUMN = ["verdicts", "Judges"]; // with evaluators=, before the feedback

/** The traits the rows are drawn from (with compare.js COMPARE_STATE). */
export const ROW_TRAITS = [
  "_rows",
  "_generations",
  "_feedback",
  "_earlier",
  "_expected",
  "_added",
  "add_targets",
  "feedback_kinds",
  "feedback_off",
  "_verdicts",
  "_disagree",
  "row_filter",
  "sort_by",
  "evaluators_info",
  "loading",
];
/** The traits the chrome is drawn from (with compare.js COMPARE_CHROME). */
export const CHROME_TRAITS = [
  "dataset_name",
  "generator_label",
  "page_number",
  "has_next",
  "has_previous",
  "loading",
  "error",
  "notice",
  "progress",
  "running",
  "summary",
  "staged_count",
  "version_save",
  "prefetch",
  "total",
  "can_undo",
  "undo_label",
  "evaluators_info",
  "judge_summary",
  "agreements",
  "row_filter",
  "sort_by",
  "_rows",
];

/** The review's reading of the model (`get`) and the view's own state (`ui`). */
export function createPage(get) {
  const ui = {
    active: 0, // the active row of this page
    anchor: { index: 0, id: null }, // the active row as last drawn: its place and its datapoint
    editor: null, // the open correction: {id, area}
    optimistic: new Map(), // "id property" -> value clicked, until the kernel's state arrives
    openWhy: new Set(), // "id evaluator": the verdict explanations open in this view
    addTo: null, // the open "Add to dataset…" form: {id, dataset, use}
    diffMode: "0-1", // compare mode: the diff between the first two columns
  };
  const kinds = () => get("feedback_kinds") ?? [];
  const evaluators = () => get("evaluators_info") ?? [];
  // variants=: the variants side by side (compare.js)
  const variantCount = () => (get("variant_names") ?? []).length;
  const compareOn = () => variantCount() > 0;
  const columnLabels = () => {
    const n = variantCount();
    return get("blind")
      ? Array.from({ length: n }, (_, i) => (n === 2 ? ["Left", "Right"][i] : `Column ${i + 1}`))
      : get("variant_names");
  };
  const compareColumns = () => [
    COLUMNS[0],
    COLUMNS[1],
    ...columnLabels().map((label, i) => [`variant nbw-x-side-${i}`, label]),
    ...(pairOf(ui.diffMode) ? [["pairdiff", "Difference"]] : []),
    ["prefer", "Preference"],
  ];
  const columns = () =>
    compareOn() ? compareColumns() : evaluators().length ? [...COLUMNS.slice(0, 4), JUDGE_COLUMN, COLUMNS[4]] : COLUMNS;
  const rows = () =>
    compareOn()
      ? compareRows(get("_rows") ?? [], get("compare_filter"), get("_compare_flags"))
      : visibleRows(get("_rows") ?? [], {
          filter: get("row_filter"),
          sortBy: get("sort_by"),
          verdicts: get("_verdicts") ?? {},
          disagree: get("_disagree") ?? {},
          evaluators: evaluators(),
        });
  const activeRow = () => rows()[ui.active];
  return { get, ui, kinds, evaluators, variantCount, compareOn, columnLabels, columns, rows, activeRow };
}
