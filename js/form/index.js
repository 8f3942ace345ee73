// EvaluatorForm front end: renders the draft, edits it, shows the kernel's problems on their fields.
// Blocks: fields.js (field builders), sections.js (basics, labels, judging, prompt) with jury.js and
// guardrail.js, header.js (title, banner, problems), footer.js (save bar), placement.js (the host page),
// trying.js (try on a dataset), draft.js (pure helpers); render() holds the draft and wires them.
import "../shared/theme.css";
import "./form.css";
import { clear, h, keepingFocus } from "../shared/dom.js";
import { startView } from "../shared/view.js";
import { clone, same, setAt, useVocabulary } from "./draft.js";
import { createFields } from "./fields.js";
import { renderFooter } from "./footer.js";
import { guardrailSection } from "./guardrail.js";
import { renderHeader, renderProblems } from "./header.js";
import { growInMarimo, keepFooterInView } from "./placement.js";
import { basicsSection, judgingSection, labelsSection, promptSection, renderVariables } from "./sections.js";
import { renderTry } from "./trying.js";

function render({ model, el }) {
  // --- state -------------------------------------------------------------------------------
  const view = startView({ model, el, name: "form" });
  const { signal, request, get, set, viewId } = view;
  useVocabulary(get("vocabulary")); // the evaluator's enums and defaults, from the kernel (draft.js)
  let draft = clone(get("draft")) ?? {};
  let sendTimer = null;
  // A field's problem shows once the field was touched (typed in, changed) or a save was tried: a blank new form, or a judge just added, does not open with a column of errors.
  // A field a mode switch leaves empty (Judge 2's model, the single model) counts as touched: Save stays off.
  const touched = new Set();
  let saveTried = false;
  let refreshPromptChanges = () => {};
  const shownProblem = (path) => saveTried || [...touched].some((t) => path === t || path.startsWith(`${t}.`));

  function commit() {
    clearTimeout(sendTimer);
    sendTimer = null;
    set("draft", clone(draft));
  }
  function change(path, value, { rebuild = false } = {}) {
    draft = setAt(draft, path, value);
    clearTimeout(sendTimer);
    if (rebuild) {
      commit();
      build();
    } else {
      sendTimer = setTimeout(commit, 150); // typing: one update per pause, not per key
    }
  }
  function replace(next) {
    draft = next;
    commit();
    build();
  }

  // --- DOM -----------------------------------------------------------------------------------
  const header = h("div", { class: "nbw-toolbar" });
  const banner = h("div", { class: "nbw-alert", role: "alert" });
  const notice = h("div", { class: "nbw-notice", role: "status" });
  const body = h("div", { class: "nbw-form-body" });
  const footer = h("div", { class: "nbw-form-footer" });
  const trying = h("div", { class: "nbw-try-box" });
  const tryPicks = { open: false, dataset: "", deployment: "", limit: 10, page: 1 }; // this view's own picks
  const root = h(
    "form",
    { class: "nbw nbw-form", novalidate: true, "aria-label": "LLM evaluator" },
    header,
    view.pending.element,
    banner,
    notice,
    body,
    footer,
    trying,
  );
  root.addEventListener("submit", (event) => event.preventDefault(), { signal });
  keepFooterInView(root, footer, signal);
  view.mount(root);
  growInMarimo(el, signal);

  const fields = createFields({
    viewId,
    signal,
    draft: () => draft,
    change,
    onTouch: (path) => {
      if (touched.has(path)) return;
      touched.add(path);
      showProblems();
      showFooter();
    },
  });
  // the guardrail each output type had when the user left it (draft.js withOutputType): a round trip keeps it
  const keptGuardrails = {};
  const touch = (paths) => {
    for (const path of paths) touched.add(path);
  };
  const form = { viewId, signal, get, draft: () => draft, change, replace, touch, keptGuardrails, ...fields };

  // --- the form ------------------------------------------------------------------------------
  // the form is rebuilt whole on a structural change (a checkbox, the mode...): focus goes on to the
  // rebuilt control, not to the page
  const build = () => keepingFocus(root, drawForm);
  function drawForm() {
    fields.reset();
    const labels = (draft.categorical_labels ?? []).map((l) => l.value);
    const prompt = promptSection(form);
    refreshPromptChanges = prompt.refresh; // a save or a reload changes what the prompt is compared with
    clear(body).append(
      ...basicsSection(form),
      ...(draft.output_type === "categorical" ? [labelsSection(form)] : []),
      judgingSection(form),
      ...prompt.nodes,
      guardrailSection(form, labels),
    );
    showVariables();
    showFooter();
    renderHeader({ header, banner, notice }, { get, draft });
    showProblems();
  }

  // --- parts that follow the kernel ---------------------------------------------------------------
  const showVariables = () => renderVariables(body, get("variables") ?? []);
  const showProblems = () => renderProblems(banner, { get, fields, shownProblem });
  const showFooter = () => renderFooter(footer, { get, set, signal, shownProblem, onSave: save, intent });

  // Reset and Reload replace the draft: the last keystrokes go first, so they cannot land after it
  function intent(name) {
    if (sendTimer) commit();
    return request(name).catch(showError);
  }

  function showError(error) {
    clear(banner).append(h("span", {}, error.message));
  }

  // The last keystrokes go to the kernel with the save (JupyterLab also delivers the trait update first;
  // marimo may not): the kernel, which has seen them, decides whether there is anything to save and whether it is valid. The
  // traits here (dirty, problems) may still describe the draft before those keystrokes.
  function save() {
    if (sendTimer) commit();
    if (!saveTried) {
      saveTried = true;
      showProblems();
      showFooter();
    }
    clear(banner);
    // the draft as typed goes with the intent: marimo may deliver the trait update after this message
    request("save", { typed: clone(draft) }).catch(showError);
  }

  root.addEventListener(
    "keydown",
    (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        save();
      }
    },
    { signal },
  );

  // --- reactions -----------------------------------------------------------------------------
  view.on("change:draft", () => {
    const incoming = get("draft");
    if (same(incoming, draft)) return;
    if (sendTimer) return; // our own newer keystrokes are on their way
    draft = clone(incoming);
    for (const type of Object.keys(keptGuardrails)) delete keptGuardrails[type]; // reset, reload: start afresh
    build();
  });
  // saved or reloaded: the form starts afresh (problems show again on touch), compared with the new values
  view.on("change:original", () => {
    saveTried = false;
    touched.clear();
    refreshPromptChanges();
  });
  view.on("change:variables", showVariables);
  const state = ["dirty", "saving", "notice", "banner", "version", "evaluator_id", "loading", "version_increment"];
  view.watch([...state, "problems", "server_problems"], () =>
    keepingFocus(root, () => {
      renderHeader({ header, banner, notice }, { get, draft });
      showFooter();
      showProblems();
    }),
  );
  const showTry = () =>
    keepingFocus(root, () => renderTry(trying, { get, request, viewId, local: tryPicks, onError: showError }));
  view.watch(["try_rows", "try_status", "try_options", "dirty", "evaluator_id", "version"], showTry);
  build();
  showTry();

  return () => {
    clearTimeout(sendTimer);
    view.dispose();
  };
}

export default { render };
