// Keyed rows: which rows of a list to build again, shared by the grid's table and ExperimentReview.
// Pure, tested with node --test.

/**
 * What to do to go from the rows on screen (`shown`: Map id -> {base, baseJson, signature, index}) to
 * `next` ([{id, base}]): ids to build anew (new or changed rows, and rows at another place: their number
 * changed), ids to keep, ids to drop, the order, and the records to keep for the next call. `signatureOf(entry)`
 * is everything of a row's look but its base row, as a comparable string; the base is compared by reference
 * first (cheap), then by content: a base row that is a new object with the same content (the kernel re-sent
 * the page) is not a change.
 */
export function planRows(shown, next, signatureOf) {
  const build = [];
  const keep = [];
  const seen = new Set();
  const records = new Map();
  for (const [index, entry] of next.entries()) {
    seen.add(entry.id);
    const before = shown.get(entry.id);
    const signature = signatureOf(entry);
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
