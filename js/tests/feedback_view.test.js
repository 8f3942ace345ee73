// FeedbackButtons' view (feedback/index.js) against a fake model: a refused pick leaves no stale state.
import assert from "node:assert/strict";
import { register } from "node:module";
import { test } from "node:test";
import { installDOM } from "./support/dom.js";
import { fakeModel } from "./support/model.js";

// the widget's entry imports its styles (esbuild bundles them): here they are empty modules
register(
  `data:text/javascript,${encodeURIComponent(
    'export async function load(url, context, next) { return url.endsWith(".css") ? { format: "module", source: "", shortCircuit: true } : next(url, context); }',
  )}`,
);
installDOM();
const { default: widget } = await import("../feedback/index.js");

test("a pick the kernel refuses: the status line's state says failed, not pending, beside the reason", async () => {
  const model = fakeModel({ kind: "thumbs", feedback_property: "rating", status: "idle", trace_id: "t1" });
  const el = document.createElement("div");
  const dispose = widget.render({ model, el });
  const status = el.descendants().find((n) => n.classList.contains("nbw-status"));
  const good = el.descendants().find((n) => n.tagName === "BUTTON" && n.textContent.trim() === "Good");
  good.dispatchEvent({ type: "click" });
  assert.equal(status.dataset.state, "pending");
  const [message] = model.sent;
  assert.equal(message.type, "submit");
  model.fire("msg:custom", { id: message.id, ok: false, error: { message: "rating: not a property here" } });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(status.dataset.state, "failed");
  assert.match(status.textContent, /not a property here/);
  dispose();
});
