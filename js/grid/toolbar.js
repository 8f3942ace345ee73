// The bars above the table: what is open (title, version, sandbox), the actions (Undo, Refresh,
// Change dataset), the view controls (find, sort, density, columns) and, apart so that nothing above
// wraps when it appears, the staged-edits bar of versioned datasets. Find's bar is find.js.
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

const some = (n, word) => (n ? `${n} ${word}${n > 1 ? "s" : ""}` : "");

/** "2 staged edits, 1 new datapoint, 3 removals": what the next version holds, or "" (nothing staged). */
function stagedWords(get) {
  const changes = get("version_changes") ?? {}; // new datapoints and removals staged from the grid
  return [
    some(Object.keys(get("staged") ?? {}).length, "staged edit"),
    some(changes.added ?? 0, "new datapoint"),
    some(changes.removed?.length ?? 0, "removal"),
  ]
    .filter(Boolean)
    .join(", ");
}

/** The staged edits of a versioned dataset: save them as a new version (or discard), and that save's
 * progress while it is not saved (it is a write like any other: kept, retried, posted once). */
export function renderStaged(bar, { get, send, viewId }) {
  const edits = stagedWords(get);
  const saving = get("version_save") ?? {};
  bar.hidden = !edits;
  if (bar.hidden) return bar.replaceChildren();
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
