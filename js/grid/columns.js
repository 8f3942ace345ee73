// The column layout: order, hidden columns and widths, remembered per dataset in the widget's
// `layout` trait. The first editable column is pinned: first, always shown, sticky on narrow screens.
// Pure, tested with node --test.

const WIDTHS = { text: 340, json: 300, inputs: 260, messages: 260, evaluations: 150, time: 110, number: 70, tags: 170 };
export const MIN_WIDTH = 60;
export const NUMBER_WIDTH = 76;
// The status is an icon and a word (a problem's details go in a row of their own); narrower still where
// the table is narrow, so that the column being edited keeps the room.
export const STATUS_WIDTH = 100;
export const NARROW_STATUS_WIDTH = 80;
export const NARROW_TABLE = 560;
export const statusWidth = (visibleWidth) =>
  visibleWidth && visibleWidth < NARROW_TABLE ? NARROW_STATUS_WIDTH : STATUS_WIDTH;

/** The columns to show, in order, with their widths: [{key, title, kind, editable, width, pinned}]. */
export function resolveColumns(schema, saved = {}) {
  const all = schema?.columns ?? [];
  const pinned = schema?.editable?.[0];
  const order = saved.order ?? [];
  const rank = (key) =>
    key === pinned ? -1 : order.includes(key) ? order.indexOf(key) : order.length + all.findIndex((c) => c.key === key);
  return all
    .filter((column) => column.key === pinned || !(saved.hidden ?? []).includes(column.key))
    .sort((a, b) => rank(a.key) - rank(b.key))
    .map((column) => ({
      ...column,
      pinned: column.key === pinned,
      width: Math.max(MIN_WIDTH, saved.widths?.[column.key] ?? WIDTHS[column.kind] ?? 200),
      sized: saved.widths?.[column.key] != null, // set by the user: kept as it is
    }));
}

/** Every column of the schema with whether it is shown (for the Columns menu), in the shown order. */
export function columnChoices(schema, saved = {}) {
  const shown = resolveColumns(schema, { ...saved, hidden: [] });
  return shown.map((column) => ({ ...column, hidden: (saved.hidden ?? []).includes(column.key) }));
}

// How narrow a column of each kind may get when the columns are fitted to the visible width.
const FIT_WIDTHS = {
  text: 220,
  json: 200,
  inputs: 170,
  messages: 170,
  evaluations: 110,
  time: 100,
  number: 60,
  tags: 120,
};

/**
 * Widths that fit `available` px where they can: columns the user did not size give up room in proportion
 * to what they have above their kind's narrowest, so that every column (the last one too) is in view on a
 * laptop screen with the file browser open; the columns scroll only where even that does not fit.
 */
export function fitWidths(columns, available) {
  const widths = columns.map((c) => c.width);
  const total = widths.reduce((sum, w) => sum + w, 0);
  if (!available || total <= available) return widths;
  const floor = (c) => (c.sized ? c.width : Math.min(c.width, FIT_WIDTHS[c.kind] ?? 150));
  const slack = columns.reduce((sum, c) => sum + c.width - floor(c), 0);
  if (!slack) return widths;
  const share = Math.min(1, (total - available) / slack);
  return columns.map((c) => Math.floor(c.width - (c.width - floor(c)) * share));
}

export const tableWidth = (columns, status = STATUS_WIDTH) =>
  NUMBER_WIDTH + status + columns.reduce((sum, c) => sum + c.width, 0);

export function withWidth(saved, key, width) {
  return { ...saved, widths: { ...(saved.widths ?? {}), [key]: Math.max(MIN_WIDTH, Math.round(width)) } };
}

export function withHidden(saved, key, hidden) {
  const rest = (saved.hidden ?? []).filter((k) => k !== key);
  return { ...saved, hidden: hidden ? [...rest, key] : rest };
}

/** Move `key` by `by` places among the movable (not pinned) columns. */
export function withMove(schema, saved, key, by) {
  const keys = columnChoices(schema, saved)
    .filter((c) => !c.pinned)
    .map((c) => c.key);
  const from = keys.indexOf(key);
  const to = from + by;
  if (from < 0 || to < 0 || to >= keys.length) return saved;
  keys.splice(from, 1);
  keys.splice(to, 0, key);
  return { ...saved, order: keys };
}

/** Put `key` where `before` is (drag and drop of a header onto another). */
export function withDrop(schema, saved, key, before) {
  const keys = columnChoices(schema, saved)
    .filter((c) => !c.pinned)
    .map((c) => c.key);
  const to = keys.indexOf(before);
  if (!keys.includes(key) || to < 0 || key === before) return saved;
  return withMove(schema, saved, key, to - keys.indexOf(key));
}
