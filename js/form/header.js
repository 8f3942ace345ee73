// The form's header (the evaluator's name, version, sandbox badge, unsaved changes, loading), its banner
// and notice, and the problems shown on their fields (or in the banner when no field holds them).
import { append, clear, h } from "../shared/dom.js";
import { problemsByField } from "./draft.js";

export function renderHeader({ header, banner, notice }, { get, draft }) {
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

/**
 * Each problem on its field's error line (the form's own once `shownProblem(path)`, the server's always),
 * the fields marked aria-invalid; problems no field holds go to the banner.
 */
export function renderProblems(banner, { get, fields, shownProblem }) {
  const mine = Object.entries(get("problems") ?? {}).filter(([path]) => shownProblem(path));
  const all = { ...Object.fromEntries(mine), ...(get("server_problems") ?? {}) };
  const { placed, loose } = problemsByField(all, new Set(fields.errorNodes.keys()));
  for (const [path, node] of fields.errorNodes) node.textContent = (placed.get(path) ?? []).join(" ");
  for (const [path, input] of fields.inputsByPath) input.setAttribute("aria-invalid", String(placed.has(path)));
  if (loose.length) banner.append(h("div", {}, loose.join("; ")));
}
