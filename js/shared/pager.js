// A pager's turns, shared by the grid's pager (grid/pager.js adds first, last, jumps and rows per page
// around them) and ExperimentReview's (by next and previous alone): the range shown, previous, the page
// (of how many where that is known), next.
import { h } from "./dom.js";
import { rangeText } from "./format.js";

/** "Rows 11–20 of 57". */
export const rangeLabel = (number, size, rowCount, total) =>
  h("span", { class: "nbw-muted" }, rangeText(number, size, rowCount, total));

/** ‹ Previous page, Page n (of m), Next page ›; `flip(-1 | 1)` turns the page. */
export function turns({ number, pages, hasPrevious, hasNext, flip }) {
  return [
    h("button", { type: "button", disabled: !hasPrevious, onclick: () => flip(-1) }, "‹ Previous page"),
    h("span", { class: "nbw-page" }, pages ? `Page ${number} of ${pages.toLocaleString()}` : `Page ${number}`),
    h("button", { type: "button", class: "nbw-next", disabled: !hasNext, onclick: () => flip(1) }, "Next page ›"),
  ];
}
