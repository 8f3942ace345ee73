// The pager: where the page is, and every way to another: first, previous, next, last and a page
// number where the service gives a count; back to any visited page and "go to datapoint id" where it
// pages by cursor; rows per page. Its turns (previous, the page, next) are shared/pager.js's.
import { h } from "../shared/dom.js";
import { rangeLabel, turns } from "../shared/pager.js";

const PAGE_SIZES = [10, 25, 50, 100, 200];
// a label and its control wrap together
const group = (...children) => h("span", { class: "nbw-pager-group" }, children);

export function renderPager(pager, ctx) {
  const { get, send, flip, rowCount, viewId } = ctx;
  const open = Boolean(get("dataset_id"));
  pager.hidden = !open;
  if (!open) return;
  const schema = get("schema") ?? {};
  const number = get("page_number");
  const pages = get("page_count");
  const sizes = [...new Set([...PAGE_SIZES.filter((n) => n <= (schema.max_page_size ?? 200)), get("page_size")])].sort(
    (x, y) => x - y,
  );
  const size = h(
    "select",
    { id: `${viewId}-size`, onchange: () => send("page_size", { size: Number(size.value) }) },
    sizes.map((n) => h("option", { value: String(n), selected: n === get("page_size") }, String(n))),
  );
  const range = rangeLabel(number, get("page_size"), rowCount, get("total"));
  const sizeGroup = group(h("label", { for: `${viewId}-size` }, "Rows per page"), size);
  if (number === 1 && !get("has_next") && !get("has_previous")) {
    // everything is on this one page (a short list shown as a grid): no page controls that could do
    // nothing; rows per page only where a smaller size would split the rows into pages
    const smallest = sizes[0];
    const rows = get("total") ?? rowCount;
    pager.replaceChildren(range, h("span", { class: "nbw-spacer" }), ...(rows > smallest ? [sizeGroup] : []));
    return;
  }
  const parts = [
    range,
    h("span", { class: "nbw-spacer" }),
    h("button", { type: "button", disabled: number <= 1, onclick: () => send("first") }, "« First page"),
    ...turns({ number, pages, hasPrevious: get("has_previous"), hasNext: get("has_next"), flip }),
  ];
  parts.push(...(pages && schema.paging === "number" ? numberJumps(pages, number, ctx) : cursorJumps(number, ctx)));
  parts.push(sizeGroup);
  pager.replaceChildren(...parts);
}

/** Paged by number: the last page, and a page number to go to. */
function numberJumps(pages, number, { send, viewId }) {
  const jump = h("input", {
    type: "number",
    id: `${viewId}-jump`,
    min: "1",
    max: String(pages),
    value: String(number),
    class: "nbw-jump",
  });
  const go = () => send("go_to_page", { number: Number(jump.value) });
  jump.addEventListener("keydown", (event) => event.key === "Enter" && go());
  return [
    h("button", { type: "button", disabled: number >= pages, onclick: () => send("last") }, "Last page »"),
    group(
      h("label", { for: `${viewId}-jump` }, "Go to page"),
      jump,
      h("button", { type: "button", onclick: go }, "Go"),
    ),
  ];
}

/** Paged by cursor: back to a page visited before, and a datapoint id to go to. */
function cursorJumps(number, { get, send, viewId }) {
  const parts = [];
  const known = get("known_pages") ?? [];
  if (known.length > 1) {
    const visited = h(
      "select",
      { id: `${viewId}-visited`, onchange: () => send("go_to_page", { number: Number(visited.value) }) },
      known.map((n) => h("option", { value: String(n), selected: n === number }, `Page ${n}`)),
    );
    parts.push(group(h("label", { for: `${viewId}-visited` }, "Back to"), visited));
  }
  const id = h("input", { type: "text", id: `${viewId}-goto`, class: "nbw-goto", placeholder: "01J…", size: "12" });
  const go = () => id.value.trim() && send("go_to_datapoint", { datapoint_id: id.value.trim() });
  id.addEventListener("keydown", (event) => event.key === "Enter" && go());
  parts.push(
    group(
      h("label", { for: `${viewId}-goto` }, "Datapoint id"),
      id,
      h("button", { type: "button", onclick: go }, "Go to datapoint"),
    ),
  );
  return parts;
}
