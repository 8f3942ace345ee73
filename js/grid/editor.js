// The inline editor: one row under the datapoint, as wide as the visible table (it never scrolls out of
// view), for one editable field. Text, JSON and inputs in a text box; messages as messages (see
// messages.js), or as raw JSON. The changes show as a word diff before saving.
import { renderDiff } from "../shared/diff.js";
import { h } from "../shared/dom.js";
import { messageText, pretty } from "../shared/format.js";
import { isSaveChord, saveChordText } from "../shared/keys.js";
import { editorText, editorValue } from "./editing.js";
import {
  addMessage,
  errorsByMessage,
  fromDrafts,
  messageWarnings,
  moveMessage,
  problemsInWords,
  ROLES,
  removeMessage,
  safeImageUrl,
  toDrafts,
  updateMessage,
  updatePart,
} from "./messages.js";

/** Editor state for a field of a row: {id, key, kind, title, text | drafts, raw, error, errors}. */
export function openEditorState(column, row, draft = null) {
  const value = draft && column.key in draft ? draft[column.key] : row[column.key];
  const state = {
    id: row.id,
    key: column.key,
    kind: column.kind,
    title: column.title,
    original: row[column.key],
    error: "",
  };
  if (column.kind === "messages")
    return { ...state, drafts: toDrafts(value), raw: false, text: pretty(value ?? []), errors: {} };
  return { ...state, text: editorText(column.kind, value) };
}

/** The value to save, or {error}: messages problems land on their messages (state.errors). */
export function editorResult(state) {
  if (state.kind !== "messages")
    return editorValue(state.kind, state.text, state.title, { original: state.original, asText: state.asText });
  if (state.raw) {
    const parsed = editorValue("messages", state.text, state.title);
    if (parsed.error) return parsed;
    if (!Array.isArray(parsed.value)) return { error: "Messages must be a JSON list" };
    const drafts = toDrafts(parsed.value);
    const checked = fromDrafts(drafts);
    return Object.keys(checked.errors).length
      ? { error: problemsInWords(checked.errors), errors: checked.errors }
      : withWarnings(parsed, drafts);
  }
  const { value, errors } = fromDrafts(state.drafts);
  return Object.keys(errors).length
    ? { error: problemsInWords(errors), errors }
    : withWarnings({ value }, state.drafts);
}

/** A value that saves, with what may be a slip (an empty assistant message) said first: {value, warning}. */
function withWarnings(result, drafts) {
  const warnings = messageWarnings(drafts);
  if (!warnings.length) return result;
  const list = warnings.map((w) => w.text).join(", ");
  return {
    ...result,
    warning: `${list}: write its text or remove it, or save again to save it as it is.`,
    warnings: Object.fromEntries(warnings.map((w) => [w.index, [`${w.text}.`]])),
  };
}

/** A refusal from the service, put where it belongs (on a message when it names one). */
export function withServerError(state, status) {
  const errors = state.kind === "messages" ? errorsByMessage(status.fields, status.reason) : {};
  return {
    ...state,
    errors,
    error: Object.keys(errors).length ? problemsInWords(errors) : status.message || status.reason,
  };
}

const asText = (messages) =>
  Array.isArray(messages) ? messages.map((m) => `${m?.role}: ${messageText(m)}`).join("\n") : pretty(messages);

function diffSource(state) {
  if (state.kind !== "messages") return [editorText(state.kind, state.original), state.text];
  const now = state.raw ? editorValue("messages", state.text).value : fromDrafts(state.drafts).value;
  return [asText(state.original ?? []), asText(now ?? [])];
}

/** The keys, in the words of the button they press ("Stage edit" stages: nothing is saved yet). */
export const editorHint = (saveLabel) =>
  `${saveChordText()} ${saveLabel === "Stage edit" ? "stages" : "saves"} · Esc cancels`;

export function buildEditor(state, { columns, saveLabel, viewId, signal, on }) {
  const diffBox = h("div", { class: "nbw-diff", role: "group", "aria-label": "Changes to be saved" });
  const showDiff = () =>
    renderDiff(diffBox, ...diffSource(state), { names: { before: "saved text", after: "text as edited" } });
  // a change to the list (role, order, a message added or removed): earlier problems may no longer hold
  const set = (changes) => on.change({ ...state, error: "", errors: {}, ...changes });
  const field = h(
    "select",
    { "aria-label": "Field", onchange: () => on.field(field.value) },
    columns.filter((c) => c.editable).map((c) => h("option", { value: c.key, selected: c.key === state.key }, c.title)),
  );
  let body;
  if (state.kind === "messages" && !state.raw) body = messagesEditor(state, set, viewId);
  else {
    body = h("textarea", {
      id: `${viewId}-editor`,
      class: "nbw-editor-text",
      rows: state.kind === "text" ? "5" : "8",
      value: state.text,
      "aria-label": `${state.title} text`,
    });
    body.addEventListener("input", () => {
      state.text = body.value;
      showDiff();
    });
  }
  const root = h(
    "div",
    { class: "nbw-editor", role: "group", "aria-label": `Edit ${state.title}` },
    h(
      "div",
      { class: "nbw-editor-head" },
      h("span", { class: "nbw-title" }, `Edit ${state.title}`),
      h("label", {}, "Field ", field),
      state.kind === "messages"
        ? h(
            "label",
            {},
            h("input", { type: "checkbox", checked: state.raw, onchange: () => on.raw(!state.raw) }),
            " Raw JSON",
          )
        : null,
    ),
    body,
    h(
      "div",
      { class: "nbw-field-error", role: "alert" },
      state.error ?? "",
      state.asTextOffered
        ? [" ", h("button", { type: "button", class: "nbw-link", onclick: () => on.saveAsText() }, "Save as text")]
        : null,
    ),
    h("div", { class: "nbw-muted" }, "Changes:"),
    diffBox,
    h(
      "div",
      { class: "nbw-editor-actions" },
      h("button", { class: "nbw-primary", type: "button", onclick: () => on.save() }, saveLabel),
      h("button", { type: "button", onclick: () => on.cancel() }, "Cancel"),
      h("span", { class: "nbw-muted" }, editorHint(saveLabel)),
    ),
  );
  root.addEventListener("input", showDiff, { signal });
  root.addEventListener(
    "keydown",
    (event) => {
      if (isSaveChord(event)) {
        event.preventDefault();
        on.save();
      } else if (event.key === "Escape") {
        event.preventDefault();
        on.cancel();
      }
    },
    { signal },
  );
  showDiff();
  return h(
    "tr",
    { class: "nbw-editor-row", dataset: { for: state.id } },
    h("td", { colspan: String(columns.length + 2) }, root),
  );
}

/** Messages edited as messages (role, text or content parts, tool calls, tool call id, each message's
 * problems on it): the row editor's, and the New datapoint form's. */
export function messagesEditor(state, set, viewId) {
  const list = h("ol", { class: "nbw-msg-editor" });
  state.drafts.forEach((draft, index) => {
    const id = `${viewId}-msg-${draft.key}`;
    const change = (changes) => {
      state.drafts = updateMessage(state.drafts, index, changes);
    };
    const role = h(
      "select",
      {
        "aria-label": `Role of message ${index + 1}`,
        onchange: () => set({ drafts: updateMessage(state.drafts, index, { role: role.value }) }),
      },
      ROLES.map((r) => h("option", { value: r, selected: r === draft.role }, r)),
    );
    const content = draft.parts
      ? h(
          "div",
          { class: "nbw-parts" },
          draft.parts.map((part, p) => partEditor(state, index, part, p, id)),
        )
      : textBox(`${id}-text`, `Text of message ${index + 1}`, draft.text, (text) => change({ text }));
    const errors = state.errors?.[index] ?? [];
    list.append(
      h(
        "li",
        { class: `nbw-msg-edit nbw-role-${draft.role}${errors.length ? " nbw-invalid" : ""}` },
        h(
          "div",
          { class: "nbw-msg-edit-head" },
          h("span", { class: "nbw-muted" }, `${index + 1}.`),
          role,
          h("span", { class: "nbw-spacer" }),
          h(
            "button",
            {
              type: "button",
              disabled: index === 0,
              onclick: () => set({ drafts: moveMessage(state.drafts, index, -1) }),
            },
            "↑ Up",
          ),
          h(
            "button",
            {
              type: "button",
              disabled: index === state.drafts.length - 1,
              onclick: () => set({ drafts: moveMessage(state.drafts, index, 1) }),
            },
            "↓ Down",
          ),
          h("button", { type: "button", onclick: () => set({ drafts: removeMessage(state.drafts, index) }) }, "Remove"),
        ),
        content,
        draft.role === "assistant" || draft.toolCalls
          ? h(
              "label",
              { class: "nbw-msg-field" },
              "Tool calls (JSON)",
              textBox(`${id}-tools`, null, draft.toolCalls, (toolCalls) => change({ toolCalls }), true),
            )
          : null,
        draft.role === "tool"
          ? h(
              "label",
              { class: "nbw-msg-field" },
              "Tool call id ",
              h("input", {
                type: "text",
                value: draft.toolCallId,
                oninput: (e) => change({ toolCallId: e.target.value }),
              }),
            )
          : null,
        errors.length
          ? h(
              "ul",
              { class: "nbw-field-error", role: "alert" },
              errors.map((e) => h("li", {}, e)),
            )
          : null,
      ),
    );
  });
  const add = h(
    "button",
    {
      type: "button",
      onclick: () =>
        set({
          drafts: addMessage(state.drafts, state.drafts.at(-1)?.role === "user" ? "assistant" : "user"),
          focusMessage: state.drafts.length, // the new message takes the keys, not the page
        }),
    },
    "+ Add message",
  );
  return h("div", {}, list, add);
}

function textBox(id, label, value, onInput, mono = false) {
  const area = h("textarea", {
    id,
    rows: "2",
    class: mono ? "nbw-mono" : "nbw-plain",
    value,
    "aria-label": label ?? undefined,
  });
  area.addEventListener("input", () => onInput(area.value));
  return area;
}

function partEditor(state, index, part, p, id) {
  const change = (changes) => {
    state.drafts = updatePart(state.drafts, index, p, changes);
  };
  if (part.type === "text")
    return h(
      "div",
      { class: "nbw-part" },
      h("span", { class: "nbw-badge" }, "text"),
      textBox(`${id}-p${p}`, `Text part ${p + 1} of message ${index + 1}`, part.text, (text) => change({ text })),
    );
  if (part.type === "image_url") {
    const safe = safeImageUrl(part.url);
    return h(
      "div",
      { class: "nbw-part nbw-part-image" },
      h("span", { class: "nbw-badge" }, "image"),
      h("input", {
        type: "url",
        value: part.url,
        "aria-label": `Image URL of part ${p + 1} of message ${index + 1}`,
        oninput: (e) => change({ url: e.target.value }),
      }),
      safe
        ? h("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, "Open image")
        : h("span", { class: "nbw-muted" }, "(no preview: not an https or inline image URL)"),
      safe
        ? h("img", {
            src: safe,
            alt: `Image of message ${index + 1}`,
            class: "nbw-thumb",
            referrerpolicy: "no-referrer",
            loading: "lazy",
          })
        : null,
    );
  }
  return h(
    "div",
    { class: "nbw-part" },
    h("span", { class: "nbw-badge" }, part.type),
    textBox(`${id}-p${p}`, `${part.type} part ${p + 1} (JSON)`, part.json, (json) => change({ json }), true),
  );
}
