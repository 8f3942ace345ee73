// EvaluatorForm's "Try it": run the saved version on a page of a dataset and show each verdict beside the
// text it graded; after a save the kernel runs the new version and marks the rows whose verdict changed.
import { clampedText } from "../shared/cells.js";
import { append, clear, h } from "../shared/dom.js";

/** "✓ 4", "✗ fail", "✓ correct" (the same words as the review's verdict chips). */
export function tryVerdictText(row) {
  if (row.state === "error") return "error";
  if (row.state === "skipped") return "–";
  const mark = row.passed === true ? "✓" : row.passed === false ? "✗" : "";
  const value = row.value;
  const shown =
    typeof value === "boolean" || value == null
      ? row.passed
        ? "pass"
        : "fail"
      : typeof value === "number" && !Number.isInteger(value)
        ? value.toFixed(2)
        : String(value);
  return `${mark} ${shown}`.trim();
}

/** The status line: what runs, or how the last run went. */
export function tryStatusText(status, rows) {
  const version = status.version ? `version ${status.version}` : "the saved version";
  if (status.state === "running") return `Running ${version} on ${status.limit ?? ""} rows…`.replace("  ", " ");
  if (status.state === "error") return status.message ?? "Try it failed";
  if (status.state !== "done") return "";
  const done = rows.filter((r) => r.state === "done");
  const passed = done.filter((r) => r.passed).length;
  let text = `${version[0].toUpperCase()}${version.slice(1)}: ${passed} of ${done.length} pass`;
  if (status.changed != null) text += ` · ${status.changed} changed since the version before`;
  if (status.failed) text += ` · ${status.failed} could not be judged`;
  return text;
}

/** Why Try it cannot run now (not saved, or the draft has unsaved edits), or "". */
function blockedWords(get) {
  if (!get("evaluator_id")) return "Save the evaluator first: Try it runs the saved version.";
  if (!get("dirty")) return "";
  const version = get("version") ? ` (${get("version")})` : "";
  return `Not saved yet: Try it runs the saved version${version}, not the draft. Save first to try your edits.`;
}

/** The dataset, what to grade, how many rows and which page: each kept in `local` as it is picked. */
function pickers(options, local, id) {
  const datasets = options.datasets ?? [];
  const dataset = h(
    "select",
    { id: id("dataset") },
    datasets.length ? null : h("option", { value: "" }, options.datasets ? "No dataset" : "Loading…"),
    datasets.map((d) => h("option", { value: d.id, selected: d.id === local.dataset }, d.name)),
  );
  dataset.addEventListener("change", () => {
    local.dataset = dataset.value;
  });
  const grade = h(
    "select",
    { id: id("grade") },
    h("option", { value: "", selected: !local.deployment }, "The expected outputs"),
    (options.deployments ?? []).map((key) =>
      h("option", { value: key, selected: key === local.deployment }, `Answers of ${key}`),
    ),
  );
  grade.addEventListener("change", () => {
    local.deployment = grade.value;
  });
  const limit = h("input", { id: id("limit"), type: "number", min: "1", max: "50", value: String(local.limit) });
  limit.addEventListener("input", () => {
    local.limit = Math.max(1, Math.min(50, Number.parseInt(limit.value, 10) || 10));
  });
  const page = h("input", { id: id("page"), type: "number", min: "1", value: String(local.page) });
  page.addEventListener("input", () => {
    local.page = Math.max(1, Number.parseInt(page.value, 10) || 1);
  });
  const labelled = (name, label, control) =>
    h("div", { class: "nbw-field" }, h("label", { for: id(name) }, label), control);
  return h(
    "div",
    { class: "nbw-grid3" },
    labelled("dataset", "Dataset", dataset),
    labelled("grade", "Grade", grade),
    labelled("limit", "Rows", limit),
    labelled("page", "Page", page),
  );
}

/** Render the panel into `container` from the kernel's traits; `local` keeps the view's own picks. */
export function renderTry(container, { get, request, viewId, local, onError }) {
  const options = get("try_options") ?? {};
  const status = get("try_status") ?? { state: "idle" };
  const rows = get("try_rows") ?? [];
  const datasets = options.datasets ?? [];
  if (!local.dataset && datasets.length) local.dataset = datasets[0].id;

  const details = h("details", { class: "nbw-try", open: local.open });
  details.addEventListener("toggle", () => {
    local.open = details.open;
    if (details.open && !options.datasets) request("try_options").catch(onError);
  });
  const id = (name) => `${viewId}-try-${name}`;
  const blocked = blockedWords(get);
  const run = h(
    "button",
    {
      type: "button",
      class: "nbw-primary",
      disabled: Boolean(blocked) || !local.dataset || status.state === "running",
      onclick: () =>
        request("try", {
          dataset_id: local.dataset,
          deployment: local.deployment || null,
          limit: local.limit,
          page: local.page,
        }).catch(onError),
    },
    "Run on these rows",
  );

  append(details, [
    h("summary", {}, "Try it on a dataset"),
    pickers(options, local, id),
    h("div", { class: "nbw-toolbar" }, run, blocked ? h("span", { class: "nbw-muted", role: "note" }, blocked) : null),
    h("div", { class: `nbw-try-status nbw-try-${status.state}`, role: "status" }, tryStatusText(status, rows)),
    rows.length ? resultsTable(rows, Boolean(status.deployment)) : null,
  ]);
  append(clear(container), [details]);
}

/** A row's verdict: its chip, and what it was before where a new version changed it. */
function verdictCell(row) {
  const tone = row.state === "done" ? (row.passed ? "pass" : "fail") : row.state;
  return h(
    "td",
    { class: "nbw-try-verdict" },
    h("span", { class: `nbw-verdict nbw-verdict-${tone}` }, tryVerdictText(row)),
    row.changed
      ? h(
          "div",
          { class: "nbw-badge nbw-changed" },
          `changed (was ${tryVerdictText({ state: "done", ...row.before })})`,
        )
      : null,
  );
}

function resultRow(row, withExpected) {
  return h(
    "tr",
    { class: row.changed ? "nbw-try-changed" : "", dataset: { id: row.datapoint_id, state: row.state } },
    h("td", {}, row.text == null ? h("span", { class: "nbw-muted" }, "—") : clampedText(row.text)),
    withExpected ? h("td", {}, clampedText(row.expected_output ?? "")) : null,
    verdictCell(row),
    h("td", {}, row.state === "error" || row.state === "skipped" ? row.error : (row.explanation ?? "")),
  );
}

function resultsTable(rows, withExpected) {
  return h(
    "table",
    { class: "nbw-try-table" },
    h(
      "tr",
      {},
      h("th", { scope: "col" }, "Graded text"),
      withExpected ? h("th", { scope: "col" }, "Expected output") : null,
      h("th", { scope: "col" }, "Verdict"),
      h("th", { scope: "col" }, "Explanation"),
    ),
    rows.map((row) => resultRow(row, withExpected)),
  );
}
