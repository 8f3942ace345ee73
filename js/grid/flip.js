// Page flips without a round trip: the kernel sends the neighbour pages it prefetched (custom messages,
// not traits); a flip to one shows it at once, and the kernel, moving to the same page from its cache,
// confirms it. Until then the view shows the local page.
export function createFlipper({ get, send, shown }) {
  let local = null; // {number, rows, traits}
  const ahead = new Map(); // page number -> page sent ahead
  const listing = () => JSON.stringify([get("dataset_id"), get("page_size"), get("ordering"), get("search")]);

  function flip(by) {
    const at = local
      ? local.traits
      : { page_number: get("page_number"), has_next: get("has_next"), has_previous: get("has_previous") };
    if (!(by > 0 ? at.has_next : at.has_previous)) return;
    const page = ahead.get(at.page_number + by);
    if (page && !local && JSON.stringify(page.listing) === listing()) {
      local = {
        number: page.number,
        rows: page.rows,
        traits: { page_number: page.number, has_next: page.has_next, has_previous: page.has_previous },
      };
      shown();
    }
    send(by > 0 ? "next" : "previous");
  }

  function received(message) {
    if (message?.type !== "prefetched") return;
    ahead.set(message.number, message);
    for (const number of ahead.keys()) if (Math.abs(number - get("page_number")) > 1) ahead.delete(number);
  }

  return {
    flip,
    received,
    confirmed: () => {
      local = null; // the kernel moved: what it shows is the truth
    },
    local: () => local,
    ahead: () => [...ahead.keys()].sort((a, b) => a - b),
    /** A trait as the view should show it: the local page's, else the model's. */
    get: (name) => (local && name in local.traits ? local.traits[name] : get(name)),
  };
}
