// The opening every widget's render() shares: an abort signal for its listeners, the requester for intents,
// an id unique in the page, the pending-writes header, model listeners undone at the end, and the root put
// in the page with the notebook's shortcuts kept out. A render() reads:
//
//   const view = startView({ model, el, name: "form" });
//   const root = h("div", { class: "nbw ..." }, header, view.pending.element, body);
//   view.watch(["draft", "problems"], renderBody); // coalesced: once per sync message
//   view.mount(root);
//   return view.dispose;

import { createRequester } from "./comm.js";
import { keepingFocus, newViewId } from "./dom.js";
import { isolateShortcuts } from "./keys.js";
import { createPending } from "./pending.js";
import { coalesced } from "./schedule.js";

/**
 * Start a view of `model` in `el`. `name` names the view in its id ("grid" -> "nbw-grid-…-3"). `send(type, payload)`
 * is how the pending-writes header sends its intents (retry now; default: the request, its failure ignored);
 * `goTo(item)`, when given, offers a way to a write's row.
 *
 * Returns {signal, request, get, set, viewId, pending, on, watch, mount, dispose}:
 * - `signal` aborts when the view goes (pass it to addEventListener);
 * - `request(type, payload)` sends an intent and resolves with its answer (comm.js);
 * - `get(name)` reads a trait; `set(name, value)` writes one the front end owns and saves it;
 * - `pending` is the header part: put `pending.element` in the root before `mount`;
 * - `on(event, handler)` listens to the model until the view goes; `watch(names, fn)` runs fn once after
 *   any of the traits changed (coalesced);
 * - `mount(root)` keeps notebook shortcuts out of root, appends it to el and renders the pending header
 *   (kept up to date, focus kept);
 * - `dispose()` undoes all of it: render() returns it.
 */
export function startView({ model, el, name, send = null, goTo = null }) {
  const controller = new AbortController();
  const { signal } = controller;
  const { request, dispose: disposeRequester } = createRequester(model);
  const viewId = newViewId(name);
  const get = (trait) => model.get(trait);
  const set = (trait, value) => {
    model.set(trait, value);
    model.save_changes();
  };
  const pending = createPending({
    get,
    send: send ?? ((type, payload) => request(type, payload).catch(() => null)),
    viewId,
    goTo,
  });
  const listeners = [];
  const on = (event, handler) => {
    model.on(event, handler);
    listeners.push([event, handler]);
  };
  const watch = (names, fn) => {
    const handler = coalesced(fn);
    for (const trait of names) on(`change:${trait}`, handler);
    return handler;
  };

  function mount(root) {
    isolateShortcuts(root, signal);
    el.append(root);
    watch(["pending_writes"], () => keepingFocus(root, pending.render));
    pending.render();
  }

  function dispose() {
    controller.abort();
    disposeRequester();
    pending.dispose();
    for (const [event, handler] of listeners) model.off(event, handler);
    listeners.length = 0;
  }

  return { signal, request, get, set, viewId, pending, on, watch, mount, dispose };
}
