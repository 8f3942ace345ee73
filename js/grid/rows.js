// Which rows to show and which of them changed: pure, tested with node --test.
//
// The page's rows come from `_page_rows`; saved edits arrive as `_row_patches` (a delta per row); an
// edit not saved yet (pending, retrying, failed, or in conflict with someone else's change) or staged
// stays visible in its cells beside its status: the cells show what you typed, not the stale original.

import { DRAFT_STATES } from "../shared/format.js";
import { planRows as planKeyed } from "../shared/keyed.js";

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

/** The grid's rows to build again (shared/keyed.js): a row's look is its patch, status, staging and expansion. */
export function planRows(shown, next, { expanded = new Set() } = {}) {
  return planKeyed(shown, next, (entry) => rowSignature(entry, { expanded: expanded.has(entry.id) }));
}
