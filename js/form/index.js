// EvaluatorForm front end: renders the draft, edits it, shows the kernel's problems on their fields.
import "../shared/theme.css";
import "./form.css";
import { createRequester } from "../shared/comm.js";
import { renderDiff } from "../shared/diff.js";
import { append, clear, h, keepingFocus, newViewId } from "../shared/dom.js";
import { isolateShortcuts } from "../shared/keys.js";
import { createPending } from "../shared/pending.js";
import { coalesced } from "../shared/schedule.js";
import {
  clone,
  defaultGuardrail,
  getAt,
  newJudge,
  OPERATORS,
  OUTPUT_TYPES,
  parseCodes,
  parseModels,
  parseNumber,
  problemsByField,
  same,
  setAt,
  withMode,
  withOutputType,
} from "./draft.js";
import { renderTry } from "./trying.js";

function render({ model, el }) {
  // --- state -------------------------------------------------------------------------------
  const controller = new AbortController();
  const { signal } = controller;
  const { request, dispose } = createRequester(model);
  const viewId = newViewId("form");
  let draft = clone(model.get("draft")) ?? {};
  let errorNodes = new Map(); // field path -> the element that shows its problem
  let inputsByPath = new Map();
  let sendTimer = null;
  const get = (name) => model.get(name);
  // A field's problem shows once the field was touched (typed in, changed) or a save was tried: a blank new form, or a judge just added, does not open with a column of errors.
  const touched = new Set();
  let saveTried = false;
  let refreshPromptChanges = () => {};
  const shownProblem = (path) => saveTried || [...touched].some((t) => path === t || path.startsWith(`${t}.`));

  function commit() {
    clearTimeout(sendTimer);
    sendTimer = null;
    model.set("draft", clone(draft));
    model.save_changes();
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
  const pending = createPending({
    get: (name) => model.get(name),
    send: (type, payload) => request(type, payload).catch(() => null),
    viewId,
  });
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
    pending.element,
    banner,
    notice,
    body,
    footer,
    trying,
  );
  root.addEventListener("submit", (event) => event.preventDefault(), { signal });
  keepFooterInView();
  isolateShortcuts(root, signal);
  el.append(root);
  growInMarimo();

  /**
   * marimo caps a cell's output at about 610 px and scrolls it inside the page: a jury form would sit in a
   * scroll box of its own (two scrollbars, the save bar at the bottom of the small box). The box around
   * this form (marimo's, found through the shadow root) is let grow; it is put back when the view goes.
   */
  function growInMarimo() {
    const restore = [];
    const grow = () => {
      let node = el.getRootNode?.()?.host ?? el.parentElement;
      const inMarimo = (n) => n?.closest?.(".marimo-cell, [data-cell-id]");
      for (let depth = 0; node && depth < 8; depth++) {
        if (!inMarimo(node)) return;
        const style = getComputedStyle(node);
        if (style.maxHeight !== "none" && /(auto|scroll)/.test(style.overflowY) && !restore.some(([n]) => n === node)) {
          restore.push([node, node.style.maxHeight]);
          node.style.maxHeight = "none";
        }
        if (node.matches?.(".marimo-cell")) return;
        node = node.parentElement ?? node.getRootNode?.()?.host ?? null;
      }
    };
    // the view is put in the page after render returns
    requestAnimationFrame(grow);
    setTimeout(grow, 500);
    signal.addEventListener("abort", () => {
      for (const [node, value] of restore) node.style.maxHeight = value;
    });
  }

  /**
   * The save bar stays at the bottom of the view while the form runs past it. CSS sticky does that where
   * no box between the form and the page's scroller clips (JupyterLab's output area does: overflow-x), so
   * the bar is lifted by hand to the visible bottom of every scroller around it.
   */
  function keepFooterInView() {
    let frame = 0;
    const place = () => {
      frame = 0;
      if (!footer.isConnected) return;
      footer.style.transform = "";
      const bar = footer.getBoundingClientRect();
      const form = root.getBoundingClientRect();
      let bottom = window.innerHeight;
      for (let node = root.parentElement ?? root.getRootNode()?.host; node; ) {
        const style = getComputedStyle(node);
        if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight)
          bottom = Math.min(bottom, node.getBoundingClientRect().bottom);
        node = node.parentElement ?? node.getRootNode?.()?.host ?? null;
      }
      // lifted at most to the form's top (a form scrolled almost out of view keeps its bar with it)
      const lift = Math.min(bar.bottom - bottom, bar.top - form.top);
      footer.classList.toggle("nbw-lifted", lift > 0);
      if (lift > 0) footer.style.transform = `translateY(${-lift}px)`;
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(place);
    };
    document.addEventListener("scroll", schedule, { capture: true, passive: true, signal });
    window.addEventListener("resize", schedule, { signal });
    if (typeof ResizeObserver !== "undefined") {
      const observer = new ResizeObserver(schedule);
      observer.observe(root);
      signal.addEventListener("abort", () => observer.disconnect());
    }
    schedule();
  }

  // --- building blocks -------------------------------------------------------------------------
  let fieldCount = 0;
  function field(label, path, control, { hint } = {}) {
    const key = path.join(".");
    const id = `${viewId}-f${++fieldCount}`;
    const error = h("div", { class: "nbw-field-error", id: `${id}-error`, "aria-live": "polite" });
    control.id = id;
    control.dataset.path = key;
    control.dataset.focusKey = key; // ids are new on each build: the path names the field across builds
    control.setAttribute("aria-describedby", `${id}-error${hint ? ` ${id}-hint` : ""}`);
    const touch = () => {
      if (touched.has(key)) return;
      touched.add(key);
      renderProblems();
      renderFooter();
    };
    control.addEventListener("input", touch, { signal });
    control.addEventListener("change", touch, { signal });
    errorNodes.set(key, error);
    inputsByPath.set(key, control);
    return h(
      "div",
      { class: "nbw-field" },
      h("label", { for: id }, label),
      control,
      hint ? h("div", { class: "nbw-muted", id: `${id}-hint` }, hint) : null,
      error,
    );
  }

  function text(path, attrs = {}, parse = (v) => v) {
    const value = getAt(draft, path);
    const input = h(attrs.multiline ? "textarea" : "input", {
      ...(attrs.multiline ? { rows: "8" } : { type: attrs.type ?? "text" }),
      value: value == null ? "" : attrs.format ? attrs.format(value) : String(value),
      min: attrs.min,
      max: attrs.max,
      step: attrs.step,
      list: attrs.list,
      placeholder: attrs.placeholder,
      spellcheck: attrs.multiline ? "false" : undefined,
    });
    input.addEventListener("input", () => change(path, parse(input.value)), { signal });
    return input;
  }

  function select(path, options, onPick) {
    const current = getAt(draft, path);
    const node = h(
      "select",
      {},
      Object.entries(options).map(([value, label]) =>
        h("option", { value, selected: String(current) === value }, label),
      ),
    );
    node.addEventListener("change", () => onPick(node.value), { signal });
    return node;
  }

  function checkbox(label, checked, onToggle, path) {
    const id = `${viewId}-c${++fieldCount}`;
    const box = h("input", { type: "checkbox", id, checked: Boolean(checked) });
    box.dataset.focusKey = path ?? `check:${label}`;
    if (path) {
      box.dataset.path = path;
      inputsByPath.set(path, box);
    }
    box.addEventListener("change", () => onToggle(box.checked), { signal });
    return h("label", { class: "nbw-check", for: id }, box, " ", label);
  }

  function errorFor(path) {
    const node = h("div", { class: "nbw-field-error", "aria-live": "polite" });
    errorNodes.set(path, node);
    return node;
  }

  // --- the form ------------------------------------------------------------------------------
  // the form is rebuilt whole on a structural change (a checkbox, the mode...): focus goes on to the
  // rebuilt control, not to the page
  const build = () => keepingFocus(root, drawForm);
  function drawForm() {
    errorNodes = new Map();
    inputsByPath = new Map();
    const jury = draft.mode === "jury";
    const labels = (draft.categorical_labels ?? []).map((l) => l.value);
    const models = h(
      "datalist",
      { id: `${viewId}-models` },
      get("suggested_models").map((m) => h("option", { value: m })),
    );

    const sections = [
      h(
        "div",
        { class: "nbw-grid2" },
        field("Key", ["key"], text(["key"], { placeholder: "tone_check" }), {
          hint: "Letters, digits, _ and -; starts and ends with a letter or digit.",
        }),
        field("Path", ["path"], text(["path"], { placeholder: "Default" }), { hint: "project/folder/..." }),
      ),
      field("Description", ["description"], text(["description"])),
      h(
        "div",
        { class: "nbw-grid2" },
        field(
          "Output type",
          ["output_type"],
          select(["output_type"], Object.fromEntries(OUTPUT_TYPES.map((t) => [t, t])), (value) =>
            replace(withOutputType(draft, value)),
          ),
        ),
        field(
          "Repetitions",
          ["repetitions"],
          text(["repetitions"], { type: "number", min: "1", max: "3", step: "1" }, parseNumber),
          { hint: "1 to 3 runs per evaluation" },
        ),
      ),
    ];
    if (draft.output_type === "categorical") sections.push(labelsSection());
    sections.push(
      h(
        "fieldset",
        { class: "nbw-fieldset" },
        h("legend", {}, "Judging"),
        h(
          "div",
          { class: "nbw-radios", role: "radiogroup", "aria-label": "Mode" },
          ["single", "jury"].map((mode) => {
            const id = `${viewId}-mode-${mode}`;
            const radio = h("input", {
              type: "radio",
              name: `${viewId}-mode`,
              id,
              value: mode,
              checked: draft.mode === mode,
            });
            radio.dataset.path = `mode.${mode}`;
            radio.dataset.focusKey = `mode.${mode}`;
            radio.addEventListener("change", () => replace(withMode(draft, mode)), { signal });
            return h("label", { for: id, class: "nbw-check" }, radio, mode === "single" ? " Single judge" : " Jury");
          }),
        ),
        jury
          ? jurySection()
          : field("Model", ["model"], text(["model"], { list: `${viewId}-models`, placeholder: "provider/model" })),
        models,
      ),
    );
    const prompt = text(["prompt"], { multiline: true, placeholder: "Is {{output}} a good answer to {{input}}?" });
    // what changed in the prompt since it was loaded, word by word (the diff the grid and feedback use)
    const promptChanges = h("div", { class: "nbw-diff", role: "group", "aria-label": "Prompt changes" });
    const showPromptChanges = () => {
      const before = get("original")?.prompt ?? "";
      promptChanges.hidden = !get("evaluator_id") || before === prompt.value;
      if (!promptChanges.hidden)
        renderDiff(promptChanges, before, prompt.value, {
          names: { before: "saved prompt", after: "prompt as edited" },
        });
    };
    prompt.addEventListener("input", showPromptChanges, { signal });
    showPromptChanges();
    refreshPromptChanges = showPromptChanges; // a save or a reload changes what the prompt is compared with
    sections.push(
      field("Prompt", ["prompt"], prompt),
      promptChanges,
      h("div", { class: "nbw-variables", "aria-live": "polite" }),
    );
    sections.push(guardrailSection(labels));
    clear(body).append(...sections);
    renderVariables();
    renderFooter();
    renderHeader();
    renderProblems();
  }

  function labelsSection() {
    const list = draft.categorical_labels ?? [];
    return h(
      "fieldset",
      { class: "nbw-fieldset" },
      h("legend", {}, "Categorical labels"),
      list.map((_label, index) =>
        h(
          "div",
          { class: "nbw-row" },
          field(
            `Label ${index + 1}`,
            ["categorical_labels", index, "value"],
            text(["categorical_labels", index, "value"]),
          ),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Remove label ${index + 1}`,
              onclick: () => replace({ ...draft, categorical_labels: list.filter((_, i) => i !== index) }),
            },
            "Remove",
          ),
        ),
      ),
      h(
        "button",
        { type: "button", onclick: () => replace({ ...draft, categorical_labels: [...list, { value: "" }] }) },
        "Add label",
      ),
      errorFor("categorical_labels"),
    );
  }

  function judgeBlock(group, _judge, index, count) {
    const base = ["jury", group, index];
    const title = group === "judges" ? `Judge ${index + 1}` : `Replacement judge ${index + 1}`;
    const about =
      group === "judges"
        ? null
        : h(
            "div",
            { class: "nbw-muted nbw-hint" },
            "Steps in for a judge that fails (after its retries and fallback models), so the jury can still reach its minimum.",
          );
    const remove = h(
      "button",
      {
        type: "button",
        "aria-label": `Remove ${title.toLowerCase()}`,
        onclick: () => {
          const list = draft.jury[group].filter((_, i) => i !== index);
          replace(setAt(draft, ["jury", group], list));
        },
      },
      "Remove",
    );
    return h(
      "fieldset",
      { class: "nbw-fieldset nbw-judge" },
      h("legend", {}, title),
      about,
      h(
        "div",
        { class: "nbw-grid3" },
        field(
          "Model",
          [...base, "model"],
          text([...base, "model"], { list: `${viewId}-models`, placeholder: "provider/model" }),
        ),
        field(
          "Retries",
          [...base, "retry", "count"],
          text([...base, "retry", "count"], { type: "number", min: "1", max: "5", step: "1" }, parseNumber),
          { hint: "1 to 5" },
        ),
        field(
          "Retry on status codes",
          [...base, "retry", "on_codes"],
          text([...base, "retry", "on_codes"], { format: (codes) => codes.join(", ") }, parseCodes),
          { hint: "e.g. 429, 500, 503" },
        ),
      ),
      field(
        "Fallback models",
        [...base, "fallbacks"],
        text([...base, "fallbacks"], { format: (f) => f.map((x) => x.model).join(", ") }, parseModels),
        { hint: "comma-separated, tried in order" },
      ),
      count > 0 ? remove : null,
    );
  }

  function jurySection() {
    const jury = draft.jury ?? { judges: [] };
    const judges = jury.judges ?? [];
    const replacements = jury.replacement_judges ?? [];
    return h(
      "div",
      { class: "nbw-jury" },
      judges.map((judge, i) => judgeBlock("judges", judge, i, judges.length)),
      errorFor("jury.judges"),
      h(
        "button",
        { type: "button", onclick: () => replace(setAt(draft, ["jury", "judges"], [...judges, newJudge()])) },
        "Add judge",
      ),
      replacements.map((judge, i) => judgeBlock("replacement_judges", judge, i, replacements.length)),
      h(
        "button",
        {
          type: "button",
          onclick: () => replace(setAt(draft, ["jury", "replacement_judges"], [...replacements, newJudge()])),
        },
        "Add replacement judge",
      ),
      replacements.length
        ? null
        : h(
            "div",
            { class: "nbw-muted nbw-hint" },
            "A replacement judge steps in for a judge that fails, so the jury can still reach its minimum.",
          ),
      h(
        "div",
        { class: "nbw-grid2" },
        field(
          "Min successful judges",
          ["jury", "min_successful_judges"],
          text(["jury", "min_successful_judges"], { type: "number", min: "2", step: "1" }, parseNumber),
          { hint: `at least 2, at most ${judges.length}` },
        ),
        field("Tie value", ["jury", "tie_value"], text(["jury", "tie_value"]), {
          hint: "The result given when the judges' votes are split evenly.",
        }),
      ),
      errorFor("jury"),
    );
  }

  function guardrailSection(labels) {
    const guardrail = draft.guardrail_config;
    const children = [h("legend", {}, "Guardrail")];
    if (draft.output_type === "string") {
      children.push(
        h("div", { class: "nbw-muted" }, "String outputs have no guardrail."),
        errorFor("guardrail_config.type"),
      );
      return h("fieldset", { class: "nbw-fieldset" }, children);
    }
    children.push(
      checkbox(
        "Use a guardrail",
        guardrail != null,
        (on) => replace({ ...draft, guardrail_config: on ? defaultGuardrail(draft.output_type, labels) : null }),
        "guardrail_config",
      ),
    );
    if (guardrail) {
      children.push(
        checkbox(
          "Enabled",
          guardrail.enabled !== false,
          (on) => change(["guardrail_config", "enabled"], on),
          "guardrail_config.enabled",
        ),
        checkbox(
          "Alert on failure",
          guardrail.alert_on_failure,
          (on) => change(["guardrail_config", "alert_on_failure"], on),
          "guardrail_config.alert_on_failure",
        ),
      );
      if (guardrail.type === "boolean") {
        children.push(
          field(
            "Passes when the result is",
            ["guardrail_config", "value"],
            select(["guardrail_config", "value"], { true: "true", false: "false" }, (v) =>
              change(["guardrail_config", "value"], v === "true"),
            ),
          ),
        );
      } else if (guardrail.type === "number") {
        children.push(
          h(
            "div",
            { class: "nbw-grid2" },
            field(
              "Operator",
              ["guardrail_config", "operator"],
              select(["guardrail_config", "operator"], OPERATORS, (v) => change(["guardrail_config", "operator"], v)),
            ),
            field(
              "Threshold",
              ["guardrail_config", "value"],
              text(["guardrail_config", "value"], { type: "number", step: "any" }, parseNumber),
            ),
          ),
        );
      } else if (guardrail.type === "categorical") {
        const chosen = new Set(guardrail.values ?? []);
        children.push(
          h(
            "div",
            { class: "nbw-radios", role: "group", "aria-label": "Passing labels" },
            h("span", { class: "nbw-muted" }, "Passing labels: "),
            labels.map((label) =>
              checkbox(label || "(empty)", chosen.has(label), (on) => {
                const values = on ? [...chosen, label] : [...chosen].filter((v) => v !== label);
                change(
                  ["guardrail_config", "values"],
                  labels.filter((l) => values.includes(l)),
                  { rebuild: true },
                );
              }),
            ),
          ),
          errorFor("guardrail_config.values"),
        );
      }
      children.push(errorFor("guardrail_config.type"));
    }
    return h("fieldset", { class: "nbw-fieldset" }, children);
  }

  // --- parts that follow the kernel ---------------------------------------------------------------
  function renderVariables() {
    const node = body.querySelector(".nbw-variables");
    if (!node) return;
    const names = get("variables") ?? [];
    append(clear(node), [
      h("span", { class: "nbw-muted" }, names.length ? "Variables: " : "No {{variables}} in the prompt yet."),
      names.map((name) => h("code", { class: "nbw-chip" }, `{{${name}}}`)),
    ]);
  }

  function renderHeader() {
    const title = get("evaluator_id") ? `Evaluator ${draft.key || get("evaluator_id")}` : "New evaluator";
    append(clear(header), [
      h("span", { class: "nbw-title" }, title),
      get("version") ? h("span", { class: "nbw-badge" }, `v${get("version")}`) : null,
      get("is_sandbox")
        ? h("span", { class: "nbw-badge nbw-sandbox", title: get("source_label") }, "Sandbox data")
        : null,
      get("dirty") ? h("span", { class: "nbw-dirty", title: "Unsaved changes" }, "● Unsaved changes") : null,
      get("loading")
        ? h("span", { class: "nbw-muted" }, h("span", { class: "nbw-spinner", "aria-hidden": "true" }), " Loading…")
        : null,
    ]);
    clear(banner);
    if (get("banner")) banner.append(h("span", {}, get("banner")));
    notice.hidden = !get("notice");
    notice.textContent = get("notice");
  }

  function problemCount() {
    return Object.keys(get("problems") ?? {}).length;
  }

  function renderFooter() {
    const existing = Boolean(get("evaluator_id"));
    const saving = get("saving");
    const blocked = problemCount() > 0;
    const shownCount = Object.keys(get("problems") ?? {}).filter(shownProblem).length;
    const save = h(
      "button",
      {
        type: "button",
        class: "nbw-primary",
        // problems on show: fix them first; problems not on show yet (a blank new form): a click shows them
        disabled: shownCount > 0 || !get("dirty") || saving,
        title: "Save (Ctrl+S)",
        onclick: save_,
        dataset: { focusKey: "save" }, // its words change while it saves
      },
      saving ? "Saving…" : existing ? "Save" : "Create evaluator",
    );
    const parts = [];
    if (existing) {
      const bump = h(
        "select",
        { "aria-label": "Version bump" },
        ["none", "patch", "minor", "major"].map((v) =>
          h(
            "option",
            { value: v, selected: get("version_increment") === v },
            v === "none" ? "no version bump" : `${v} version`,
          ),
        ),
      );
      bump.addEventListener(
        "change",
        () => {
          model.set("version_increment", bump.value);
          model.save_changes();
        },
        { signal },
      );
      const description = h("input", {
        type: "text",
        "aria-label": "Version description",
        placeholder: "What changed (optional)",
        value: get("version_description"),
      });
      description.addEventListener(
        "input",
        () => {
          model.set("version_description", description.value);
          model.save_changes();
        },
        { signal },
      );
      parts.push(bump, description);
    }
    parts.push(
      save,
      h(
        "button",
        { type: "button", disabled: !get("dirty") || saving, onclick: () => afterKeystrokes("reset") },
        "Reset",
      ),
    );
    if (existing)
      parts.push(h("button", { type: "button", disabled: saving, onclick: () => afterKeystrokes("reload") }, "Reload"));
    clear(footer).append(
      h(
        "div",
        { class: "nbw-form-problems", role: "status" },
        blocked && shownCount ? `${problemCount()} problem${problemCount() > 1 ? "s" : ""} to fix before saving` : "",
      ),
      h("div", { class: "nbw-toolbar" }, parts),
    );
  }

  function renderProblems() {
    const mine = Object.entries(get("problems") ?? {}).filter(([path]) => shownProblem(path));
    const all = { ...Object.fromEntries(mine), ...(get("server_problems") ?? {}) };
    const { placed, loose } = problemsByField(all, new Set(errorNodes.keys()));
    for (const [path, node] of errorNodes) node.textContent = (placed.get(path) ?? []).join(" ");
    for (const [path, input] of inputsByPath) input.setAttribute("aria-invalid", String(placed.has(path)));
    if (loose.length) banner.append(h("div", {}, loose.join("; ")));
  }

  // Reset and Reload replace the draft: the last keystrokes go first, so they cannot land after it
  function afterKeystrokes(intent) {
    if (sendTimer) commit();
    return request(intent).catch(showError);
  }

  function showError(error) {
    clear(banner).append(h("span", {}, error.message));
  }

  // The last keystrokes go to the kernel with the save (JupyterLab also delivers the trait update first;
  // marimo may not): the kernel, which has seen them, decides whether there is anything to save and whether it is valid. The
  // traits here (dirty, problems) may still describe the draft before those keystrokes.
  function save_() {
    if (sendTimer) commit();
    if (!saveTried) {
      saveTried = true;
      renderProblems();
      renderFooter();
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
        save_();
      }
    },
    { signal },
  );

  // --- reactions -----------------------------------------------------------------------------
  const onDraft = () => {
    const incoming = get("draft");
    if (same(incoming, draft)) return;
    if (sendTimer) return; // our own newer keystrokes are on their way
    draft = clone(incoming);
    build();
  };
  const onState = coalesced(() =>
    keepingFocus(root, () => {
      renderHeader();
      renderFooter();
      renderProblems();
    }),
  );
  const onProblems = onState;
  const onTry = coalesced(() =>
    keepingFocus(root, () => renderTry(trying, { get, request, viewId, local: tryPicks, onError: showError })),
  );
  // saved or reloaded: the form starts afresh (problems show again on touch), compared with the new values
  const onOriginal = () => {
    saveTried = false;
    touched.clear();
    refreshPromptChanges();
  };
  const watched = {
    draft: onDraft,
    original: onOriginal,
    problems: onProblems,
    server_problems: onProblems,
    variables: renderVariables,
  };
  for (const name of ["dirty", "saving", "notice", "banner", "version", "evaluator_id", "loading", "version_increment"])
    watched[name] = onState;
  for (const name of ["try_rows", "try_status", "try_options", "dirty", "evaluator_id", "version"]) {
    const before = watched[name];
    watched[name] = before
      ? () => {
          before();
          onTry();
        }
      : onTry;
  }
  watched.pending_writes = () => keepingFocus(root, pending.render);
  for (const [name, fn] of Object.entries(watched)) model.on(`change:${name}`, fn);
  build();
  onTry();
  pending.render();

  return () => {
    controller.abort();
    clearTimeout(sendTimer);
    dispose();
    pending.dispose();
    for (const [name, fn] of Object.entries(watched)) model.off(`change:${name}`, fn);
  };
}

export default { render };
