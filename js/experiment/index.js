// ExperimentReview front end: one row per datapoint with its output, the difference to the expected
// output and feedback controls; it renders the kernel's state and sends intents. Keyboard first.
// page.js reads the model (columns, the rows shown, the view's own state); rows.js draws the rows keyed
// (one row rebuilt per change) from cells.js, feedback-cell.js and compare.js / judging.js; chrome.js
// the toolbar, progress, judges' or comparison's bar and pager; keyboard.js the keys. render() wires them.
import "../shared/theme.css";
import "../feedback/choices.css";
import "./experiment.css";
import { createRequester } from "../shared/comm.js";
import { h, keepingFocus, newViewId } from "../shared/dom.js";
import { isolateShortcuts } from "../shared/keys.js";
import { createPending } from "../shared/pending.js";
import { coalesced } from "../shared/schedule.js";
import { createChrome } from "./chrome.js";
import { COMPARE_CHROME, COMPARE_STATE } from "./compare.js";
import { wireKeys } from "./keyboard.js";
import { CHROME_TRAITS, createPage, ROW_TRAITS } from "./page.js";
import { createRows } from "./rows.js";

function render({ model, el }) {
  const controller = new AbortController();
  const { request, dispose } = createRequester(model);
  const viewId = newViewId("experiment");
  const x = createPage((name) => model.get(name));
  const grid = h("div", {
    class: "nbw-xgrid",
    role: "grid",
    tabindex: "0",
    "aria-label": "Experiment outputs",
    "aria-describedby": `${viewId}-keys`,
  });
  Object.assign(x, {
    viewId,
    grid,
    signal: controller.signal,
    send: (type, payload) =>
      request(type, payload).catch((error) => {
        chrome.showError(error.message);
        throw error;
      }),
    quietly: (promise) => promise.catch(() => {}), // the error is on screen already
    set: (name, value) => {
      model.set(name, value);
      model.save_changes();
    },
    setView: (name, value) => {
      x.set(name, value); // the active row stays the same datapoint where the new view still shows it
      scheduleRows();
    },
    setDiffMode: (value) => {
      x.ui.diffMode = value;
      scheduleChrome();
      scheduleRows();
    },
    redraw: () => rows.render(),
    schedule: () => scheduleRows(),
  });
  const chrome = createChrome(x);
  const pending = createPending({
    get: x.get,
    send: (type, payload) => request(type, payload).catch(() => null),
    viewId,
  });
  x.root = h(
    "div",
    { class: "nbw nbw-experiment" },
    chrome.top,
    pending.element,
    chrome.status,
    h("div", { class: "nbw-scroll" }, grid),
    chrome.bottom,
  );
  x.showError = chrome.showError;
  const rows = createRows(x);
  wireKeys(x);
  isolateShortcuts(x.root, controller.signal);
  el.append(x.root);

  const scheduleRows = coalesced(rows.render);
  // the toolbar and the pager are rebuilt whole: focus goes on to the rebuilt control ("Next ›" stays focused)
  const scheduleChrome = coalesced(() => keepingFocus(x.root, chrome.render));
  const onPage = () => {
    x.ui.active = 0;
    x.ui.editor = null;
  };
  const onPending = () => keepingFocus(x.root, pending.render);
  const listeners = [
    ["change:page_number", onPage],
    ...[...ROW_TRAITS, ...COMPARE_STATE].map((name) => [`change:${name}`, scheduleRows]),
    ...[...CHROME_TRAITS, ...COMPARE_CHROME].map((name) => [`change:${name}`, scheduleChrome]),
    ["change:pending_writes", onPending],
  ];
  for (const [event, handler] of listeners) model.on(event, handler);
  chrome.render();
  rows.render();
  pending.render();

  return () => {
    controller.abort();
    dispose();
    for (const [event, handler] of listeners) model.off(event, handler);
    pending.dispose();
  };
}

export default { render };
