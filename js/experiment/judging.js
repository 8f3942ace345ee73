// The review's judges (evaluators=): a compact verdict per evaluator on each row, the toolbar's filter and sort,
// and how far each judge agrees with people. Pure helpers first (node --test), then the DOM parts.
import { h } from "../shared/dom.js";

export const FILTERS = [
  ["all", "All rows"],
  ["failing", "Failing any judge"],
  ["disagree", "Judge and people disagree"],
  ["unjudged", "Not yet judged"],
];

/** A jury that split evenly: its verdict is the tie value ("Tie"), neither a pass nor a failure to show. */
export const isTie = (verdict, info) =>
  verdict?.state === "done" && info?.tie_value != null && verdict.value === info.tie_value;

/** A verdict in a few characters: "✓ pass", "✗ 2", "✓ correct", "= Tie", "…" while it runs, "error". */
export function verdictText(verdict, info) {
  if (!verdict) return "–";
  if (verdict.state === "queued" || verdict.state === "running") return "…";
  if (verdict.state === "error") return "error";
  if (verdict.status === "failed" || verdict.status === "timed_out") return `✗ ${verdict.status.replace("_", " ")}`;
  return `${markOf(verdict, info)} ${valueText(verdict, info)}`.trim();
}

const markOf = (verdict, info) => {
  if (isTie(verdict, info)) return "=";
  return verdict.passed === true ? "✓" : verdict.passed === false ? "✗" : "";
};

function valueText(verdict, info) {
  const value = verdict.value;
  let shown;
  if (typeof value === "boolean" || value == null) shown = verdict.passed ? "pass" : "fail";
  else if (typeof value === "number") shown = Number.isInteger(value) ? String(value) : value.toFixed(2);
  else shown = String(value);
  return info?.output_type === "string" && shown.length > 24 ? `${shown.slice(0, 23)}…` : shown;
}

/** The chip's look: none, queued, running, error, pass, tie or fail. */
function chipState(verdict, info) {
  if (!verdict) return "none";
  if (verdict.state !== "done") return verdict.state;
  if (verdict.passed) return "pass";
  return isTie(verdict, info) ? "tie" : "fail";
}

/** A verdict's place when sorting by its evaluator: higher is better; null when there is none yet. */
export function verdictScore(verdict, info) {
  if (verdict?.state !== "done") return null;
  const value = verdict.value;
  if (typeof value === "number") return value;
  if (info?.output_type === "categorical" && typeof value === "string") {
    const index = (info.labels ?? []).indexOf(value);
    if (index >= 0) return (info.labels.length - index) / info.labels.length; // labels are read best first
  }
  if (verdict.passed === true) return 1;
  if (verdict.passed === false) return 0;
  return null;
}

function judged(verdicts, evaluators) {
  return evaluators.every((e) => verdicts?.[e.key]?.state === "done");
}

/** The rows of the page as the toolbar asks: filtered, then sorted by an evaluator's score (worst first). */
export function visibleRows(rows, { filter = "all", sortBy = "", verdicts = {}, disagree = {}, evaluators = [] }) {
  let shown = rows;
  if (evaluators.length && filter === "failing")
    shown = rows.filter((row) =>
      Object.values(verdicts[row.id] ?? {}).some(
        (v) => v.state === "done" && (v.passed === false || v.status === "failed"),
      ),
    );
  else if (evaluators.length && filter === "disagree") shown = rows.filter((row) => disagree[row.id]?.length);
  else if (evaluators.length && filter === "unjudged")
    shown = rows.filter((row) => !judged(verdicts[row.id], evaluators));
  const info = evaluators.find((e) => e.key === sortBy);
  if (!info) return shown;
  const scored = shown.map((row, index) => ({ row, index, score: verdictScore(verdicts[row.id]?.[info.key], info) }));
  scored.sort((a, b) => {
    if (a.score === null || b.score === null) return (a.score === null) - (b.score === null) || a.index - b.index;
    return a.score - b.score || a.index - b.index;
  });
  return scored.map((item) => item.row);
}

/** "exact vs rating: agree on 7 of 10 (70%) · kappa 0.40 · disagree on 3". */
export function agreementText(item) {
  const kappa = item.kappa == null ? "kappa undefined (one label only)" : `kappa ${item.kappa.toFixed(2)}`;
  const agreeing = item.n - item.disagreements.length;
  return `${item.evaluator} vs ${item.property}: agree on ${agreeing} of ${item.n} (${Math.round(
    item.agreement * 100,
  )}%) · ${kappa} · disagree on ${item.disagreements.length}`;
}

/** "exact: 4/10 pass (40%) · mean 2.60". */
export function judgeSummaryText(item) {
  if (!item.judged) return `${item.key}: not judged yet${item.errors ? ` · ${item.errors} failed to judge` : ""}`;
  let text = `${item.key}: ${item.passed}/${item.judged} pass (${Math.round(item.pass_rate * 100)}%)`;
  if (item.mean != null) text += ` · mean ${item.mean.toFixed(2)}`;
  if (item.errors) text += ` · ${item.errors} failed to judge`;
  return text;
}

// --- DOM ------------------------------------------------------------------------------------------

/** A key as words a line may break between: after each "_" or "-" ("e2e_exact_" / "d0b287"), never inside one. */
const breakable = (key) => key.split(/(?<=[_-])/).flatMap((part, index) => (index ? [h("wbr"), part] : [part]));

/** The row's verdicts: one chip per evaluator; the explanation opens on demand; a failure offers a retry. */
export function verdictCell(rowId, verdicts, evaluators, { onRetry, isOpen = () => false, onToggle = () => {} }) {
  return evaluators.map((info) => {
    const verdict = verdicts?.[info.key];
    const state = chipState(verdict, info);
    const chip = h(
      "span",
      { class: `nbw-verdict nbw-verdict-${state}`, "data-evaluator": info.key },
      h("span", { class: "nbw-verdict-value" }, verdictText(verdict, info)),
      " ",
      h("span", { class: "nbw-verdict-name" }, breakable(info.key)),
    );
    if (verdict?.state === "error") {
      return h(
        "div",
        { class: "nbw-verdict-line", role: "group", "aria-label": `${info.key} verdict` },
        chip,
        h("div", { class: "nbw-row-error", role: "alert" }, `Could not judge: ${verdict.error}`),
        h(
          "button",
          {
            type: "button",
            class: "nbw-link",
            onclick: (event) => {
              event.stopPropagation();
              onRetry(rowId, info.key);
            },
          },
          "Retry judging",
        ),
      );
    }
    if (!verdict?.explanation) return h("div", { class: "nbw-verdict-line" }, chip);
    // the explanation on demand: a native disclosure, opened by click, Enter or Space, read out as text; it
    // stays open across the re-renders that every verdict and write brings
    const details = h(
      "details",
      { class: "nbw-verdict-line", open: isOpen(rowId, info.key) },
      h("summary", { title: "Why: the judge's explanation" }, chip),
      h("div", { class: "nbw-verdict-why" }, verdict.explanation),
    );
    details.addEventListener("toggle", () => onToggle(rowId, info.key, details.open));
    return details;
  });
}

function confusionTable(item) {
  const labels = item.labels;
  return h(
    "table",
    { class: "nbw-confusion" },
    h("caption", { class: "nbw-muted" }, `Rows: the judge (${item.evaluator}); columns: people (${item.property})`),
    h(
      "tr",
      {},
      h("th", {}, ""),
      labels.map((label) => h("th", { scope: "col" }, label)),
    ),
    labels.map((judge) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, judge),
        labels.map((people) =>
          h("td", { class: judge === people ? "nbw-agree" : "" }, String(item.confusion?.[judge]?.[people] ?? 0)),
        ),
      ),
    ),
  );
}

/** The judges' toolbar: filter, sort by score, each judge's summary and its agreement with people. */
export function judgeBar({ viewId, filter, sortBy, evaluators, summary, agreements, onFilter, onSort }) {
  const filterSelect = h(
    "select",
    { id: `${viewId}-filter`, "aria-label": "Show rows" },
    FILTERS.map(([value, label]) => h("option", { value, selected: value === filter }, label)),
  );
  filterSelect.addEventListener("change", () => onFilter(filterSelect.value));
  const sortSelect = h(
    "select",
    { id: `${viewId}-sort`, "aria-label": "Sort rows" },
    h("option", { value: "", selected: !sortBy }, "Dataset order"),
    evaluators.map((e) => h("option", { value: e.key, selected: e.key === sortBy }, `${e.key}: worst first`)),
  );
  sortSelect.addEventListener("change", () => onSort(sortSelect.value));
  return [
    h(
      "div",
      { class: "nbw-toolbar nbw-judgebar" },
      h("label", { for: `${viewId}-filter` }, "Show"),
      filterSelect,
      h("label", { for: `${viewId}-sort` }, "Sort"),
      sortSelect,
      h("span", { class: "nbw-spacer" }),
      summary.map((item) => h("span", { class: "nbw-badge nbw-judge-summary" }, judgeSummaryText(item))),
    ),
    agreements.map((item) =>
      h(
        "div",
        { class: "nbw-agreement", role: "status" },
        h("span", {}, agreementText(item)),
        item.disagreements.length
          ? [" ", h("button", { type: "button", class: "nbw-link", onclick: () => onFilter("disagree") }, "Show them")]
          : null,
        h("details", { class: "nbw-confusion-box" }, h("summary", {}, "Confusion table"), confusionTable(item)),
      ),
    ),
  ];
}
