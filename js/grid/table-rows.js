// The table's elements, built from a page's entries and columns: the header row, a datapoint's row (tick,
// expand, number, its cells, its status) and the detail row under a row whose status needs words and actions.
import { h } from "../shared/dom.js";
import { fullTime } from "../shared/format.js";
import { cellContent, cellTitle, draftCell, statusContent, statusDetail } from "./cells.js";

/** The header row: "#", each column (resizable; draggable unless pinned), "Status". */
export function headRow(columns) {
  const th = (label, attrs = {}) => h("th", { role: "columnheader", scope: "col", tabindex: "-1", ...attrs }, label);
  return h(
    "tr",
    { role: "row", "aria-rowindex": "1" },
    th("#", { class: "nbw-num" }),
    columns.map((c) =>
      th([h("span", { class: "nbw-th-label" }, c.title), h("span", { class: "nbw-resize", "aria-hidden": "true" })], {
        class: `nbw-col-${c.key}${c.pinned ? " nbw-pinned" : ""}`,
        draggable: c.pinned ? null : "true",
        dataset: { key: c.key },
      }),
    ),
    th("Status", { class: "nbw-state" }),
  );
}

/** The row's first cell: its tick box, its expand button and its number. */
function numberCell(entry, number, { ticked, expanded }) {
  return h(
    "td",
    { role: "gridcell", class: "nbw-num", tabindex: "-1" },
    h("input", {
      type: "checkbox",
      class: "nbw-tick",
      tabindex: "-1",
      checked: ticked,
      "aria-label": `Select row ${number}`,
      dataset: { id: entry.id },
    }),
    h(
      "button",
      {
        type: "button",
        class: "nbw-expand",
        tabindex: "-1",
        "aria-expanded": String(expanded),
        "aria-label": `${expanded ? "Collapse" : "Expand"} row ${number}`,
        dataset: { action: "expand", id: entry.id },
      },
      expanded ? "▾" : "▸",
    ),
    String(number),
  );
}

function dataCell(c, entry, expanded) {
  const drafted = c.key in entry.draft;
  return h(
    "td",
    {
      role: "gridcell",
      tabindex: "-1",
      class: `nbw-col-${c.key}${c.pinned ? " nbw-pinned" : ""}${c.editable ? " nbw-editable" : ""}${
        drafted ? " nbw-has-draft" : ""
      }`,
      dataset: { key: c.key },
      // a one-line cell clips its text: the whole text on hover, without expanding the row
      title: expanded ? null : cellTitle(c, entry.shown),
    },
    drafted
      ? draftCell(c, { ...entry.base, ...entry.patch }[c.key], entry.shown[c.key], { expanded })
      : h("div", { class: "nbw-cell" }, cellContent(c, entry.shown)),
  );
}

function stateCell(status) {
  return h(
    "td",
    {
      role: "gridcell",
      tabindex: "-1",
      class: `nbw-state${status ? ` nbw-state-${status.state}` : ""}`,
      title: status?.state === "saved" && status.updated ? `Saved ${fullTime(status.updated)}` : null,
    },
    statusContent(status),
  );
}

/** The <tr> of `entry`, the `index`th of the page `view` (offset, selectedId, expanded, ticked, removed). */
export function buildRow(entry, index, view, columns) {
  const number = view.offset + index + 1;
  const expanded = view.expanded.has(entry.id);
  const ticked = Boolean(view.ticked?.has(entry.id));
  const classes = [
    entry.id === view.selectedId ? "nbw-active" : "",
    Object.keys(entry.draft).length ? "nbw-draft" : "",
    expanded ? "nbw-expanded" : "",
    ticked ? "nbw-ticked" : "",
    view.removed?.has(entry.id) ? "nbw-removed" : "",
  ];
  return h(
    "tr",
    {
      role: "row",
      "aria-rowindex": String(number + 1),
      "aria-selected": String(entry.id === view.selectedId),
      class: classes.join(" ").trim(),
      dataset: { id: entry.id },
    },
    numberCell(entry, number, { ticked, expanded }),
    columns.map((c) => dataCell(c, entry, expanded)),
    stateCell(entry.status),
  );
}

/** The full-width row under a row whose status needs its reason and actions (a conflict, a failure). */
export function buildDetail(entry, columns) {
  const content = statusDetail(entry.id, entry.status, {
    titleOf: (key) => columns.find((c) => c.key === key)?.title ?? key,
  });
  if (!content) return null;
  return h(
    "tr",
    { class: "nbw-detail-row", dataset: { for: entry.id } },
    h("td", { colspan: String(columns.length + 2) }, content),
  );
}
