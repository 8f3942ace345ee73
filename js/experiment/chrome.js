// ExperimentReview's chrome around the rows: the toolbar (title, staged versions, run, undo, re-run,
// prefetch), the progress line, the notice, the judges' bar or the comparison's, the pager (the grid's
// turns, shared/pager.js: the review pages by next and previous) with the summary of every page so far, and the keys' help.
// Each is rebuilt whole from the model; index.js keeps focus on the rebuilt control.
// `x` is the review (index.js): {get, set, send, quietly, viewId, ui, evaluators, compareOn, ...}.
import { append, clear, h } from "../shared/dom.js";
import { pageCount } from "../shared/format.js";
import { rangeLabel, turns } from "../shared/pager.js";
import { compareHelp, comparisonTable, diffModes } from "./compare.js";
import { judgeBar } from "./judging.js";
import { keyHelp, progressText, savingWords } from "./review.js";

/** A click that sends intent `type` (an error shows in the alert line). */
const act = (type, x) => () => x.quietly(x.send(type));

/** The chrome's elements, in their order on screen (index.js puts the rows between `top` and `bottom`). */
export function createChrome(x) {
  const parts = {
    toolbar: h("div", { class: "nbw-toolbar" }),
    judges: h("div", { class: "nbw-judges" }),
    compareBox: h("div", { class: "nbw-compare-box" }),
    progress: h("div", { class: "nbw-status nbw-progress", role: "status", "aria-live": "polite" }),
    alert: h("div", { class: "nbw-alert", role: "alert" }),
    notice: h("div", { class: "nbw-notice", role: "status", hidden: true }),
    pager: h("div", { class: "nbw-pager" }),
    summary: h("div", { class: "nbw-summary", "aria-label": "Summary" }),
    help: h("div", { class: "nbw-muted nbw-keys", id: `${x.viewId}-keys` }),
  };
  const showError = (message) => {
    clear(parts.alert);
    if (message) parts.alert.append(h("span", {}, message));
  };
  function render() {
    renderToolbar(x, parts.toolbar);
    renderProgress(x, parts.progress);
    showError(x.get("error"));
    parts.notice.hidden = !x.get("notice");
    parts.notice.textContent = x.get("notice");
    renderPager(x, parts.pager);
    parts.summary.textContent = x.get("summary") ? `All pages so far: ${x.get("summary")}` : "";
    parts.help.textContent = x.compareOn() ? compareHelp(x.variantCount()) : keyHelp(x.kinds());
    clear(parts.judges);
    clear(parts.compareBox);
    if (x.compareOn()) renderCompareBar(x, parts.compareBox);
    else if (x.evaluators().length)
      append(
        parts.judges,
        judgeBar({
          viewId: x.viewId,
          filter: x.get("row_filter"),
          sortBy: x.get("sort_by"),
          evaluators: x.evaluators(),
          summary: x.get("judge_summary") ?? [],
          agreements: x.get("agreements") ?? [],
          onFilter: (value) => x.setView("row_filter", value),
          onSort: (value) => x.setView("sort_by", value),
        }),
      );
  }
  return {
    top: [parts.toolbar, parts.judges, parts.compareBox],
    status: [parts.progress, parts.alert, parts.notice],
    bottom: [parts.pager, parts.summary, parts.help],
    render,
    showError,
  };
}

function renderToolbar(x, toolbar) {
  const { get, viewId } = x;
  const running = get("running");
  const progress = get("progress") ?? {};
  const missing = (progress.rows ?? 0) - (progress.done ?? 0) - (progress.error ?? 0);
  const prefetch = h("input", { type: "checkbox", id: `${viewId}-prefetch`, checked: Boolean(get("prefetch")) });
  prefetch.addEventListener("change", () => x.set("prefetch", prefetch.checked));
  append(clear(toolbar), [
    h("span", { class: "nbw-title" }, get("dataset_name") || "Experiment"),
    h("span", { class: "nbw-badge" }, get("generator_label")),
    get("is_sandbox") ? h("span", { class: "nbw-badge nbw-sandbox", title: get("source_label") }, "Sandbox") : null,
    h("span", { class: "nbw-spacer" }),
    get("staged_count")
      ? [
          h("span", { class: "nbw-badge" }, `${get("staged_count")} staged`),
          get("version_save")?.state
            ? h("span", { role: "status" }, savingWords(get("version_save")))
            : h(
                "button",
                { type: "button", class: "nbw-primary", onclick: act("save_version", x) },
                "Save as new version",
              ),
        ]
      : null,
    running
      ? h("button", { type: "button", onclick: act("cancel", x) }, "Cancel")
      : missing > 0
        ? h("button", { type: "button", class: "nbw-primary", onclick: act("run", x) }, "Run")
        : null,
    undoButton(x, { words: "Undo", intent: "undo", can: get("can_undo"), label: get("undo_label") }),
    h("button", { type: "button", disabled: running, onclick: act("rerun", x) }, "Re-run page"),
    h("label", { for: `${viewId}-prefetch`, class: "nbw-check" }, prefetch, "Prefetch next page"),
  ]);
}

function renderProgress(x, line) {
  const running = x.get("running");
  const progress = x.get("progress") ?? {};
  clear(line);
  if (running) line.append(h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " ");
  line.append(x.get("loading") ? "Loading the page…" : progressText(progress, x.get("concurrency"), running));
  const bar = h("progress", {
    max: String(Math.max(1, progress.rows ?? 0)),
    value: String((progress.done ?? 0) + (progress.error ?? 0)),
    "aria-label": "Generated",
  });
  line.append(" ", bar);
}

function renderCompareBar(x, box) {
  const { get, viewId } = x;
  const mode = h(
    "select",
    { id: `${viewId}-diffmode`, "aria-label": "Diff" },
    diffModes(x.columnLabels()).map(([value, label]) =>
      h("option", { value, selected: value === x.ui.diffMode }, label),
    ),
  );
  mode.addEventListener("change", () => x.setDiffMode(mode.value));
  append(box, [
    comparisonTable(get("comparison_table"), {
      viewId,
      filter: get("compare_filter"),
      blind: get("blind"),
      onFilter: (value) => x.setView("compare_filter", value),
      onRevealAll: () => x.quietly(x.send(get("reveal_all") ? "hide" : "reveal", {})),
    }),
    h(
      "div",
      { class: "nbw-toolbar" },
      h("label", { for: `${viewId}-diffmode` }, "Diff (d)"),
      mode,
      undoButton(x, {
        words: "Undo preference",
        intent: "undo_preference",
        can: get("can_undo_preference"),
        label: get("preference_undo_label"),
      }),
    ),
  ]);
}

/** Undo (the last write) or Undo preference: its title and name say what it would take back. */
function undoButton(x, { words, intent, can, label }) {
  return h(
    "button",
    {
      type: "button",
      disabled: !can,
      title: can ? `${label} (z)` : intent === "undo" ? "Nothing to undo" : "No preference to undo",
      "aria-label": can ? label : words,
      dataset: { focusKey: intent.replace("_", "-") },
      onclick: () => x.quietly(x.send(intent)),
    },
    words,
  );
}

function renderPager(x, pager) {
  const { get } = x;
  const [number, size, total] = [get("page_number"), get("page_size"), get("total")];
  pager.replaceChildren(
    rangeLabel(number, size, (get("_rows") ?? []).length, total),
    h("span", { class: "nbw-spacer" }),
    ...turns({
      number,
      pages: pageCount(total, size),
      hasPrevious: get("has_previous"),
      hasNext: get("has_next"),
      flip: (by) => x.quietly(x.send("page", { to: by > 0 ? "next" : "prev" })),
    }),
  );
}
