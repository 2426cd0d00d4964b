import type { SqlParam } from '../db/database.ts';

/**
 * Splits `rows` into multi-row statements. Full chunks have `max` rows; the rest is cut into powers of
 * two, so a caller that caches prepared statements by SQL text sees at most log2(max) + 1 shapes.
 */
export function* chunks<T>(rows: readonly T[], max: number): Generator<readonly T[]> {
  let offset = 0;
  while (rows.length - offset >= max) {
    yield rows.slice(offset, offset + max);
    offset += max;
  }
  for (let size = max >> 1; size >= 1; size >>= 1) {
    if (rows.length - offset >= size) {
      yield rows.slice(offset, offset + size);
      offset += size;
    }
  }
}

/** `(?, ?, ?), (?, ?, ?)` for `rows` rows of `columns` placeholders. */
export function placeholders(rows: number, columns: number): string {
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}

export function flatten<T>(rows: readonly T[], toParams: (row: T) => SqlParam[]): SqlParam[] {
  const params: SqlParam[] = [];
  for (const row of rows) params.push(...toParams(row));
  return params;
}
