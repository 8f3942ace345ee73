// The editor's life in a view: open it on a row's field (or on a refused draft), rebuild it when its
// shape changes (a message added, raw JSON on), save through the "edit" intent, reopen it with the
// reason when the edit is refused, close it. The editor row itself is built by editor.js.
import { pretty } from "../shared/format.js";
import { editorText } from "./editing.js";
import { buildEditor, editorResult, openEditorState, withServerError } from "./editor.js";
import { fromDrafts, toDrafts } from "./messages.js";

/** True when the editor holds text that differs from the value it opened on (a draft worth keeping). */
export function unsaved(state) {
  if (state.kind !== "messages") return state.text !== editorText(state.kind, state.original);
  const now = state.raw ? state.text : JSON.stringify(fromDrafts(state.drafts).value);
  return (
    now !== (state.raw ? pretty(state.original ?? []) : JSON.stringify(fromDrafts(toDrafts(state.original)).value))
  );
}

export function createEditFlow({ get, request, viewId, signal, columns, shown, focusTable, page, onKept }) {
  let state = null;
  let row = null;
  // unsaved editors whose row left the page (a page change): kept by row id, reopened on its page again
  const kept = new Map();

  function open(id, key, status = null) {
    const list = columns();
    const wanted = key ?? Object.keys(status?.draft ?? {})[0];
    const column = list.find((c) => c.key === wanted && c.editable) ?? list.find((c) => c.editable);
    const data = (get("_page_rows") ?? []).find((r) => r.id === id);
    if (!column || !data) return;
    const shownRow = { ...data, ...get("_row_patches")?.[id] };
    state = openEditorState(column, shownRow, status?.draft);
    state.page = page();
    state.rowNumber = (get("_page_rows") ?? []).findIndex((r) => r.id === id) + 1 + (page() - 1) * get("page_size");
    // the version the edit starts from: a save another widget makes meanwhile is then a conflict, not overwritten
    state = { ...state, base: state.base ?? shownRow.updated };
    if (status?.state === "failed") state = withServerError(state, status);
    show({ focusFirst: true });
  }

  function show({ focusFirst = false } = {}) {
    const focused = row?.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
    row = state ? editorRow() : null;
    shown(row);
    if (row) refocus(focused, focusFirst);
  }

  function editorRow() {
    return buildEditor(state, {
      columns: columns(),
      saveLabel: get("schema")?.save === "version" ? "Stage edit" : "Save",
      viewId,
      signal,
      on: {
        change: (next) => {
          state = next;
          show();
        },
        field: (key) => open(state.id, key),
        raw: switchRaw,
        save,
        saveAsText: () => {
          state = { ...state, asText: true };
          save();
        },
        cancel: close,
      },
    });
  }

  /** The first control of the message just added (once), or null. */
  function addedControl() {
    const added = state.focusMessage != null ? row.querySelectorAll(".nbw-msg-edit")[state.focusMessage] : null;
    if (!added) return null;
    state.focusMessage = null;
    return added.querySelector("textarea") ?? added.querySelector("select");
  }

  /** Focus in the rebuilt editor: on a message just added, else the control named `focused`, else (on
   * opening) the first text box with the caret at its end. */
  function refocus(focused, focusFirst) {
    const again =
      focused && [...row.querySelectorAll("[aria-label]")].find((n) => n.getAttribute("aria-label") === focused);
    const target =
      addedControl() ?? again ?? (focusFirst ? row.querySelector("textarea, .nbw-msg-editor select") : null);
    target?.focus();
    if (target?.setSelectionRange && focusFirst) target.setSelectionRange(target.value.length, target.value.length);
    if (focusFirst) row.scrollIntoView?.({ block: "nearest" });
  }

  function switchRaw(raw) {
    if (raw) state = { ...state, raw, text: pretty(fromDrafts(state.drafts).value), error: "", errors: {} };
    else {
      try {
        state = { ...state, raw, drafts: toDrafts(JSON.parse(state.text)), error: "", errors: {} };
      } catch (error) {
        state = { ...state, error: `Messages must be valid JSON to edit them as messages: ${error.message}` };
      }
    }
    show();
  }

  function save() {
    const result = editorResult(state);
    if (result.error) {
      state = {
        ...state,
        error: result.error,
        errors: result.errors ?? {},
        asTextOffered: result.asTextOffered,
        warned: undefined, // a warning said before this error is said again once the error is fixed
      };
      return show();
    }
    // a likely slip (an empty assistant message) is said first; the same value saved again goes through
    const said = JSON.stringify(result.value);
    if (result.warning && state.warned !== said) {
      state = { ...state, error: result.warning, errors: result.warnings ?? {}, warned: said };
      return show();
    }
    const pending = state;
    close();
    const base = pending.base === undefined ? {} : { base: pending.base };
    request("edit", { datapoint_id: pending.id, field: pending.key, value: result.value, ...base }).catch((error) => {
      // refused before any request (e.g. nested inputs): reopen with the draft and the reason
      state = withServerError(pending, error.detail ?? { reason: error.message });
      show();
    });
  }

  function close() {
    state = null;
    show();
    focusTable();
  }

  /**
   * The page changed: an editor whose row left the page goes with it, its unsaved text kept (and said,
   * with a way to drop it); an editor kept for a row of this page opens again with that text.
   */
  function pageChanged() {
    const here = new Set((get("_page_rows") ?? []).map((r) => r.id));
    if (state && !here.has(state.id)) {
      if (unsaved(state)) kept.set(state.id, state);
      state = null;
      row = null;
    }
    const back = state ? null : [...kept.values()].find((draft) => here.has(draft.id));
    if (back) {
      kept.delete(back.id);
      state = back;
      show(); // not focused: the keys stay where the page change left them (the pager)
    }
    onKept([...kept.values()]);
  }

  function discard(id) {
    kept.delete(id);
    onKept([...kept.values()]);
  }

  return { open, pageChanged, discard, row: () => row };
}
