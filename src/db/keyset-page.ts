/**
 * Keyset paging for lists ordered by (sort key, id): a page reads `limit + 1` rows after the row whose id the
 * cursor names, so the reader knows whether a next page exists. The cursor is that row's id, opaque to
 * clients (base64url with a per-list prefix, so one list's cursor is not taken by another).
 */
export interface PageRequest {
  /** Id of the last row of the previous page. */
  afterId?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const ID = /^[A-Za-z0-9_-]{1,40}$/;

export function encodeCursor(list: string, id: string): string {
  return Buffer.from(`${list}:${id}`).toString('base64url');
}

/** The id a cursor of `list` stands for, or undefined when the cursor is not one of that list's. */
export function decodeCursor(list: string, cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(`${list}:`) ? text.slice(list.length + 1) : undefined;
  return id !== undefined && ID.test(id) ? id : undefined;
}

/** The page from `limit + 1` rows read after the cursor. */
export function pageOf<T>(list: string, rows: T[], limit: number, idOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(list, idOf(last)) : null };
}

/**
 * SQL for "after the row with this id, in (sortColumn, id) order": a condition and its parameters. The anchor
 * row is looked up by id, so a cursor stays valid while its row exists (a deleted anchor ends the listing).
 */
export function afterRow(table: string, sortColumn: string, afterId: string, alias = ''): { sql: string; params: string[] } {
  // Identifiers come from the repositories' constants, never from a request.
  const anchor = `(SELECT ${sortColumn} FROM ${table} WHERE id = ?)`;
  const [sort, id] = [`${alias}${sortColumn}`, `${alias}id`];
  return {
    sql: `(${sort} > ${anchor} OR (${sort} = ${anchor} AND ${id} > ?))`,
    params: [afterId, afterId, afterId],
  };
}
