// The "New datapoint" form of the grid's curate part (curate.js): a box per editable column, the messages
// in the row editor's message editor (or as raw JSON), checked as the row editor checks before it is added.
// `p` is the curate part's panel context (curate.js: panelContext).
import { h } from "../shared/dom.js";
import { pretty } from "../shared/format.js";
import { cancel, panelForm } from "./curate-panels.js";
import { editorResult, messagesEditor } from "./editor.js";
import { fromDrafts, toDrafts } from "./messages.js";

/** After a redraw of the form: focus on the message just added, else the control that had it, else the first button. */
function refocus(entry, state, had) {
  const label = had?.getAttribute("aria-label");
  const box = entry.querySelector(".nbw-new-messages");
  const added = state.focusMessage != null ? box?.querySelectorAll(".nbw-msg-edit")[state.focusMessage] : null;
  state.focusMessage = null;
  const again = label
    ? [...(box?.querySelectorAll("[aria-label]") ?? [])].find((n) => n.getAttribute("aria-label") === label)
    : null;
  (
    added?.querySelector("textarea, select") ??
    again ??
    (had?.isConnected ? had : null) ??
    box?.querySelector("button")
  )?.focus();
}

/**
 * The new datapoint's messages in the row editor's message editor (roles, text or content parts,
 * tool calls, a tool call's id), or as raw JSON (a message's name, any part): whatever an edit of a
 * row can express. Checked as the row editor checks, each problem on its message.
 */
function newMessages(p, c) {
  const { drafts, viewId, entry } = p;
  drafts.add.messages ??= { kind: "messages", title: c.title, drafts: [], raw: false, text: "[]", errors: {} };
  const state = drafts.add.messages;
  const redraw = () => {
    const had = entry.contains(document.activeElement) ? document.activeElement : null;
    p.redraw();
    refocus(entry, state, had);
  };
  const set = (changes) => {
    drafts.add.messages = Object.assign(state, { error: "", errors: {} }, changes);
    redraw();
  };
  const raw = h("input", {
    type: "checkbox",
    checked: state.raw,
    "aria-label": `${c.title} as raw JSON`,
    onchange: () => {
      if (!state.raw) return set({ raw: true, text: pretty(fromDrafts(state.drafts).value) });
      try {
        set({ raw: false, drafts: toDrafts(JSON.parse(state.text)) });
      } catch (error) {
        raw.checked = true;
        p.setError(`${c.title} must be valid JSON to edit them as messages: ${error.message}`);
        redraw();
      }
    },
  });
  let body;
  if (state.raw) {
    body = h("textarea", {
      id: `${viewId}-new-${c.key}`,
      class: "nbw-mono",
      rows: 6,
      "aria-label": `${c.title} (JSON)`,
      placeholder: '[{"role": "user", "content": "…", "name": "…"}]',
    });
    body.value = state.text;
    body.addEventListener("input", () => {
      state.text = body.value;
    });
  } else body = messagesEditor(state, set, viewId);
  return h(
    "fieldset",
    { class: "nbw-field nbw-new-messages" },
    h("legend", {}, c.title, " ", h("label", { class: "nbw-muted" }, raw, " Raw JSON")),
    body,
  );
}

function placeholderFor(c) {
  if (c.kind === "inputs") return '{"question": "…"}  (flat: text, numbers, true/false)';
  if (c.kind === "messages") return '[{"role": "user", "content": "…"}]';
  return c.kind !== "text" ? "JSON or text" : "";
}

/** The messages as the row editor would send them: {value} or {error} (a likely slip is said once). */
function messagesValue(state) {
  const result = editorResult(state); // the row editor's checks, its words
  const said = JSON.stringify(result.value);
  if (result.error || (result.warning && state.warned !== said)) {
    // a likely slip (an empty assistant message) is said once; adding again adds it as it is
    Object.assign(state, {
      errors: result.errors ?? result.warnings ?? {},
      warned: result.error ? undefined : said,
    });
    return { error: result.error ?? result.warning };
  }
  return { value: result.value.length ? result.value : undefined };
}

/** A box's text as its column takes it: text as typed, JSON parsed (a json column takes text that is not JSON). */
function boxValue(c, typed) {
  const text = (typed ?? "").trim();
  if (!text) return {};
  if (c.kind === "text") return { value: typed };
  try {
    return { value: JSON.parse(text) };
  } catch {
    if (c.kind === "json") return { value: typed };
    return { error: `${c.title} is not valid JSON: write it as in the example.` };
  }
}

/** The new datapoint's fields from the drafts: {fields} or {error}. */
function newFields(p) {
  const fields = {};
  for (const c of p.editable()) {
    const messages = c.kind === "messages";
    if (messages && !p.drafts.add.messages) continue;
    const { value, error } = messages ? messagesValue(p.drafts.add.messages) : boxValue(c, p.drafts.add[c.key]);
    if (error) return { error };
    if (value !== undefined) fields[c.key] = value;
  }
  if (!Object.keys(fields).length) return { error: "The new datapoint is empty: fill in at least one field." };
  return { fields };
}

export function addPanel(p) {
  const { drafts, viewId } = p;
  const controls = p.editable().map((c, index) => {
    if (c.kind === "messages") return newMessages(p, c);
    const json = c.kind !== "text";
    const box = h("textarea", {
      id: `${viewId}-new-${c.key}`,
      rows: json ? 3 : 2,
      placeholder: placeholderFor(c),
      "data-first": index === 0 ? "" : null,
    });
    box.value = drafts.add[c.key] ?? "";
    box.addEventListener("input", () => {
      drafts.add[c.key] = box.value;
    });
    return p.field(c.title, box);
  });
  const submit = () => {
    const { fields, error } = newFields(p);
    if (error) return p.fail(error);
    p.ask("add", { fields }).then((ok) => {
      if (!ok) return;
      drafts.add = {}; // saved (or staged): the draft has done its job
      p.close();
    });
  };
  return panelForm(
    "nbw-new",
    "New datapoint",
    submit,
    controls,
    p.errorLine(),
    h("button", { type: "submit", class: "nbw-primary" }, p.versioned() ? "Stage datapoint" : "Add datapoint"),
    cancel(p),
    h("span", { class: "nbw-muted" }, p.versioned() ? " Saved with the next version." : " orq lists it last."),
  );
}
