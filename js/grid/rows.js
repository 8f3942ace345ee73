// Which rows to show and which of them changed: pure, tested with node --test.
//
// The page's rows come from `_page_rows`; saved edits arrive as `_row_patches` (a delta per row); an
// edit not saved yet (pending, retrying, failed, or in conflict with someone else's change) or staged
// stays visible in its cells beside its status: the cells show what you typed, not the stale original.

export const DRAFT_STATES = new Set(["pending", "retrying", "failed", "conflict"]);
const json = (value) => (value === undefined ? "" : JSON.stringify(value));

/** [{id, base, shown, status, staged, draft}] for the page: `shown` is what the cells display. */
export function mergeRows(pageRows, patches = {}, staged = {}, statuses = {}) {
  return (pageRows ?? []).map((base) => {
    const patch = patches?.[base.id];
    const status = statuses?.[base.id];
    const draft = status && DRAFT_STATES.has(status.state) ? (status.draft ?? {}) : {};
    const stagedFields = staged?.[base.id] ?? {};
    const changed = patch || staged?.[base.id] || (status && DRAFT_STATES.has(status.state));
    const shown = changed ? { ...base, ...patch, ...stagedFields, ...draft } : base;
    return { id: base.id, base, patch, shown, status, staged: stagedFields, draft };
  });
}

/** A row's look in a comparable form, except its base row (compared by reference first, cheap). */
export function rowSignature(entry, { expanded = false } = {}) {
  return `${json(entry.patch)}|${json(entry.status)}|${json(entry.staged)}|${expanded ? 1 : 0}`;
}

/**
 * What to do to go from the rows on screen (`shown`: Map id -> {base, baseJson, signature, index}) to
 * `next`: ids to build anew (new or changed rows, and rows at another place: their number changed), ids
 * to drop, and the order. A base row that is a new object with the same content (the kernel re-sent the
 * page) is not a change.
 */
export function planRows(shown, next, { expanded = new Set() } = {}) {
  const build = [];
  const keep = [];
  const seen = new Set();
  const records = new Map();
  for (const [index, entry] of next.entries()) {
    seen.add(entry.id);
    const before = shown.get(entry.id);
    const signature = rowSignature(entry, { expanded: expanded.has(entry.id) });
    let baseJson = before?.baseJson;
    // a row at another place has another number (a search's results, a page re-sorted): built again
    let same = before !== undefined && before.signature === signature && before.index === index;
    if (same && before.base !== entry.base) {
      baseJson = JSON.stringify(entry.base);
      same = baseJson === (before.baseJson ?? JSON.stringify(before.base));
    }
    records.set(entry.id, { base: entry.base, baseJson: same ? baseJson : undefined, signature, index });
    (same ? keep : build).push(entry.id);
  }
  const drop = [...shown.keys()].filter((id) => !seen.has(id));
  return { build, keep, drop, order: next.map((entry) => entry.id), records };
}
