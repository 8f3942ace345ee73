// ExperimentReview's rows, keyed as the grid's are (shared/keyed.js): a change rebuilds only the rows it
// touches (a generation streaming into row 3 leaves rows 1-2 and their focus alone); moving the active
// row only moves a class. A rebuilt row that had focus gives it to its own new control of the same name.
// `x` is the review (index.js).

import { focusedIn, focusKey, h } from "../shared/dom.js";
import { planRows } from "../shared/keyed.js";
import { datapointCell, diffCell, expectedCell, outputCell } from "./cells.js";
import { compareCells } from "./compare.js";
import { editorBox, feedbackCell } from "./feedback-cell.js";
import { verdictCell } from "./judging.js";

const cell = (key, ...content) => h("div", { class: `nbw-xcell nbw-x-${key}`, role: "gridcell" }, ...content);

/** Everything every row's look depends on besides its own data: when it changes, every row is built again. */
function shapeOf(x) {
  const get = x.get;
  const compare = x.compareOn() ? [get("blind"), get("reveal_all"), get("preference_off"), x.ui.diffMode] : null;
  return JSON.stringify([x.columns(), x.kinds(), x.evaluators(), get("feedback_off"), compare]);
}

/** One row's own look, besides its datapoint (the base, compared apart): what the kernel and this view hold for it. */
export function rowSignature(x, id) {
  const { get, ui } = x;
  const mine = ([key]) => key.startsWith(`${id} `);
  const adding = ui.addTo?.id === id;
  const added = get("_added")?.[id];
  return JSON.stringify([
    get("_generations")?.[id],
    get("_feedback")?.[id],
    get("_earlier")?.[id],
    get("_expected")?.[id],
    get("_verdicts")?.[id],
    added,
    adding || added ? get("add_targets") : null,
    adding,
    ui.editor?.id === id,
    [...ui.optimistic].filter(mine),
    [...ui.openWhy].map((name) => [name]).filter(mine),
    x.compareOn() ? [get("_columns")?.[id], get("_preferences")?.[id], (get("revealed") ?? []).includes(id)] : null,
  ]);
}

export function createRows(x) {
  const grid = x.grid;
  let shape = null;
  let records = new Map(); // id -> what the row was built from (planRows)
  const elements = new Map(); // id -> the row's element
  let order = [];
  let head = null;

  function buildRow(row, index) {
    const generation = x.get("_generations")?.[row.id];
    return h(
      "div",
      {
        class: "nbw-xrow",
        role: "row",
        "aria-rowindex": String(index + 2),
        dataset: { id: row.id, state: generation?.state ?? "none" },
        onclick: () => {
          const at = order.indexOf(row.id);
          if (x.ui.active !== at) {
            x.ui.active = at;
            render();
          }
        },
      },
      cell("datapoint", datapointCell(row)),
      cell("expected", expectedCell(x, row)),
      x.compareOn() ? compareRest(row) : reviewRest(row, generation),
    );
  }

  function compareRest(row) {
    return compareCells(row, x.get("_columns")?.[row.id], {
      viewId: x.viewId,
      evaluators: x.evaluators(),
      diffMode: x.ui.diffMode,
      expected: row.expected_output,
      preference: x.get("_preferences")?.[row.id],
      preferenceOff: x.get("preference_off"),
      blind: x.get("blind"),
      revealAll: x.get("reveal_all"),
      onPrefer: (id, choice) => x.quietly(x.send("prefer", { datapoint_id: id, choice })),
      onReveal: (id, show) => x.quietly(x.send(show ? "reveal" : "hide", { datapoint_id: id })),
      onRetry: (variant, key) =>
        variant.name &&
        x.quietly(x.send("retry_variant_judge", { datapoint_id: row.id, variant: variant.name, evaluator: key })),
      isOpen: (name) => x.ui.openWhy.has(name),
      onToggle: toggleWhy,
    });
  }

  function reviewRest(row, generation) {
    return [
      cell("output", outputCell(x, row, generation)),
      cell("diff", diffCell(row, generation)),
      x.evaluators().length
        ? cell(
            "verdicts",
            verdictCell(row.id, x.get("_verdicts")?.[row.id], x.evaluators(), {
              onRetry: (id, key) => x.quietly(x.send("retry_judge", { datapoint_id: id, evaluator: key })),
              isOpen: (id, key) => x.ui.openWhy.has(`${id} ${key}`),
              onToggle: (id, key, open) => toggleWhy(`${id} ${key}`, open),
            }),
          )
        : null,
      cell("feedback", feedbackCell(x, row, generation)),
      // the correction opens across the whole row, under it: room to read and write
      x.ui.editor?.id === row.id ? cell("correction", editorBox(x, row)) : null,
    ];
  }

  function toggleWhy(name, open) {
    if (open === x.ui.openWhy.has(name)) return;
    if (open) x.ui.openWhy.add(name);
    else x.ui.openWhy.delete(name);
    x.schedule();
  }

  function buildHead() {
    const compare = x.compareOn();
    grid.classList.toggle("nbw-judged", x.evaluators().length > 0 && !compare);
    grid.classList.toggle("nbw-compare", compare);
    if (compare) {
      const sides = `repeat(${x.variantCount()}, minmax(13em, 1.4fr))`;
      const pair = x.columns().some(([key]) => key === "pairdiff") ? " minmax(13em, 1.3fr)" : "";
      grid.style.setProperty(
        "--nbw-compare-cols",
        `minmax(10em, 0.8fr) minmax(10em, 0.9fr) ${sides}${pair} minmax(10em, 0.8fr)`,
      );
    }
    return h(
      "div",
      { class: "nbw-xrow nbw-xhead", role: "row", "aria-rowindex": "1" },
      x.columns().map(([key, title]) => h("div", { class: `nbw-xcell nbw-x-${key}`, role: "columnheader" }, title)),
    );
  }

  function emptyRow() {
    const words = x.get("loading")
      ? "Loading…"
      : x.get("_rows")?.length
        ? "No row of this page matches the filter"
        : "No datapoints";
    return h("div", { class: "nbw-empty", role: "row" }, h("div", { role: "gridcell" }, words));
  }

  /** The active row stays the same datapoint as rows move (sorted by a judge's score, filtered) unless the keys or a click moved it. */
  function settleActive(list) {
    const ui = x.ui;
    if (ui.active === ui.anchor.index && ui.anchor.id) {
      const kept = list.findIndex((row) => row.id === ui.anchor.id);
      if (kept >= 0) ui.active = kept;
    }
    if (ui.active >= list.length) ui.active = Math.max(0, list.length - 1);
    ui.anchor.index = ui.active;
    ui.anchor.id = list[ui.active]?.id ?? null;
  }

  /** Builds the rows the plan says changed: in place where the order stands, else the grid's children anew. */
  function place(list, plan) {
    const sameOrder =
      head.parentNode === grid &&
      plan.drop.length === 0 &&
      plan.order.length === order.length &&
      plan.order.every((id, i) => id === order[i]);
    const toBuild = new Set(plan.build);
    list.forEach((row, index) => {
      if (!toBuild.has(row.id)) return;
      const fresh = buildRow(row, index);
      if (sameOrder) elements.get(row.id).replaceWith(fresh);
      elements.set(row.id, fresh);
    });
    for (const id of plan.drop) elements.delete(id);
    if (!sameOrder || !list.length)
      grid.replaceChildren(head, ...(list.length ? plan.order.map((id) => elements.get(id)) : [emptyRow()]));
  }

  /** Show the page's rows as the model and the view now hold them; returns the ids built. */
  function render() {
    const list = x.rows();
    settleActive(list);
    if (x.ui.editor && !list.some((row) => row.id === x.ui.editor.id)) x.ui.editor = null;
    const focus = focusState(x.root);
    const nextShape = shapeOf(x);
    if (nextShape !== shape) {
      shape = nextShape;
      records = new Map();
      head = buildHead();
    }
    const plan = planRows(
      records,
      list.map((row) => ({ id: row.id, base: row })),
      (entry) => rowSignature(x, entry.id),
    );
    place(list, plan);
    records = plan.records;
    order = plan.order;
    grid.setAttribute("aria-rowcount", String(list.length + 1));
    order.forEach((id, index) => {
      const node = elements.get(id);
      node.classList.toggle("nbw-active", index === x.ui.active);
      node.setAttribute("aria-selected", String(index === x.ui.active));
    });
    restoreFocus(focus);
    return plan.build;
  }

  function restoreFocus({ node, rowId, selection }) {
    if (!node || node === grid || focusedIn(x.root)) return;
    if (x.root.contains(node))
      node.focus({ preventScroll: true }); // kept, or reused (the correction's box)
    else {
      const key = focusKey(node);
      const twin = rowId && [...below(elements.get(rowId))].find((n) => focusKey(n) === key && isFocusable(n));
      twin?.focus({ preventScroll: true });
    }
    const now = focusedIn(x.root);
    if (now && selection && now.setSelectionRange) now.setSelectionRange(...selection);
    if (!now) grid.focus(); // a re-render must not drop the keyboard out of the review
  }

  return { render };
}

function focusState(root) {
  const node = focusedIn(root); // through marimo's shadow root too
  const rowId = node?.closest?.(".nbw-xrow")?.dataset?.id ?? null;
  const selection = node && "selectionStart" in node ? [node.selectionStart, node.selectionEnd] : null;
  return { node, rowId, selection };
}

const FOCUSABLE = new Set(["BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY", "A"]);
const isFocusable = (node) =>
  (FOCUSABLE.has(node.tagName) || node.hasAttribute("tabindex")) && !node.hasAttribute("disabled");

function* below(node) {
  if (!node) return;
  for (const child of node.children) {
    yield child;
    yield* below(child);
  }
}
