// Find's bar above the grid's table: a find's progress over the dataset, its hits a batch at a time (each
// opens its row's page), Cancel / Close / Find further; or the server search's summary.
import { h } from "../shared/dom.js";

export const HITS_BATCH = 10;

const count = (n) => Number(n ?? 0).toLocaleString("en-US");

/** How far a find has read: "37% · 37,000 of 100,000 rows" where the total is known, else "37,000 rows". */
export function findProgress(find) {
  const rows = Number(find.rows ?? 0);
  const total = find.total;
  if (total == null || total <= 0) return `${count(rows)} row${rows === 1 ? "" : "s"}`;
  const share = Math.min(100, Math.floor((100 * rows) / total));
  return `${share}% · ${count(Math.min(rows, total))} of ${count(total)} rows`;
}

/** Find's summary line, in words. */
export function findLine(find) {
  const hits = find.hits ?? [];
  const what = find.by_id ? `datapoint ${find.query}` : `“${find.query}”`;
  const found = `${count(hits.length)} found`;
  if (find.error) return `Find ${what}: ${find.error}`;
  if (find.running) return `Finding ${what}: ${findProgress(find)}, ${found} so far…`;
  if (find.cancelled) return `Find ${what} cancelled after ${findProgress(find)}: ${found}.`;
  if (find.complete) {
    const from = find.start_page > 1 ? `, from page ${find.start_page} round to it` : "";
    return `Find ${what}: ${found} in the whole dataset (${count(find.rows)} rows${from}).`;
  }
  return `Find ${what}: the first ${found}, in ${findProgress(find)}.`;
}

/** One hit: "Row 1,234" (opens its page and selects it), the field, and the match marked in its words. */
function hitItem(hit, send) {
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: "nbw-link",
        title: `Open page ${hit.page} and select row ${count(hit.row)}`,
        onclick: () => send("open_hit", { page: hit.page, datapoint_id: hit.id }),
      },
      `Row ${count(hit.row)}`,
    ),
    h("span", { class: "nbw-muted nbw-hit-field" }, hit.field ?? ""),
    h("span", { class: "nbw-hit-text" }, hit.before ?? "", h("mark", {}, hit.match ?? ""), hit.after ?? ""),
  );
}

/** The server search's summary: "Search “x”: 12 datapoints" and Clear search. */
function renderSearch(box, { get, send }) {
  box.hidden = !get("search");
  if (!box.hidden)
    box.replaceChildren(
      `Search “${get("search")}”: ${get("total") ?? 0} datapoints `,
      h("button", { type: "button", onclick: () => send("find", { text: "" }) }, "Clear search"),
    );
}

/** Find's line: its words, a progress bar while it runs, Cancel or Close (and Find further past the limit). */
function findSummary(find, send) {
  const button = (label, type, payload) => h("button", { type: "button", onclick: () => send(type, payload) }, label);
  const stopped = !find.running && !find.complete && !find.error && !find.by_id && !find.cancelled;
  const further = stopped && (find.hits ?? []).length ? button("Find further", "find_further") : null;
  const close = find.running ? button("Cancel", "cancel_find") : button("Close", "cancel_find", { clear: true });
  const bar =
    find.running && find.total > 0
      ? h("progress", { max: find.total, value: Math.min(find.rows ?? 0, find.total), "aria-hidden": "true" })
      : "";
  return h("div", { class: "nbw-find-line" }, h("span", { role: "status" }, findLine(find)), bar, " ", [
    further,
    close,
  ]);
}

/**
 * Find's progress (a share of the dataset's rows), its hits (each names its row and field and opens its
 * page) a batch at a time with "Show more", Cancel; past the scan's limit "Find further" goes on from
 * where it stopped. Or the server search's summary. How many hits are shown is this view's own (kept on
 * `box` for the query on show).
 */
export function renderFind(box, { get, send }) {
  const find = get("find") ?? {};
  if (get("schema")?.find === "server") return renderSearch(box, { get, send });
  box.hidden = !find.query;
  if (box.hidden) return box.replaceChildren();
  if (box.dataset.query !== find.query) {
    box.dataset.query = find.query;
    box.dataset.showing = String(HITS_BATCH);
  }
  const hits = find.hits ?? [];
  const summary = findSummary(find, send);
  if (find.by_id) return box.replaceChildren(summary);
  const showing = Math.min(hits.length, Number(box.dataset.showing) || HITS_BATCH);
  const list = h(
    "ul",
    { class: "nbw-hits" },
    hits.slice(0, showing).map((hit) => hitItem(hit, send)),
  );
  const showMore = (more) => {
    box.dataset.showing = String(showing + more);
    renderFind(box, { get, send });
    box.children[1]?.children[showing]?.children[0]?.focus?.(); // the first hit just shown
  };
  box.replaceChildren(summary, list, hits.length ? hitsCount(find, showing, showMore) : "");
}

/** "Showing 10 of 37 found." and a "Show 20 more" while more are found than shown. */
function hitsCount(find, showing, showMore) {
  const hits = find.hits ?? [];
  const more = Math.min(HITS_BATCH * 2, hits.length - showing);
  return h(
    "div",
    { class: "nbw-find-line nbw-hits-count" },
    h("span", { class: "nbw-muted" }, `Showing ${showing} of ${hits.length} found${find.running ? " so far" : ""}.`),
    more > 0 ? h("button", { type: "button", onclick: () => showMore(more) }, `Show ${more} more`) : null,
  );
}
