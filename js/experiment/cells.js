// ExperimentReview's cells of one row (compare mode's are in compare.js, the feedback cell in
// feedback-cell.js): the datapoint, the expected output with its write's status, the output with its
// metadata and actions ("Add to dataset…" opens a form under it), the difference to the expected output.
// `x` is the review (index.js): {get, send, quietly, viewId, root, ui, redraw, showError}.
import { clamped, clampedText, isLong, keyValueCell, messagesCell, statusBadge } from "../shared/cells.js";
import { diff, diffView, unchanged } from "../shared/diff.js";
import { h } from "../shared/dom.js";
import { EXPECTED_STATUS, metadataText, outputText, RESTORE_STATUS } from "./review.js";

const muted = (text) => h("span", { class: "nbw-muted" }, text);
const link = (words, onclick, attrs = {}) =>
  h(
    "button",
    {
      type: "button",
      class: "nbw-link",
      ...attrs,
      onclick: (event) => {
        event.stopPropagation(); // a row's click makes it active: an action in it is not that click
        onclick(event);
      },
    },
    words,
  );

export function datapointCell(row) {
  const inputs = row.inputs ?? {};
  const any = Object.keys(inputs).length > 0;
  return [
    any ? keyValueCell(inputs) : null,
    row.messages?.length ? messagesCell(row.messages) : null,
    !any && !row.messages?.length ? muted("—") : null,
  ];
}

export function expectedCell(x, row) {
  const status = x.get("_expected")?.[row.id];
  const parts = [row.expected_output == null ? muted("No expected output") : clampedText(row.expected_output)];
  if (!status) return parts;
  const [badge, word] = (status.undo ? RESTORE_STATUS : EXPECTED_STATUS)[status.state] ?? [status.state, status.state];
  const line = h("div", { class: `nbw-wstate nbw-state-${status.state}`, role: "status" }, statusBadge(badge, word));
  if (status.message) line.append(": ", h("span", { class: "nbw-field-error" }, status.message));
  if ("replaced" in status && !status.undo && status.state !== "conflict")
    line.append(...replacedParts(x, row, status));
  if (status.state === "conflict") line.append(...conflictParts(x, row, status));
  if (status.state === "retrying")
    line.append(
      " ",
      h("button", { type: "button", class: "nbw-link", onclick: () => x.quietly(x.send("retry")) }, "Retry now"),
    );
  parts.push(line);
  return parts;
}

/** What a use as expected replaced: the old expected output against the output now used, and its Undo. */
function replacedParts(x, row, status) {
  return [
    h(
      "div",
      { class: "nbw-muted nbw-replaced" },
      status.replaced == null ? "It had no expected output before." : "Replaced (old → new):",
    ),
    status.replaced == null
      ? null
      : clamped(
          diffView(status.replaced, status.value ?? "", { label: "What it replaced", empty: "Same text" }),
          isLong(`${status.replaced}\n${status.value ?? ""}`),
        ),
    link("Undo", () => x.quietly(x.send("undo", { datapoint_id: row.id })), {
      title: "Write back the expected output it replaced (z undoes the last one on any row)",
    }),
  ].filter(Boolean);
}

/** Someone else's change on the service: theirs, and Keep mine / Take theirs. */
function conflictParts(x, row, status) {
  const keep = (which) => () => x.quietly(x.send("resolve", { datapoint_id: row.id, keep: which }));
  return [
    h("div", { class: "nbw-muted" }, "Now on the server:"),
    clampedText(status.server_value ?? ""),
    h(
      "div",
      { class: "nbw-toolbar" },
      h("button", { type: "button", onclick: keep("mine") }, "Keep mine"),
      h("button", { type: "button", onclick: keep("theirs") }, "Take theirs"),
    ),
  ];
}

const spinner = () => h("span", { class: "nbw-spinner", "aria-hidden": "true" });

export function outputCell(x, row, generation) {
  if (!generation) return muted("Not generated");
  const state = generation.state;
  if (state === "queued" && !generation.runs) return muted("Queued");
  if (state === "running" && !generation.output && !generation.error)
    return h("span", { class: "nbw-muted" }, spinner(), " Generating…");
  const parts = [];
  if (state === "running" || state === "queued")
    parts.push(h("div", { class: "nbw-muted" }, spinner(), " Re-running…"));
  if (generation.error) parts.push(h("div", { class: "nbw-row-error", role: "alert" }, generation.error));
  else parts.push(clampedText(outputText(generation.output), { mono: typeof generation.output !== "string" }));
  parts.push(outputActions(x, row, generation));
  const addTo = x.ui.addTo;
  if (addTo?.id === row.id) parts.push(addToForm(x, row));
  const added = x.get("_added")?.[row.id];
  if (added) parts.push(addedLine(x, added));
  return parts;
}

function outputActions(x, row, generation) {
  const state = generation.state;
  const meta = metadataText(generation.metadata);
  const done = !generation.error && state === "done";
  const send = (type) => () => x.quietly(x.send(type, { datapoint_id: row.id }));
  return h(
    "div",
    { class: "nbw-row-actions" },
    meta ? h("span", { class: "nbw-muted nbw-meta", title: meta }, meta) : null,
    generation.runs > 1 ? muted(`run ${generation.runs}`) : null,
    link("Re-run", send("rerun"), { disabled: state === "queued" || state === "running" }),
    done ? link("Use as expected", send("use_expected")) : null,
    done
      ? link(
          "Add to dataset…",
          () => {
            const ui = x.ui;
            ui.addTo = ui.addTo?.id === row.id ? null : { id: row.id, dataset: "", use: "output" };
            if (ui.addTo && !(x.get("add_targets") ?? []).length) x.quietly(x.send("list_targets"));
            x.redraw();
            if (ui.addTo) x.root.querySelector(`#${CSS.escape(`${x.viewId}-addto-dataset`)}`)?.focus();
          },
          { id: `${x.viewId}-addto-open-${row.id}`, "aria-expanded": String(x.ui.addTo?.id === row.id) },
        )
      : null,
  );
}

/** "Add to dataset…": which dataset, and which text becomes its expected output (the output or the correction). */
function addToForm(x, row) {
  const addTo = x.ui.addTo;
  const targets = x.get("add_targets") ?? [];
  const choice = h(
    "select",
    { id: `${x.viewId}-addto-dataset`, "aria-label": "Dataset to add the row to" },
    h("option", { value: "", selected: !addTo.dataset }, targets.length ? "Choose a dataset…" : "Loading datasets…"),
    targets.map((t) => h("option", { value: t.id, selected: addTo.dataset === t.id }, t.name)),
  );
  choice.addEventListener("change", () => {
    addTo.dataset = choice.value;
  });
  const use = h(
    "select",
    { id: `${x.viewId}-addto-use`, "aria-label": "Expected output of the copy" },
    h("option", { value: "output", selected: addTo.use === "output" }, "its output"),
    h("option", { value: "correction", selected: addTo.use === "correction" }, "its correction"),
  );
  use.addEventListener("change", () => {
    addTo.use = use.value;
  });
  const close = () => {
    x.ui.addTo = null;
    x.redraw();
  };
  return h(
    "form",
    {
      class: "nbw-addto",
      "aria-label": "Add to dataset",
      onclick: (event) => event.stopPropagation(),
      onkeydown: (event) => {
        event.stopPropagation(); // the review's row keys stay out of the form
        if (event.key !== "Escape") return;
        event.preventDefault();
        close();
        x.root.querySelector(`#${CSS.escape(`${x.viewId}-addto-open-${row.id}`)}`)?.focus();
      },
      onsubmit: (event) => {
        event.preventDefault();
        if (!addTo.dataset) return x.showError("Choose the dataset to add the row to.");
        close();
        x.quietly(x.send("add_to_dataset", { datapoint_id: row.id, dataset_id: addTo.dataset, use: addTo.use }));
      },
    },
    h("span", {}, "Add this row's input to "),
    choice,
    h("span", {}, " with "),
    use,
    h("span", {}, " as the expected output "),
    h("button", { type: "submit", id: `${x.viewId}-addto-add`, class: "nbw-primary" }, "Add"),
    h("button", { type: "button", onclick: close }, "Cancel"),
  );
}

function addedLine(x, added) {
  const name = (x.get("add_targets") ?? []).find((t) => t.id === added.dataset)?.name ?? added.dataset;
  const words = {
    pending: `Adding to ${name}…`,
    retrying: `Adding to ${name}… retrying (${added.message ?? "no answer"})`,
    saved: `Added to ${name} ✓`,
    failed: `Not added to ${name}: ${added.message ?? "refused"}`,
  };
  return h("div", { class: `nbw-wstate nbw-state-${added.state}`, role: "status" }, words[added.state] ?? added.state);
}

export function diffCell(row, generation) {
  if (generation?.state !== "done" || generation.error) return muted("—");
  if (row.expected_output == null) return muted("No expected output to compare");
  const output = outputText(generation.output);
  if (unchanged(diff(row.expected_output, output))) return h("span", { class: "nbw-match" }, "Matches ✓");
  return diffView(row.expected_output, output, {
    label: "Changes from the expected output to the output",
    names: { before: "expected output", after: "output" },
  });
}
