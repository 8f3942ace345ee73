// The client's writes not settled yet, in every widget's header: a count ("2 writes pending"), and a list
// that opens from it naming each write (the row and field where the widget knows it), its state and why,
// with a way to go to the row (the grid) and to retry now. A write that settles within a moment (a quick
// save) is not announced: the kernel lists a write once it has been open 0.3 s, and the count shows once it
// has waited SHOW_AFTER_MS more here, or at once when retrying.
import { h, keepingFocus } from "./dom.js";

export const SHOW_AFTER_MS = 500; // after the kernel's own 0.3 s (ANNOUNCE_AFTER_S in widgets/_base.py): 0.8 s in all

const short = (id) => (id && id.length > 12 ? `${id.slice(0, 10)}…` : (id ?? ""));

/** What a pending write changes, in words: "Row 12 · Expected output", "Datapoint 01JB… · Inputs", ... */
export function pendingLabel(item) {
  const fields = item.fields?.length ? ` · ${item.fields.join(", ")}` : "";
  if (item.row != null) return `Row ${Number(item.row).toLocaleString("en-US")}${fields}`;
  if (item.datapoint_id) return `Datapoint ${short(item.datapoint_id)}${fields}`;
  if (item.trace_id) return `${item.what}${fields} on trace ${short(item.trace_id)}`;
  if (item.count != null) return `${item.what} (${item.count})`;
  return item.what ?? item.kind ?? "Write";
}

/** Its state in words: "Saving", "Retrying (attempt 3): The service had an error (500)". */
export function pendingState(item) {
  if (item.state === "retrying") return `Retrying (attempt ${item.attempts})${item.message ? `: ${item.message}` : ""}`;
  return "Saving";
}

/** The count's words: "1 write pending", "3 writes pending (retrying)". */
export function pendingCount(pending) {
  const count = pending?.count ?? 0;
  const retrying = (pending?.items ?? []).some((item) => item.state === "retrying");
  return `${count} write${count === 1 ? "" : "s"} pending${retrying ? " (retrying)" : ""}`;
}

/** One write in the open list: what, its state, whose, and a way to its row (`goTo`) where it is here. */
function pendingItem(item, goTo) {
  return h(
    "li",
    { class: `nbw-pending-item nbw-pending-${item.state}` },
    h("span", { class: "nbw-pending-what" }, pendingLabel(item)),
    " ",
    h("span", { class: item.state === "retrying" ? "nbw-field-error" : "nbw-muted" }, pendingState(item)),
    item.mine === false ? h("span", { class: "nbw-muted" }, " (another widget)") : null,
    goTo && item.here && item.datapoint_id
      ? [" ", h("button", { type: "button", class: "nbw-link", onclick: () => goTo(item) }, "Go to row")]
      : null,
  );
}

/**
 * A header part showing `get("pending_writes")`. `goTo(item)` (optional) goes to a write's row; it is
 * offered for items marked `here` (a row of what the widget shows). Returns {element, render, dispose}.
 */
export function createPending({ get, send, viewId, goTo = null, now = () => Date.now() }) {
  const element = h("div", { class: "nbw-pending", hidden: true });
  let open = false;
  let since = null; // when the count last became non-zero
  let timer = null;

  /** Whether the writes are to be shown now: some are open, and for long enough (or retrying). When they
   * are not yet, render runs again once they are. */
  function announced(count, retrying) {
    if (!count) {
      since = null;
      open = false;
      return false;
    }
    since ??= now();
    if (retrying || now() - since >= SHOW_AFTER_MS) return true;
    clearTimeout(timer);
    timer = setTimeout(render, SHOW_AFTER_MS - (now() - since) + 10);
    return false;
  }

  function render() {
    const pending = get("pending_writes") ?? {};
    const items = pending.items ?? [];
    const count = pending.count ?? 0;
    const retrying = items.some((item) => item.state === "retrying");
    element.hidden = !announced(count, retrying);
    if (element.hidden) return element.replaceChildren();
    const listId = `${viewId}-pending`;
    const toggle = h(
      "button",
      {
        type: "button",
        class: `nbw-pending-toggle${retrying ? " nbw-warn" : ""}`,
        "aria-expanded": String(open),
        "aria-controls": listId,
        title: "Writes of this client not saved yet (from every widget on it)",
        onclick: () => {
          open = !open;
          keepingFocus(element, render);
        },
      },
      h("span", { class: "nbw-icon", "aria-hidden": "true" }, retrying ? "↻" : "⟳"),
      ` ${pendingCount(pending)}`,
    );
    element.replaceChildren(toggle, ...(open ? openList(pending, listId) : []));
  }

  /** The open list: each write, how many more, and Retry now. */
  function openList(pending, listId) {
    const items = pending.items ?? [];
    const count = pending.count ?? 0;
    const list = h(
      "ul",
      { class: "nbw-pending-list", id: listId, "aria-label": "Pending writes" },
      items.map((item) => pendingItem(item, goTo)),
      count > items.length ? h("li", { class: "nbw-muted" }, `and ${count - items.length} more`) : null,
    );
    return [list, h("button", { type: "button", onclick: () => send("retry_writes") }, "Retry now")];
  }

  return {
    element,
    render,
    dispose: () => clearTimeout(timer),
  };
}
