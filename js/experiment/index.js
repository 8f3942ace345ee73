// ExperimentReview front end: one row per datapoint with its output, the difference to the expected
// output and feedback controls; it renders the kernel's state and sends intents. Keyboard first.
// page.js reads the model (columns, the rows shown, the view's own state); rows.js draws the rows keyed
// (one row rebuilt per change) from cells.js, feedback-cell.js and compare.js / judging.js; chrome.js
// the toolbar, progress, judges' or comparison's bar and pager; keyboard.js the keys. render() wires them
// on the shared view preamble (shared/view.js).
import "../shared/theme.css";
import "../feedback/choices.css";
import "./experiment.css";
import { h, keepingFocus } from "../shared/dom.js";
import { useWriteStates } from "../shared/format.js";
import { startView } from "../shared/view.js";
import { createChrome } from "./chrome.js";
import { COMPARE_CHROME, COMPARE_STATE } from "./compare.js";
import { wireKeys } from "./keyboard.js";
import { CHROME_TRAITS, createPage, ROW_TRAITS } from "./page.js";
import { createRows } from "./rows.js";

function render({ model, el }) {
  const view = startView({ model, el, name: "experiment" });
  const { viewId } = view;
  useWriteStates(view.get("write_states")); // the states' words (statusBadge): the kernel's
  const x = createPage(view.get);
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
    signal: view.signal,
    set: view.set,
    send: (type, payload) =>
      view.request(type, payload).catch((error) => {
        chrome.showError(error.message);
        throw error;
      }),
    quietly: (promise) => promise.catch(() => {}), // the error is on screen already
    setView: (name, value) => {
      view.set(name, value); // the active row stays the same datapoint where the new view still shows it
      x.schedule();
    },
    setDiffMode: (value) => {
      x.ui.diffMode = value;
      scheduleChrome();
      x.schedule();
    },
    redraw: () => rows.render(),
  });
  const chrome = createChrome(x);
  x.showError = chrome.showError;
  x.root = h(
    "div",
    { class: "nbw nbw-experiment" },
    chrome.top,
    view.pending.element,
    chrome.status,
    h("div", { class: "nbw-scroll" }, grid),
    chrome.bottom,
  );
  const rows = createRows(x);
  wireKeys(x);

  view.on("change:page_number", () => {
    x.ui.active = 0;
    x.ui.editor = null;
  });
  x.schedule = view.watch([...ROW_TRAITS, ...COMPARE_STATE], rows.render);
  // the toolbar and the pager are rebuilt whole: focus goes on to the rebuilt control ("Next ›" stays focused)
  const scheduleChrome = view.watch([...CHROME_TRAITS, ...COMPARE_CHROME], () => keepingFocus(x.root, chrome.render));
  view.mount(x.root);
  chrome.render();
  rows.render();
  return view.dispose;
}

export default { render };
