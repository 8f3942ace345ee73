// The bars above the table: what is open (title, version, sandbox), the actions (Undo, Refresh,
// Change dataset), the view controls (find, sort, density, columns) and, apart so that nothing above
// wraps when it appears, the staged-edits bar of versioned datasets.
import { statusBadge } from "../shared/cells.js";
import { h } from "../shared/dom.js";
import { columnChoices } from "./columns.js";

/** "version 1", and where it stands: "active", or "not the newest (version 3)" as a warning. */
export function versionBadges(version, standing = {}) {
  const badges = [h("span", { class: "nbw-badge" }, `version ${version}`)];
  if (standing?.active) badges.push(h("span", { class: "nbw-badge nbw-ok" }, "active"));
  if (standing?.newest > version)
    badges.push(
      h(
        "span",
        {
          class: "nbw-badge nbw-warn",
          title: `Version ${standing.newest} is newer. A version saved from here is made from version ${version}, without what the versions after it changed.`,
        },
        `not the newest (version ${standing.newest})`,
      ),
    );
  return badges;
}

export function renderToolbar(bar, { get, send, viewId }) {
  const schema = get("schema") ?? {};
  const open = Boolean(get("dataset_id"));
  const parts = [
    h("span", { class: "nbw-title" }, open ? get("dataset_name") || get("dataset_id") : "Choose a dataset"),
  ];
  if (open && get("version") != null) parts.push(...versionBadges(get("version"), get("version_standing")));
  if (get("is_sandbox"))
    parts.push(h("span", { class: "nbw-badge nbw-sandbox", title: get("source_label") }, "Sandbox data"));
  parts.push(h("span", { class: "nbw-spacer" }));
  if (open && schema.save === "patch") {
    parts.push(
      h(
        "button",
        {
          type: "button",
          disabled: !get("can_undo"),
          title: "Undo the last saved edit (Ctrl+Z)",
          onclick: () => send("undo"),
        },
        "Undo",
      ),
    );
  }
  if (open) {
    parts.push(
      h("button", { type: "button", onclick: () => send("refresh") }, "Refresh"),
      h(
        "button",
        { type: "button", onclick: () => send("pick", { search: "" }) },
        schema.save === "version" ? "Change version" : "Change dataset",
      ),
    );
  }
  bar.replaceChildren(...parts);
  bar.id = `${viewId}-toolbar`;
}

export function renderControls(bar, { get, send, viewId, layout, setLayout, setDensity, columnsOpen, toggleColumns }) {
  const schema = get("schema") ?? {};
  bar.hidden = !get("dataset_id");
  if (bar.hidden) return;
  const server = schema.find === "server";
  const find = h("input", {
    type: "search",
    id: `${viewId}-find`,
    value: server ? get("search") : (get("find")?.query ?? ""),
    placeholder: server ? "Search…" : "Find text…",
  });
  const submit = () => send("find", { text: find.value });
  find.addEventListener("keydown", (event) => {
    if (event.key === "Enter") submit();
    else if (event.key === "Escape" && get("find")?.running) {
      event.preventDefault(); // Esc stops a find in progress first; the next Esc leaves the widget
      send("cancel_find");
    }
  });
  const parts = [
    h("label", { for: `${viewId}-find` }, server ? "Search" : "Find"),
    find,
    h("button", { type: "button", onclick: submit }, server ? "Search" : "Find"),
  ];
  if (schema.orderings?.length) {
    const sort = h(
      "select",
      { id: `${viewId}-sort`, onchange: () => send("query", { ordering: sort.value, search: get("search") }) },
      schema.orderings.map((o) =>
        h("option", { value: o.value, selected: (get("ordering") || schema.orderings[0].value) === o.value }, o.label),
      ),
    );
    parts.push(h("label", { for: `${viewId}-sort` }, "Sort"), sort);
  }
  parts.push(h("span", { class: "nbw-spacer" }));
  const comfortable = get("density") === "comfortable";
  parts.push(
    h(
      "button",
      {
        type: "button",
        class: "nbw-density",
        // the label says what a click does (and so which density is on)
        title: comfortable
          ? "Rows are tall (up to 4 lines each): show one line per row, to see more rows"
          : "Rows are one line each: show up to 4 lines of each row",
        dataset: { focusKey: "density" },
        onclick: () => setDensity(comfortable ? "compact" : "comfortable"),
      },
      comfortable ? "One-line rows" : "Taller rows",
    ),
    h(
      "button",
      {
        type: "button",
        "aria-expanded": String(columnsOpen),
        "aria-controls": `${viewId}-columns`,
        onclick: toggleColumns,
      },
      "Columns",
    ),
  );
  const children = [h("div", { class: "nbw-controls-row" }, parts)];
  if (columnsOpen) children.push(columnsMenu(schema, layout, setLayout, viewId));
  bar.replaceChildren(...children);
}

function columnsMenu(schema, layout, setLayout, viewId) {
  const choices = columnChoices(schema, layout);
  const movable = choices.filter((c) => !c.pinned);
  return h(
    "ul",
    { class: "nbw-columns-menu", id: `${viewId}-columns`, "aria-label": "Columns" },
    choices.map((c) => {
      const index = movable.indexOf(c);
      return h(
        "li",
        {},
        h(
          "label",
          {},
          h("input", {
            type: "checkbox",
            checked: !c.hidden,
            disabled: c.pinned,
            onchange: (e) => setLayout("hide", c.key, !e.target.checked),
          }),
          ` ${c.title}`,
        ),
        c.pinned
          ? h("span", { class: "nbw-muted" }, " (pinned)")
          : [
              h(
                "button",
                { type: "button", disabled: index === 0, onclick: () => setLayout("move", c.key, -1) },
                `Move ${c.title} left`,
              ),
              h(
                "button",
                { type: "button", disabled: index === movable.length - 1, onclick: () => setLayout("move", c.key, 1) },
                `Move ${c.title} right`,
              ),
            ],
      );
    }),
    h("li", {}, h("button", { type: "button", onclick: () => setLayout("reset") }, "Reset layout")),
  );
}

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

/**
 * Find's progress (a share of the dataset's rows), its hits (each names its row and field and opens its
 * page) a batch at a time with "Show more", Cancel; past the scan's limit "Find further" goes on from
 * where it stopped. Or the server search's summary. How many hits are shown is this view's own (kept on
 * `box` for the query on show).
 */
export function renderFind(box, { get, send }) {
  const find = get("find") ?? {};
  const schema = get("schema") ?? {};
  if (schema.find === "server") {
    box.hidden = !get("search");
    if (!box.hidden)
      box.replaceChildren(
        `Search “${get("search")}”: ${get("total") ?? 0} datapoints `,
        h("button", { type: "button", onclick: () => send("find", { text: "" }) }, "Clear search"),
      );
    return;
  }
  box.hidden = !find.query;
  if (box.hidden) return box.replaceChildren();
  if (box.dataset.query !== find.query) {
    box.dataset.query = find.query;
    box.dataset.showing = String(HITS_BATCH);
  }
  const hits = find.hits ?? [];
  const stopped = !find.running && !find.complete && !find.error && !find.by_id && !find.cancelled;
  const actions = [
    find.running
      ? h("button", { type: "button", onclick: () => send("cancel_find") }, "Cancel")
      : h("button", { type: "button", onclick: () => send("cancel_find", { clear: true }) }, "Close"),
  ];
  if (stopped && hits.length)
    actions.unshift(h("button", { type: "button", onclick: () => send("find_further") }, "Find further"));
  const bar =
    find.running && find.total > 0
      ? h("progress", { max: find.total, value: Math.min(find.rows ?? 0, find.total), "aria-hidden": "true" })
      : "";
  const summary = h(
    "div",
    { class: "nbw-find-line" },
    h("span", { role: "status" }, findLine(find)),
    bar,
    " ",
    actions,
  );
  if (find.by_id) return box.replaceChildren(summary);
  const showing = Math.min(hits.length, Number(box.dataset.showing) || HITS_BATCH);
  const list = h(
    "ul",
    { class: "nbw-hits" },
    hits.slice(0, showing).map((hit) => hitItem(hit, send)),
  );
  const more = Math.min(HITS_BATCH * 2, hits.length - showing);
  const footer = hits.length
    ? h(
        "div",
        { class: "nbw-find-line nbw-hits-count" },
        h(
          "span",
          { class: "nbw-muted" },
          `Showing ${showing} of ${hits.length} found${find.running ? " so far" : ""}.`,
        ),
        more > 0
          ? h(
              "button",
              {
                type: "button",
                onclick: () => {
                  box.dataset.showing = String(showing + more);
                  renderFind(box, { get, send });
                  box.children[1]?.children[showing]?.children[0]?.focus?.(); // the first hit just shown
                },
              },
              `Show ${more} more`,
            )
          : null,
      )
    : "";
  box.replaceChildren(summary, list, footer);
}

/** The staged edits of a versioned dataset: save them as a new version (or discard), and that save's
 * progress while it is not saved (it is a write like any other: kept, retried, posted once). */
export function renderStaged(bar, { get, send, viewId }) {
  const count = Object.keys(get("staged") ?? {}).length;
  const changes = get("version_changes") ?? {}; // new datapoints and removals staged from the grid
  const added = changes.added ?? 0;
  const removed = changes.removed?.length ?? 0;
  const saving = get("version_save") ?? {};
  bar.hidden = !(count || added || removed);
  if (bar.hidden) return bar.replaceChildren();
  const edits = [
    count ? `${count} staged edit${count > 1 ? "s" : ""}` : "",
    added ? `${added} new datapoint${added > 1 ? "s" : ""}` : "",
    removed ? `${removed} removal${removed > 1 ? "s" : ""}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  if (saving.state === "pending" || saving.state === "sending")
    return bar.replaceChildren(
      h("span", { class: "nbw-spinner", "aria-hidden": "true" }),
      h("span", { role: "status" }, ` Saving ${edits} as a new version…`),
    );
  if (saving.state === "retrying")
    return bar.replaceChildren(
      statusBadge("retrying"),
      h(
        "span",
        { role: "status", class: "nbw-field-error" },
        ` Not saved yet: ${saving.message}. Attempt ${saving.attempts}; your edits stay staged.`,
      ),
      h("button", { type: "button", onclick: () => send("retry_version") }, "Retry now"),
    );
  const makeActive = h("input", { type: "checkbox", id: `${viewId}-active` });
  const newest = get("version_standing")?.newest;
  const version = get("version");
  bar.replaceChildren(
    h("span", {}, edits),
    newest > version
      ? h(
          "span",
          { class: "nbw-field-error" },
          `Saved from version ${version}: the new version will not have what versions after it (up to ${newest}) changed.`,
        )
      : "",
    h("label", { for: `${viewId}-active` }, makeActive, " make active"),
    h(
      "button",
      {
        class: "nbw-primary",
        type: "button",
        onclick: () => send("save_version", { make_active: makeActive.checked }),
      },
      "Save as new version",
    ),
    h("button", { type: "button", onclick: () => send("discard") }, "Discard edits"),
  );
}

/** Loading, the error with a Retry, and notices (a version saved). */
export function renderStatus({ statusLine, alert, notice }, { get, send }) {
  statusLine.replaceChildren(
    ...(get("loading")
      ? [
          h("span", { class: "nbw-spinner", "aria-hidden": "true" }),
          ` Loading${get("dataset_id") ? ` page ${get("page_number")}` : ""}…`,
        ]
      : []),
  );
  const retry = () => send(get("dataset_id") ? "refresh" : "pick", { search: "" });
  alert.replaceChildren(
    ...(get("error") ? [h("span", {}, get("error")), h("button", { type: "button", onclick: retry }, "Retry")] : []),
  );
  notice.hidden = !get("notice");
  notice.textContent = get("notice");
}
