// FeedbackButtons front end: buttons (or a correction box) that send intents; the status is the kernel's.
import "../shared/theme.css";
import "./choices.css";
import "./feedback.css";
import { clampedText } from "../shared/cells.js";
import { clear, h, keepingFocus } from "../shared/dom.js";
import { startView } from "../shared/view.js";
import { choiceButton } from "./choice-button.js";
import { choicesFor, isPicked, nextValue, STATUS_TEXT } from "./choices.js";
import { correctionBox } from "./correction.js";

const isUndoKey = (event) => event.key === "Backspace" || ((event.ctrlKey || event.metaKey) && event.key === "z");
const MODES = { choice: "radio", choices: "checkbox" }; // how a choice button marks itself

function render({ model, el }) {
  // --- state -------------------------------------------------------------------------------
  const view = startView({ model, el, name: "feedback" });
  const { signal, request, get, viewId } = view;
  let optimistic; // the value clicked, shown at once until the kernel's value arrives
  let correction = get("value") ?? get("output") ?? "";

  // --- DOM -----------------------------------------------------------------------------------
  const generation = h("div", { class: "nbw-generation" });
  const controls = h("div", {
    class: "nbw-controls",
    role: get("kind") === "choice" ? "radiogroup" : "group",
    "aria-label": `Feedback: ${get("feedback_property")}`,
  });
  // on the controls' line: no line of its own kept empty until something is sent
  const status = h("span", { class: "nbw-status", role: "status", "aria-live": "polite" });
  // the property's name before the buttons; a correction box carries it in its own label instead
  const property = h("span", { class: "nbw-muted nbw-property" }, get("feedback_property"));
  const undo = h(
    "button",
    { type: "button", class: "nbw-undo", "aria-label": "Undo feedback", title: "Undo (Backspace or Ctrl+Z)" },
    "Undo",
  );
  const root = h(
    "div",
    { class: "nbw nbw-feedback", tabindex: "0", "aria-label": `Feedback on trace ${get("trace_id")}` },
    generation,
    h("div", { class: "nbw-toolbar" }, property, controls, undo, status),
    view.pending.element,
  );
  view.mount(root);

  function send(type, payload) {
    return request(type, payload).catch((error) => {
      optimistic = undefined;
      status.dataset.state = "failed"; // refused: no longer "pending" (the line says why)
      clear(status).append(h("span", { class: "nbw-field-error" }, error.message));
      renderControls();
    });
  }

  function pick(value) {
    optimistic = nextValue(get("kind"), current(), value);
    renderControls();
    // the state says what the line shows: pending until the kernel answers (a "sent" left over from the last
    // pick would tell a reader, or a test, that this one is through already)
    status.dataset.state = "pending";
    clear(status).append(h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " ", STATUS_TEXT.pending);
    if (get("kind") === "choices" && optimistic.length === 0) send("remove");
    else send("submit", { value: optimistic });
  }

  const choices = () =>
    choicesFor(get("kind"), {
      options: get("options"),
      min: get("score_min"),
      max: get("score_max"),
      step: get("score_step"),
    });
  const current = () => (optimistic !== undefined ? optimistic : get("value"));
  // an earlier value to go back to, or a feedback to remove
  const canUndo = () => Boolean(get("can_undo"));

  // --- rendering -------------------------------------------------------------------------------
  function renderGeneration() {
    clear(generation);
    generation.hidden = !get("show_generation");
    if (get("input")) generation.append(h("div", { class: "nbw-label" }, "Input"), clampedText(get("input")));
    if (get("output") && get("kind") !== "correction")
      generation.append(h("div", { class: "nbw-label" }, "Output"), clampedText(get("output")));
  }

  // the controls are rebuilt: focus goes to the rebuilt control, so Backspace can undo a pick made with it
  const renderControls = () => keepingFocus(root, drawControls);
  function drawControls() {
    const kind = get("kind");
    clear(controls);
    property.hidden = kind === "correction";
    controls.setAttribute("role", kind === "choice" ? "radiogroup" : "group");
    if (kind === "correction") {
      controls.append(
        correctionBox({
          viewId,
          label: get("feedback_property") === "correction" ? "Correction" : `Correction (${get("feedback_property")})`,
          text: correction,
          output: get("output"),
          signal,
          onInput: (text) => {
            correction = text;
          },
          onSend: sendCorrection,
        }),
      );
      return;
    }
    choices().forEach((choice, index) => {
      const pressed = isPicked(kind, current(), choice.value);
      controls.append(
        choiceButton(choice, {
          pressed,
          mode: MODES[kind],
          ariaLabel: choice.name === choice.label ? undefined : choice.name,
          title: index < 9 ? `${choice.name} (key ${index + 1})` : choice.name,
          onPick: () => pick(choice.value),
        }),
      );
    });
  }

  function sendCorrection() {
    if (!correction.trim()) return;
    optimistic = correction;
    send("submit", { value: correction });
  }

  const renderStatus = () => keepingFocus(root, drawStatus);
  function drawStatus() {
    const state = get("status");
    clear(status);
    status.dataset.state = state;
    if (state === "pending") status.append(h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " ");
    status.append(get("message") && state === "pending" ? get("message") : (STATUS_TEXT[state] ?? state));
    if (get("message") && state !== "pending")
      status.append(": ", h("span", { class: "nbw-field-error" }, get("message")));
    if (state === "retrying") {
      status.append(
        " · retrying in the background ",
        h("button", { type: "button", class: "nbw-link", onclick: () => send("retry") }, "Retry now"),
      );
    }
    undo.disabled = !canUndo();
  }

  function renderAll() {
    optimistic = undefined;
    renderGeneration();
    renderControls();
    renderStatus();
  }

  // --- keyboard: 1..9 pick, Enter sends a correction, Backspace or Ctrl/Cmd+Z undoes ---------------
  undo.addEventListener("click", () => send("undo"), { signal });
  // what a key does here, or null
  const pickKey = (key) => {
    const choice = choices()[Number(key) - 1];
    return choice && (() => pick(choice.value));
  };
  const correctionKey = (event) => get("kind") === "correction" && event.target === root && sendCorrection;
  const undoKey = (event) => isUndoKey(event) && canUndo() && (() => send("undo"));
  function keyAction(event) {
    if (/^[1-9]$/.test(event.key) && get("kind") !== "correction") return pickKey(event.key);
    return event.key === "Enter" ? correctionKey(event) : undoKey(event);
  }
  root.addEventListener(
    "keydown",
    (event) => {
      if (event.target.tagName === "TEXTAREA") return;
      const action = keyAction(event);
      if (!action) return;
      event.preventDefault();
      action();
    },
    { signal },
  );

  // --- reactions -----------------------------------------------------------------------------
  view.watch(["value", "kind", "options", "output", "input", "show_generation"], renderAll);
  view.watch(["status", "message", "feedback_id", "can_undo"], renderStatus);
  renderAll();

  return view.dispose;
}

export default { render };
