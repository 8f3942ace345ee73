// ExperimentReview with variants=: the variants' outputs side by side (Left/Right while blind), a word diff
// between two columns or each against the expected output, verdicts, latency and tokens; preferences by key;
// the comparison table above the rows and a filter over rows where the variants differ. Text is shown as
// text (the shared diff renderer and text nodes only).
import { clampedText } from "../shared/cells.js";
import { diff, diffView, unchanged } from "../shared/diff.js";
import { h } from "../shared/dom.js";
import { verdictCell } from "./judging.js";
import { outputText } from "./review.js";

export const COMPARE_FILTERS = [
  ["all", "All rows"],
  ["differ", "Verdicts differ"],
  ["differ_text", "Texts differ"],
  ["disagree", "Judges and you disagree"],
];
/** The diff's choices over columns labelled `labels`: each pair of columns ("0-1": the first two), each
 * column against the expected output, or none. */
export function diffModes(labels) {
  const pairs = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) pairs.push([`${i}-${j}`, `${labels[i]} → ${labels[j]}`]);
  return [...pairs, ["expected", "Each against the expected output"], ["off", "No diff"]];
}

/** The two columns a pair mode compares ([0, 1] for "0-1"), or null for another mode. */
export function pairOf(mode) {
  const found = /^(\d+)-(\d+)$/.exec(mode ?? "");
  return found ? [Number(found[1]), Number(found[2])] : null;
}
export const COMPARE_STATE = [
  "_columns",
  "_preferences",
  "_compare_flags",
  "compare_filter",
  "revealed",
  "reveal_all",
  "preference_off",
  "variant_names",
];
export const COMPARE_CHROME = [
  "comparison_table",
  "can_undo_preference",
  "preference_undo_label",
  "reveal_all",
  "blind",
];

/** The key's action in compare mode, or null: 1..4 that column better, t tie, b both bad, v reveal (toggle). */
export function compareKey(event, columns) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const digit = /^Digit[1-4]$/.test(event.code ?? "") ? Number(event.code.slice(5)) : Number.NaN;
  if (!Number.isNaN(digit) && !event.shiftKey) return digit <= columns ? { type: "prefer", choice: digit - 1 } : null;
  switch (event.key) {
    case "t":
      return { type: "prefer", choice: "tie" };
    case "b":
      return { type: "prefer", choice: "neither" };
    case "z":
      return { type: "undo_preference" };
    case "v":
      return { type: "reveal" };
    case "V":
      return { type: "reveal_all" };
    case "d":
      return { type: "diff_mode" };
    default:
      return null;
  }
}

export function compareHelp(columns) {
  const sides = columns === 2 ? "1 left better · 2 right better" : `1–${columns} that column better`;
  return [
    "j/k or ↑/↓ move",
    sides,
    "t tie",
    "b both bad",
    "z or Ctrl+Z undo the last preference",
    "v reveal the row's names (again: hide)",
    "Shift+V reveal all (again: hide)",
    "d diff mode",
    "r re-run",
    "Esc back to the notebook",
  ].join(" · ");
}

/** The rows the compare filter lets through (the keys step through these). */
export function compareRows(rows, filter, flags) {
  if (!filter || filter === "all") return rows;
  return rows.filter((row) => flags?.[row.id]?.[filter]);
}

/** What a preference says on screen, with the side it names ("Left better", "Tie", "Both bad"). */
export function preferenceText(value, cells) {
  if (value === "tie") return "Tie";
  if (value === "neither") return "Both bad";
  const cell = cells?.[value];
  if (!cell) return "";
  return `${cell.name ? `${cell.label === cell.name ? "" : `${cell.label}: `}${cell.name}` : cell.label} better`;
}

function pct(value) {
  return value == null ? "—" : `${Math.round(value * 100)}%`;
}

/** The comparison table above the rows (per-variant figures only once the names are revealed). */
export function comparisonTable(table, { viewId, filter, onFilter, onRevealAll, blind }) {
  if (!table || table.n == null) return null;
  const select = h(
    "select",
    { id: `${viewId}-cfilter`, "aria-label": "Show rows" },
    COMPARE_FILTERS.map(([value, label]) => {
      const count = value === "all" ? "" : ` (${table[value] ?? 0})`;
      return h("option", { value, selected: value === filter }, `${label}${count}`);
    }),
  );
  select.addEventListener("change", () => onFilter(select.value));
  const head = h(
    "div",
    { class: "nbw-toolbar nbw-comparebar" },
    h("label", { for: `${viewId}-cfilter` }, "Show"),
    select,
    h(
      "span",
      { class: "nbw-badge", role: "status" },
      `${table.n} compared · ${table.ties} tie${table.ties === 1 ? "" : "s"} · ${table.both_bad} both bad`,
    ),
    h("span", { class: "nbw-spacer" }),
    blind
      ? h(
          "button",
          { type: "button", onclick: onRevealAll, dataset: { focusKey: "reveal-all" } },
          table.hidden ? "Reveal all names (Shift+V)" : "Hide names (Shift+V)",
        )
      : null,
  );
  if (table.hidden)
    return [
      head,
      h(
        "div",
        { class: "nbw-muted nbw-compare-note" },
        "Wins and pass rates per variant are shown once the names are revealed.",
      ),
    ];
  const keys = table.evaluators ?? [];
  const grid = h(
    "table",
    { class: "nbw-compare-table", "aria-label": "Comparison" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Variant"),
        h("th", { scope: "col" }, "Wins"),
        h("th", { scope: "col" }, "Win rate (95%)"),
        keys.map((key) => h("th", { scope: "col" }, `${key} pass · mean`)),
      ),
    ),
    h(
      "tbody",
      {},
      table.variants.map((v) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, v.name),
          h("td", {}, String(v.wins)),
          h(
            "td",
            {},
            v.win_rate[0] == null ? "—" : `${pct(v.win_rate[0])} (${pct(v.win_rate[1])}–${pct(v.win_rate[2])})`,
          ),
          keys.map((key) =>
            h("td", {}, `${pct(v.pass_rates[key])}${v.means[key] == null ? "" : ` · ${v.means[key].toFixed(2)}`}`),
          ),
        ),
      ),
    ),
  );
  return [head, grid];
}

function metaText(metadata) {
  const parts = [];
  if (metadata?.latency_ms != null) parts.push(`${Math.round(metadata.latency_ms)} ms`);
  if (metadata?.tokens != null) parts.push(`${metadata.tokens} tokens`);
  return parts.join(" · ");
}

/**
 * The compare cells of one row: a column per variant (in the order drawn), the diff across the row, the
 * preference. `ctx`: {viewId, evaluators, diffMode, expected, preference, preferenceOff, onPrefer, onReveal,
 * onRetry, isOpen, onToggle}.
 */
export function compareCells(row, cells, ctx) {
  const list = cells ?? [];
  return [
    ...list.map((cell, index) => variantCell(row, cell, index, ctx)),
    pairDiffCell(list, ctx),
    preferenceCell(row, list, ctx),
  ];
}

const variantTitle = (cell) => (cell.name && cell.name !== cell.label ? `${cell.label}: ${cell.name}` : cell.label);

/** One variant's column: its output (or its diff against the expected output), its verdicts and figures. */
function variantCell(row, cell, index, ctx) {
  const generation = cell.generation;
  const title = variantTitle(cell);
  const done = generation?.state === "done";
  return h(
    "div",
    {
      class: "nbw-xcell nbw-x-variant",
      role: "gridcell",
      dataset: { side: String(index), state: generation?.state ?? "none" },
      "aria-label": title,
    },
    h("div", { class: "nbw-variant-title" }, title),
    variantBody(generation, title, ctx),
    ctx.evaluators.length && done
      ? h(
          "div",
          { class: "nbw-variant-verdicts" },
          verdictCell(`${row.id}-${index}`, cell.verdicts, ctx.evaluators, {
            onRetry: (_, key) => ctx.onRetry(cell, key),
            isOpen: (_, key) => ctx.isOpen(`${row.id} ${index} ${key}`),
            onToggle: (_, key, open) => ctx.onToggle(`${row.id} ${index} ${key}`, open),
          }),
        )
      : null,
    done ? h("div", { class: "nbw-muted nbw-variant-meta" }, metaText(generation.metadata)) : null,
  );
}

function variantBody(generation, title, ctx) {
  if (!generation || generation.state === "queued") return h("span", { class: "nbw-muted" }, "Queued");
  if (generation.state === "running") return h("span", { class: "nbw-muted" }, "Generating…");
  if (generation.state === "error") return h("span", { class: "nbw-error-text" }, generation.error ?? "Failed");
  const output = outputText(generation.output);
  if (ctx.diffMode !== "expected" || ctx.expected == null) return clampedText(output);
  return unchanged(diff(ctx.expected, output))
    ? h("span", { class: "nbw-match" }, "Matches the expected output ✓")
    : diffView(ctx.expected, output, {
        label: `Changes from the expected output to ${title}`,
        names: { before: "expected output", after: title },
      });
}

/** The diff between the two columns the diff mode names, across the row; null when it names none. */
function pairDiffCell(list, ctx) {
  const pair = pairOf(ctx.diffMode);
  if (!pair || !list[pair[0]] || !list[pair[1]]) return null;
  const [a, b] = [list[pair[0]], list[pair[1]]];
  const done = a.generation?.state === "done" && b.generation?.state === "done";
  const [nameA, nameB] = [a, b].map((c) => (c.name && c.name !== c.label ? `${c.label} (${c.name})` : c.label));
  const before = done ? outputText(a.generation.output) : "";
  const after = done ? outputText(b.generation.output) : "";
  return h(
    "div",
    { class: "nbw-xcell nbw-x-pairdiff", role: "gridcell" },
    h("div", { class: "nbw-variant-title" }, `Difference ${nameA} → ${nameB}`),
    !done
      ? h("span", { class: "nbw-muted" }, "—")
      : unchanged(diff(before, after))
        ? h("span", { class: "nbw-match" }, "The same text ✓")
        : diffView(before, after, {
            label: `Changes from ${nameA} to ${nameB}`,
            names: { before: nameA, after: nameB },
          }),
  );
}

function preferenceCell(row, cells, ctx) {
  if (ctx.preferenceOff)
    return h(
      "div",
      { class: "nbw-xcell nbw-x-prefer", role: "gridcell" },
      h("span", { class: "nbw-muted" }, ctx.preferenceOff),
    );
  const ready = cells.length > 0 && cells.every((c) => c.generation?.state === "done");
  const given = ctx.preference;
  const choices = [
    ...cells.map((cell, index) => [
      index,
      `${cells.length === 2 ? cell.label : `Column ${index + 1}`} better`,
      String(index + 1),
    ]),
    ["tie", "Tie", "t"],
    ["neither", "Both bad", "b"],
  ];
  const buttons = choices.map(([value, label, key]) =>
    h(
      "button",
      {
        type: "button",
        class: "nbw-choice",
        id: `${ctx.viewId}-prefer-${row.id}-${value}`,
        disabled: !ready,
        "aria-pressed": String(given?.value === value),
        title: `${label} (${key})`,
        onclick: (event) => {
          event.stopPropagation();
          ctx.onPrefer(row.id, value);
        },
      },
      label,
    ),
  );
  return h(
    "div",
    { class: "nbw-xcell nbw-x-prefer", role: "gridcell" },
    h("div", { class: "nbw-choices", role: "group", "aria-label": "Which is better?" }, buttons),
    given
      ? h("div", { class: "nbw-preference", role: "status" }, `Preferred: ${preferenceText(given.value, cells)}`)
      : null,
    preferenceState(given),
    revealButton(row, cells, ctx),
  );
}

/** A preference not through yet: saving, retrying, or why it failed. */
function preferenceState(given) {
  if (!given || given.state === "sent") return null;
  const words = { pending: "Saving…", retrying: `Retrying: ${given.message}` }[given.state] ?? given.message;
  return h("span", { class: `nbw-wstate nbw-state-${given.state}`, role: "status" }, words);
}

/** Reveal names (v) while a column's variant is hidden; Hide names (v) once shown in a blind review. */
function revealButton(row, cells, ctx) {
  const revealing = (show, label) =>
    h(
      "button",
      {
        type: "button",
        class: "nbw-link",
        onclick: (event) => {
          event.stopPropagation();
          ctx.onReveal(row.id, show);
        },
      },
      label,
    );
  if (cells.length && cells.some((c) => c.name == null)) return revealing(true, "Reveal names (v)");
  return ctx.blind && cells.length && !ctx.revealAll ? revealing(false, "Hide names (v)") : null;
}
