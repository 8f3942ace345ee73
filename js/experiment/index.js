// ExperimentReview front end: one row per datapoint with its output, the difference to the expected
// output and feedback controls; it renders the kernel's state and sends intents. Keyboard first.
import "../shared/theme.css";
import "../feedback/choices.css";
import "./experiment.css";
import { choiceButton } from "../feedback/choice-button.js";
import { choicesFor, isPicked, nextValue } from "../feedback/choices.js";
import { clampedText, keyValueCell, messagesCell, statusBadge } from "../shared/cells.js";
import { createRequester } from "../shared/comm.js";
import { diff, diffView, unchanged } from "../shared/diff.js";
import { append, clear, focusedIn, h, keepingFocus, newViewId } from "../shared/dom.js";
import { gridMove, handFocusToNotebook, isolateShortcuts, isSaveChord, saveChordText } from "../shared/keys.js";
import { createPending } from "../shared/pending.js";
import { coalesced } from "../shared/schedule.js";
import {
  COMPARE_CHROME,
  COMPARE_STATE,
  compareCells,
  compareHelp,
  compareKey,
  compareRows,
  comparisonTable,
  diffModes,
  pairOf,
} from "./compare.js";
import { judgeBar, verdictCell, visibleRows } from "./judging.js";
import {
  EXPECTED_STATUS,
  FEEDBACK_STATUS,
  keyAction,
  keyHelp,
  metadataText,
  outputText,
  progressText,
  RESTORE_STATUS,
  savingWords,
} from "./review.js";

const COLUMNS = [
  ["datapoint", "Datapoint"],
  ["expected", "Expected output"],
  ["output", "Output"],
  ["diff", "Difference"],
  ["feedback", "Feedback"],
];
const JUDGE_COLUMN = ["verdicts", "Judges"]; // with evaluators=, before the feedback
const STATE_NAMES = [
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
];
const CHROME_NAMES = [
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
];

function render({ model, el }) {
  // --- state -------------------------------------------------------------------------------
  const controller = new AbortController();
  const { signal } = controller;
  const { request, dispose } = createRequester(model);
  const viewId = newViewId("experiment");
  const get = (name) => model.get(name);
  const kinds = () => get("feedback_kinds") ?? [];
  let active = 0; // the active row of this page
  const anchor = { index: 0, id: null }; // the active row as last drawn: its place and its datapoint
  let editor = null; // the open correction: {id, area}
  const optimistic = new Map(); // "id property" -> value clicked, until the kernel's state arrives
  const openWhy = new Set(); // "id evaluator": the verdict explanations open in this view
  let addTo = null; // the open "Add to dataset…" form: {id, dataset, use}

  const evaluators = () => get("evaluators_info") ?? [];
  // variants=: the variants side by side (compare.js); the columns follow the first row's draw
  const variantCount = () => (get("variant_names") ?? []).length;
  const compareOn = () => variantCount() > 0;
  let diffMode = "0-1"; // the first two columns
  const columnLabels = () => {
    const n = variantCount();
    return get("blind")
      ? Array.from({ length: n }, (_, i) => (n === 2 ? ["Left", "Right"][i] : `Column ${i + 1}`))
      : get("variant_names");
  };
  const compareColumns = () => {
    const labels = columnLabels();
    return [
      COLUMNS[0],
      COLUMNS[1],
      ...labels.map((label, i) => [`variant nbw-x-side-${i}`, label]),
      ...(pairOf(diffMode) ? [["pairdiff", "Difference"]] : []),
      ["prefer", "Preference"],
    ];
  };
  const columns = () =>
    compareOn() ? compareColumns() : evaluators().length ? [...COLUMNS.slice(0, 4), JUDGE_COLUMN, COLUMNS[4]] : COLUMNS;
  // the page's rows as the judges' toolbar shows them: filtered and sorted (the keys step through these)
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
  const activeRow = () => rows()[active];

  function send(type, payload) {
    return request(type, payload).catch((error) => {
      showError(error.message);
      throw error;
    });
  }
  const quietly = (promise) => promise.catch(() => {}); // the error is on screen already

  // --- DOM -----------------------------------------------------------------------------------
  const toolbar = h("div", { class: "nbw-toolbar" });
  const judges = h("div", { class: "nbw-judges" });
  const compareBox = h("div", { class: "nbw-compare-box" });
  const pending = createPending({
    get: (name) => model.get(name),
    send: (type, payload) => request(type, payload).catch(() => null),
    viewId,
  });
  const progressLine = h("div", { class: "nbw-status nbw-progress", role: "status", "aria-live": "polite" });
  const alert = h("div", { class: "nbw-alert", role: "alert" });
  const notice = h("div", { class: "nbw-notice", role: "status", hidden: true });
  const grid = h("div", {
    class: "nbw-xgrid",
    role: "grid",
    tabindex: "0",
    "aria-label": "Experiment outputs",
    "aria-describedby": `${viewId}-keys`,
  });
  const footer = h("div", { class: "nbw-pager" });
  const help = h("div", { class: "nbw-muted nbw-keys", id: `${viewId}-keys` });
  const root = h(
    "div",
    { class: "nbw nbw-experiment" },
    toolbar,
    judges,
    compareBox,
    pending.element,
    progressLine,
    alert,
    notice,
    h("div", { class: "nbw-scroll" }, grid),
    footer,
    help,
  );
  isolateShortcuts(root, signal);
  el.append(root);

  function showError(message) {
    clear(alert);
    if (message) alert.append(h("span", {}, message));
  }

  // --- chrome: title, progress, run controls, pager ----------------------------------------------
  function renderChrome() {
    const running = get("running");
    const progress = get("progress") ?? {};
    const missing = (progress.rows ?? 0) - (progress.done ?? 0) - (progress.error ?? 0);
    const prefetch = h("input", { type: "checkbox", id: `${viewId}-prefetch`, checked: Boolean(get("prefetch")) });
    prefetch.addEventListener("change", () => {
      model.set("prefetch", prefetch.checked);
      model.save_changes();
    });
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
                  { type: "button", class: "nbw-primary", onclick: () => quietly(send("save_version")) },
                  "Save as new version",
                ),
          ]
        : null,
      running
        ? h("button", { type: "button", onclick: () => quietly(send("cancel")) }, "Cancel")
        : missing > 0
          ? h("button", { type: "button", class: "nbw-primary", onclick: () => quietly(send("run")) }, "Run")
          : null,
      h(
        "button",
        {
          type: "button",
          disabled: !get("can_undo"),
          title: get("can_undo") ? `${get("undo_label")} (z)` : "Nothing to undo",
          "aria-label": get("can_undo") ? get("undo_label") : "Undo",
          dataset: { focusKey: "undo" },
          onclick: () => quietly(send("undo")),
        },
        "Undo",
      ),
      h("button", { type: "button", disabled: running, onclick: () => quietly(send("rerun")) }, "Re-run page"),
      h("label", { for: `${viewId}-prefetch`, class: "nbw-check" }, prefetch, "Prefetch next page"),
    ]);

    clear(progressLine);
    if (running) progressLine.append(h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " ");
    progressLine.append(get("loading") ? "Loading the page…" : progressText(progress, get("concurrency"), running));
    const bar = h("progress", {
      max: String(Math.max(1, progress.rows ?? 0)),
      value: String((progress.done ?? 0) + (progress.error ?? 0)),
      "aria-label": "Generated",
    });
    progressLine.append(" ", bar);

    showError(get("error"));
    notice.hidden = !get("notice");
    notice.textContent = get("notice");

    const total = get("total");
    append(clear(footer), [
      h(
        "button",
        { type: "button", disabled: !get("has_previous"), onclick: () => quietly(send("page", { to: "prev" })) },
        "‹ Previous",
      ),
      h(
        "span",
        { class: "nbw-page" },
        `Page ${get("page_number")}${total != null ? ` of ${Math.max(1, Math.ceil(total / get("page_size")))}` : ""}`,
      ),
      h(
        "button",
        { type: "button", disabled: !get("has_next"), onclick: () => quietly(send("page", { to: "next" })) },
        "Next ›",
      ),
      h("span", { class: "nbw-spacer" }),
      h(
        "span",
        { class: "nbw-summary", "aria-label": "Summary" },
        get("summary") ? `All pages so far: ${get("summary")}` : "",
      ),
    ]);
    help.textContent = compareOn() ? compareHelp(variantCount()) : keyHelp(kinds());
    clear(judges);
    clear(compareBox);
    if (compareOn()) renderCompareChrome();
    else if (evaluators().length)
      append(
        judges,
        judgeBar({
          viewId,
          filter: get("row_filter"),
          sortBy: get("sort_by"),
          evaluators: evaluators(),
          summary: get("judge_summary") ?? [],
          agreements: get("agreements") ?? [],
          onFilter: (value) => setView("row_filter", value),
          onSort: (value) => setView("sort_by", value),
        }),
      );
  }

  function renderCompareChrome() {
    const mode = h(
      "select",
      { id: `${viewId}-diffmode`, "aria-label": "Diff" },
      diffModes(columnLabels()).map(([value, label]) => h("option", { value, selected: value === diffMode }, label)),
    );
    mode.addEventListener("change", () => setDiffMode(mode.value));
    append(compareBox, [
      comparisonTable(get("comparison_table"), {
        viewId,
        filter: get("compare_filter"),
        blind: get("blind"),
        onFilter: (value) => setView("compare_filter", value),
        onRevealAll: () => quietly(send(get("reveal_all") ? "hide" : "reveal", {})),
      }),
      h(
        "div",
        { class: "nbw-toolbar" },
        h("label", { for: `${viewId}-diffmode` }, "Diff (d)"),
        mode,
        h(
          "button",
          {
            type: "button",
            disabled: !get("can_undo_preference"),
            title: get("can_undo_preference") ? `${get("preference_undo_label")} (z)` : "No preference to undo",
            "aria-label": get("can_undo_preference") ? get("preference_undo_label") : "Undo preference",
            dataset: { focusKey: "undo-preference" },
            onclick: () => quietly(send("undo_preference")),
          },
          "Undo preference",
        ),
      ),
    ]);
  }

  function setDiffMode(value) {
    diffMode = value;
    scheduleChrome();
    scheduleRows();
  }

  function setView(name, value) {
    model.set(name, value); // the active row stays the same datapoint where the new view still shows it
    model.save_changes();
    scheduleRows();
  }

  // --- rows ------------------------------------------------------------------------------------
  function renderRows() {
    const list = rows();
    // sorted by a judge's score or filtered, rows move as verdicts and feedback arrive: the active row stays
    // the same datapoint (unless the keys or a click moved it since the last render)
    if (active === anchor.index && anchor.id) {
      const kept = list.findIndex((row) => row.id === anchor.id);
      if (kept >= 0) active = kept;
    }
    if (active >= list.length) active = Math.max(0, list.length - 1);
    anchor.index = active;
    anchor.id = list[active]?.id ?? null;
    const focused = focusedIn(root); // through marimo's shadow root too
    const hadFocus = focused !== null && focused !== grid;
    const addFocus = focused?.id?.startsWith(`${viewId}-addto-`) ? focused.id : null; // the Add to dataset form
    const editorFocused = editor && focused === editor.area;
    const selection = editorFocused ? [editor.area.selectionStart, editor.area.selectionEnd] : null;
    clear(grid);
    grid.classList.toggle("nbw-judged", evaluators().length > 0 && !compareOn());
    grid.classList.toggle("nbw-compare", compareOn());
    if (compareOn()) {
      const sides = `repeat(${variantCount()}, minmax(13em, 1.4fr))`;
      const pair = pairOf(diffMode) ? " minmax(13em, 1.3fr)" : "";
      grid.style.setProperty(
        "--nbw-compare-cols",
        `minmax(10em, 0.8fr) minmax(10em, 0.9fr) ${sides}${pair} minmax(10em, 0.8fr)`,
      );
    }
    grid.setAttribute("aria-rowcount", String(list.length + 1));
    grid.append(
      h(
        "div",
        { class: "nbw-xrow nbw-xhead", role: "row", "aria-rowindex": "1" },
        columns().map(([key, title]) => h("div", { class: `nbw-xcell nbw-x-${key}`, role: "columnheader" }, title)),
      ),
    );
    if (!list.length)
      grid.append(
        h(
          "div",
          { class: "nbw-empty", role: "row" },
          h(
            "div",
            { role: "gridcell" },
            get("loading")
              ? "Loading…"
              : get("_rows")?.length
                ? "No row of this page matches the filter"
                : "No datapoints",
          ),
        ),
      );
    list.forEach((row, index) => {
      grid.append(renderRow(row, index));
    });
    if (editor && !list.some((row) => row.id === editor.id)) editor = null;
    if (editorFocused && editor) {
      editor.area.focus();
      editor.area.setSelectionRange(...selection);
    } else if (addFocus && root.querySelector(`#${CSS.escape(addFocus)}`)) {
      root.querySelector(`#${CSS.escape(addFocus)}`).focus();
    } else if (hadFocus && !focusedIn(root)) {
      grid.focus(); // a re-render must not drop the keyboard out of the review
    }
  }

  function renderRow(row, index) {
    const generation = get("_generations")?.[row.id];
    const isActive = index === active;
    const variantCells = () =>
      compareCells(row, get("_columns")?.[row.id], {
        viewId,
        evaluators: evaluators(),
        diffMode,
        expected: row.expected_output,
        preference: get("_preferences")?.[row.id],
        preferenceOff: get("preference_off"),
        blind: get("blind"),
        revealAll: get("reveal_all"),
        onPrefer: (id, choice) => quietly(send("prefer", { datapoint_id: id, choice })),
        onReveal: (id, show) => quietly(send(show ? "reveal" : "hide", { datapoint_id: id })),
        onRetry: (cell, key) =>
          cell.name &&
          quietly(send("retry_variant_judge", { datapoint_id: row.id, variant: cell.name, evaluator: key })),
        isOpen: (name) => openWhy.has(name),
        onToggle: (name, open) => {
          if (open === openWhy.has(name)) return;
          if (open) openWhy.add(name);
          else openWhy.delete(name);
          scheduleRows();
        },
      });
    const node = h(
      "div",
      {
        class: `nbw-xrow${isActive ? " nbw-active" : ""}`,
        role: "row",
        "aria-rowindex": String(index + 2),
        "aria-selected": String(isActive),
        dataset: { id: row.id, state: generation?.state ?? "none" },
        onclick: () => {
          if (active !== index) {
            active = index;
            renderRows();
          }
        },
      },
      h("div", { class: "nbw-xcell nbw-x-datapoint", role: "gridcell" }, datapointCell(row)),
      h("div", { class: "nbw-xcell nbw-x-expected", role: "gridcell" }, expectedCell(row)),
      compareOn() ? variantCells() : compareRowRest(row, generation),
    );
    return node;
  }

  function compareRowRest(row, generation) {
    return [
      h("div", { class: "nbw-xcell nbw-x-output", role: "gridcell" }, outputCell(row, generation)),
      h("div", { class: "nbw-xcell nbw-x-diff", role: "gridcell" }, diffCell(row, generation)),
      evaluators().length
        ? h(
            "div",
            { class: "nbw-xcell nbw-x-verdicts", role: "gridcell" },
            verdictCell(row.id, get("_verdicts")?.[row.id], evaluators(), {
              onRetry: (id, key) => quietly(send("retry_judge", { datapoint_id: id, evaluator: key })),
              isOpen: (id, key) => openWhy.has(`${id} ${key}`),
              onToggle: (id, key, open) => {
                const name = `${id} ${key}`;
                if (open === openWhy.has(name)) return;
                if (open) openWhy.add(name);
                else openWhy.delete(name);
                scheduleRows();
              },
            }),
          )
        : null,
      h("div", { class: "nbw-xcell nbw-x-feedback", role: "gridcell" }, feedbackCell(row, generation)),
      // the correction opens across the whole row, under it: room to read and write
      editor?.id === row.id
        ? h("div", { class: "nbw-xcell nbw-x-correction", role: "gridcell" }, editorBox(row))
        : null,
    ];
  }

  function datapointCell(row) {
    const inputs = row.inputs ?? {};
    return [
      Object.keys(inputs).length ? keyValueCell(inputs) : null,
      row.messages?.length ? messagesCell(row.messages) : null,
      !Object.keys(inputs).length && !row.messages?.length ? h("span", { class: "nbw-muted" }, "—") : null,
    ];
  }

  function expectedCell(row) {
    const status = get("_expected")?.[row.id];
    const parts = [
      row.expected_output == null
        ? h("span", { class: "nbw-muted" }, "No expected output")
        : clampedText(row.expected_output),
    ];
    if (status) {
      const words = status.undo ? RESTORE_STATUS : EXPECTED_STATUS;
      const [badge, word] = words[status.state] ?? [status.state, status.state];
      const line = h(
        "div",
        { class: `nbw-wstate nbw-state-${status.state}`, role: "status" },
        statusBadge(badge, word),
      );
      if (status.message) line.append(": ", h("span", { class: "nbw-field-error" }, status.message));
      if ("replaced" in status && !status.undo && status.state !== "conflict") {
        // what it replaced: the old expected output against the output now used
        line.append(
          h(
            "div",
            { class: "nbw-muted nbw-replaced" },
            status.replaced == null ? "It had no expected output before." : "Replaced (old → new):",
          ),
          status.replaced == null
            ? null
            : diffView(status.replaced, status.value ?? "", { label: "What it replaced", empty: "Same text" }),
          h(
            "button",
            {
              type: "button",
              class: "nbw-link",
              title: "Write back the expected output it replaced (z undoes the last one on any row)",
              onclick: (event) => {
                event.stopPropagation();
                quietly(send("undo", { datapoint_id: row.id }));
              },
            },
            "Undo",
          ),
        );
      }
      if (status.state === "conflict") {
        line.append(
          h("div", { class: "nbw-muted" }, "Now on the server:"),
          clampedText(status.server_value ?? ""),
          h(
            "div",
            { class: "nbw-toolbar" },
            h(
              "button",
              { type: "button", onclick: () => quietly(send("resolve", { datapoint_id: row.id, keep: "mine" })) },
              "Keep mine",
            ),
            h(
              "button",
              { type: "button", onclick: () => quietly(send("resolve", { datapoint_id: row.id, keep: "theirs" })) },
              "Take theirs",
            ),
          ),
        );
      }
      if (status.state === "retrying")
        line.append(
          " ",
          h("button", { type: "button", class: "nbw-link", onclick: () => quietly(send("retry")) }, "Retry now"),
        );
      parts.push(line);
    }
    return parts;
  }

  function outputCell(row, generation) {
    if (!generation) return h("span", { class: "nbw-muted" }, "Not generated");
    const state = generation.state;
    const rerun = h(
      "button",
      {
        type: "button",
        class: "nbw-link",
        disabled: state === "queued" || state === "running",
        onclick: (event) => {
          event.stopPropagation();
          quietly(send("rerun", { datapoint_id: row.id }));
        },
      },
      "Re-run",
    );
    if (state === "queued" && !generation.runs) return h("span", { class: "nbw-muted" }, "Queued");
    if (state === "running" && !generation.output && !generation.error)
      return h(
        "span",
        { class: "nbw-muted" },
        h("span", { class: "nbw-spinner", "aria-hidden": "true" }),
        " Generating…",
      );
    const parts = [];
    if (state === "running" || state === "queued")
      parts.push(
        h("div", { class: "nbw-muted" }, h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " Re-running…"),
      );
    if (generation.error) {
      parts.push(h("div", { class: "nbw-row-error", role: "alert" }, generation.error));
    } else {
      parts.push(clampedText(outputText(generation.output), { mono: typeof generation.output !== "string" }));
    }
    const meta = metadataText(generation.metadata);
    const actions = h(
      "div",
      { class: "nbw-row-actions" },
      meta ? h("span", { class: "nbw-muted nbw-meta", title: meta }, meta) : null,
      generation.runs > 1 ? h("span", { class: "nbw-muted" }, `run ${generation.runs}`) : null,
      rerun,
      !generation.error && state === "done"
        ? h(
            "button",
            {
              type: "button",
              class: "nbw-link",
              onclick: (event) => {
                event.stopPropagation();
                quietly(send("use_expected", { datapoint_id: row.id }));
              },
            },
            "Use as expected",
          )
        : null,
      !generation.error && state === "done"
        ? h(
            "button",
            {
              type: "button",
              class: "nbw-link",
              id: `${viewId}-addto-open-${row.id}`,
              "aria-expanded": String(addTo?.id === row.id),
              onclick: (event) => {
                event.stopPropagation();
                addTo = addTo?.id === row.id ? null : { id: row.id, dataset: "", use: "output" };
                if (addTo && !(get("add_targets") ?? []).length) quietly(send("list_targets"));
                renderRows();
                if (addTo) root.querySelector(`#${CSS.escape(`${viewId}-addto-dataset`)}`)?.focus();
              },
            },
            "Add to dataset…",
          )
        : null,
    );
    parts.push(actions);
    if (addTo?.id === row.id) parts.push(addToForm(row));
    const added = get("_added")?.[row.id];
    if (added) parts.push(addedLine(added));
    return parts;
  }

  /** "Add to dataset…": which dataset, and which text becomes its expected output (the output or the correction). */
  function addToForm(row) {
    const targets = get("add_targets") ?? [];
    const choice = h(
      "select",
      { id: `${viewId}-addto-dataset`, "aria-label": "Dataset to add the row to" },
      h("option", { value: "", selected: !addTo.dataset }, targets.length ? "Choose a dataset…" : "Loading datasets…"),
      targets.map((t) => h("option", { value: t.id, selected: addTo.dataset === t.id }, t.name)),
    );
    choice.addEventListener("change", () => {
      addTo.dataset = choice.value;
    });
    const use = h(
      "select",
      { id: `${viewId}-addto-use`, "aria-label": "Expected output of the copy" },
      h("option", { value: "output", selected: addTo.use === "output" }, "its output"),
      h("option", { value: "correction", selected: addTo.use === "correction" }, "its correction"),
    );
    use.addEventListener("change", () => {
      addTo.use = use.value;
    });
    const add = h(
      "button",
      {
        type: "submit",
        id: `${viewId}-addto-add`,
        class: "nbw-primary",
      },
      "Add",
    );
    return h(
      "form",
      {
        class: "nbw-addto",
        "aria-label": "Add to dataset",
        onclick: (event) => event.stopPropagation(),
        onkeydown: (event) => {
          event.stopPropagation(); // the review's row keys stay out of the form
          if (event.key === "Escape") {
            event.preventDefault();
            addTo = null;
            renderRows();
            root.querySelector(`#${CSS.escape(`${viewId}-addto-open-${row.id}`)}`)?.focus();
          }
        },
        onsubmit: (event) => {
          event.preventDefault();
          if (!addTo.dataset) return showError("Choose the dataset to add the row to.");
          const { dataset, use: which } = addTo;
          addTo = null;
          quietly(send("add_to_dataset", { datapoint_id: row.id, dataset_id: dataset, use: which }));
          renderRows();
        },
      },
      h("span", {}, "Add this row's input to "),
      choice,
      h("span", {}, " with "),
      use,
      h("span", {}, " as the expected output "),
      add,
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            addTo = null;
            renderRows();
          },
        },
        "Cancel",
      ),
    );
  }

  function addedLine(added) {
    const name = (get("add_targets") ?? []).find((t) => t.id === added.dataset)?.name ?? added.dataset;
    const words = {
      pending: `Adding to ${name}…`,
      retrying: `Adding to ${name}… retrying (${added.message ?? "no answer"})`,
      saved: `Added to ${name} ✓`,
      failed: `Not added to ${name}: ${added.message ?? "refused"}`,
    };
    return h(
      "div",
      { class: `nbw-wstate nbw-state-${added.state}`, role: "status" },
      words[added.state] ?? added.state,
    );
  }

  function diffCell(row, generation) {
    if (generation?.state !== "done" || generation.error) return h("span", { class: "nbw-muted" }, "—");
    if (row.expected_output == null) return h("span", { class: "nbw-muted" }, "No expected output to compare");
    const output = outputText(generation.output);
    if (unchanged(diff(row.expected_output, output))) return h("span", { class: "nbw-match" }, "Matches ✓");
    return diffView(row.expected_output, output, {
      label: "Changes from the expected output to the output",
      names: { before: "expected output", after: "output" },
    });
  }

  // --- feedback ------------------------------------------------------------------------------
  function feedbackCell(row, generation) {
    if (get("feedback_off")) return h("span", { class: "nbw-muted" }, get("feedback_off"));
    if (generation?.state !== "done" || generation.error) {
      return h("span", { class: "nbw-muted" }, generation?.error ? "No output: nothing to judge" : "After the output");
    }
    if (!generation.trace_id) return h("span", { class: "nbw-muted nbw-off" }, generation.feedback_off);
    const given = get("_feedback")?.[row.id] ?? {};
    const earlier = get("_earlier")?.[row.id];
    return [
      earlier ? h("div", { class: "nbw-muted nbw-earlier" }, earlier) : null,
      ...kinds().map((kind) => feedbackControl(row, kind, given[kind.property], generation)),
    ];
  }

  function feedbackControl(row, kind, given, generation) {
    const key = `${row.id} ${kind.property}`;
    const shown = optimistic.has(key) ? optimistic.get(key) : given?.value;
    const group = h("div", { class: "nbw-fb", role: "group", "aria-label": kind.label });
    if (kind.kind !== "correction") group.append(h("span", { class: "nbw-fb-label" }, kind.label));
    if (kind.kind === "correction") {
      const open = editor?.id === row.id;
      group.append(
        h(
          "button",
          {
            type: "button",
            "aria-expanded": String(open),
            onclick: (event) => {
              event.stopPropagation();
              openEditor(row, generation);
            },
          },
          given ? "Edit correction" : "Correct",
        ),
      );
      if (given && !open) group.append(h("div", { class: "nbw-muted nbw-given" }, clampedText(String(given.value))));
      if (open) group.append(h("span", { class: "nbw-muted" }, "Correcting below the row"));
    } else {
      const choices = choicesFor(kind.kind, {
        options: kind.options,
        min: kind.score_min,
        max: kind.score_max,
        step: kind.score_step,
      });
      for (const choice of choices) {
        const pressed = isPicked(kind.kind, shown, choice.value);
        group.append(
          choiceButton(choice, {
            pressed,
            onPick: (event) => {
              event.stopPropagation();
              giveFeedback(row.id, kind, nextValue(kind.kind, shown, choice.value));
            },
          }),
        );
      }
    }
    if (given) {
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
          h("button", { type: "button", class: "nbw-link", onclick: () => quietly(send("retry")) }, "Retry now"),
        );
      group.append(status);
    }
    return group;
  }

  function giveFeedback(datapointId, kind, value) {
    const key = `${datapointId} ${kind.property}`;
    optimistic.set(key, value);
    renderRows();
    send("feedback", { datapoint_id: datapointId, property: kind.property, value })
      .catch(() => {})
      .finally(() => {
        optimistic.delete(key);
        scheduleRows();
      });
  }

  function openEditor(row, generation) {
    const fresh = editor?.id !== row.id;
    if (fresh) {
      const given = get("_feedback")?.[row.id]?.correction;
      const area = h("textarea", {
        rows: "6",
        id: `${viewId}-correction`,
        "aria-label": "Correction",
        "aria-describedby": `${viewId}-correction-hint`,
      });
      area.value = given?.value ?? outputText(generation.output);
      area.addEventListener("keydown", (event) => onEditorKey(event, row.id), { signal });
      editor = { id: row.id, area };
    }
    active = rows().findIndex((r) => r.id === row.id);
    renderRows();
    editor.area.focus();
    // the output (or the last correction) selected: typing replaces it, an arrow key starts editing it
    if (fresh) editor.area.select();
  }

  function editorBox(row) {
    return h(
      "div",
      { class: "nbw-correction" },
      editor.area,
      h(
        "div",
        { class: "nbw-toolbar" },
        h("button", { type: "button", class: "nbw-primary", onclick: () => sendCorrection(row.id) }, "Send correction"),
        h("button", { type: "button", onclick: () => closeEditor() }, "Close"),
        h("span", { class: "nbw-muted", id: `${viewId}-correction-hint` }, `${saveChordText()} sends · Esc closes`),
      ),
    );
  }

  function onEditorKey(event, datapointId) {
    if (isSaveChord(event)) {
      event.preventDefault();
      sendCorrection(datapointId);
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeEditor();
    }
  }

  function sendCorrection(datapointId) {
    const kind = kinds().find((k) => k.kind === "correction");
    const text = editor?.area.value ?? "";
    if (!kind || !text.trim()) return;
    closeEditor();
    giveFeedback(datapointId, kind, text);
  }

  function closeEditor() {
    editor = null;
    renderRows();
    grid.focus();
  }

  // --- keyboard --------------------------------------------------------------------------------
  function onCompareKey(event) {
    const action = compareKey(event, variantCount());
    const row = activeRow();
    if (!action) return false;
    event.preventDefault();
    if (action.type === "diff_mode") {
      const order = diffModes(columnLabels()).map(([value]) => value);
      setDiffMode(order[(order.indexOf(diffMode) + 1) % order.length]);
    } else if (action.type === "undo_preference") {
      if (get("can_undo_preference")) quietly(send("undo_preference"));
    } else if (action.type === "reveal_all") {
      quietly(send(get("reveal_all") ? "hide" : "reveal", {}));
    } else if (row && action.type === "reveal") {
      const shown = get("reveal_all") || (get("revealed") ?? []).includes(row.id);
      quietly(send(shown ? "hide" : "reveal", { datapoint_id: row.id }));
    } else if (row && action.type === "prefer") {
      quietly(send("prefer", { datapoint_id: row.id, choice: action.choice }));
    }
    return true;
  }

  grid.addEventListener(
    "keydown",
    (event) => {
      const tag = event.target.tagName;
      if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT") return;
      if (event.key === "Escape") {
        event.preventDefault();
        handFocusToNotebook(root);
        return;
      }
      if ((event.ctrlKey || event.metaKey) && event.key === "z") {
        event.preventDefault(); // as in the grid: Ctrl+Z undoes the last write of the widget
        if (compareOn()) {
          if (get("can_undo_preference")) quietly(send("undo_preference")); // comparing: the last preference
        } else if (get("can_undo")) quietly(send("undo"));
        return;
      }
      if (compareOn() && onCompareKey(event)) return;
      const action = keyAction(event, kinds());
      const row = activeRow();
      if (!action || !row) return;
      if (compareOn() && action.type !== "move" && action.type !== "rerun") return; // no single output to act on
      event.preventDefault();
      if (action.type === "move") {
        const to = gridMove({ row: active, col: 0 }, action.key, { rows: rows().length, cols: 1, page: 5 });
        if (to?.beyond === 1 && get("has_next")) return quietly(send("page", { to: "next" }));
        if (to?.beyond === -1 && get("has_previous")) return quietly(send("page", { to: "prev" }));
        active = to ? to.row : active;
        renderRows();
        grid.querySelector(".nbw-xrow.nbw-active")?.scrollIntoView?.({ block: "nearest" });
        return;
      }
      const generation = get("_generations")?.[row.id];
      if (action.type === "rerun") {
        quietly(send("rerun", { datapoint_id: row.id }));
      } else if (action.type === "use_expected") {
        quietly(send("use_expected", { datapoint_id: row.id }));
      } else if (action.type === "undo") {
        if (get("can_undo")) quietly(send("undo"));
      } else if (action.type === "correct") {
        if (generation?.state === "done" && generation.trace_id) openEditor(row, generation);
      } else if (action.type === "feedback") {
        const kind = kinds().find((k) => k.property === action.property);
        giveFeedback(row.id, kind, action.value);
      }
    },
    { signal },
  );

  // --- reactions -----------------------------------------------------------------------------
  const scheduleRows = coalesced(renderRows);
  // the toolbar and the pager are rebuilt whole: focus goes on to the rebuilt control ("Next ›" stays focused)
  const scheduleChrome = coalesced(() => keepingFocus(root, renderChrome));
  for (const name of [...STATE_NAMES, ...COMPARE_STATE]) model.on(`change:${name}`, scheduleRows);
  for (const name of [...CHROME_NAMES, ...COMPARE_CHROME]) model.on(`change:${name}`, scheduleChrome);
  const onPage = () => {
    active = 0;
    editor = null;
  };
  model.on("change:page_number", onPage);
  const onPending = () => keepingFocus(root, pending.render);
  model.on("change:pending_writes", onPending);
  renderChrome();
  renderRows();
  pending.render();

  return () => {
    controller.abort();
    dispose();
    for (const name of [...STATE_NAMES, ...COMPARE_STATE]) model.off(`change:${name}`, scheduleRows);
    for (const name of [...CHROME_NAMES, ...COMPARE_CHROME]) model.off(`change:${name}`, scheduleChrome);
    model.off("change:page_number", onPage);
    model.off("change:pending_writes", onPending);
    pending.dispose();
  };
}

export default { render };
