import type { Database } from '../db/database.ts';

const CHUNK_MS = 86_400_000;

/**
 * Deletes raw samples older than `before` (ms), per series and one day at a time, so each statement is a
 * short primary-key range delete. Rollups are kept. Returns the number of samples deleted.
 */
export async function pruneSamples(db: Database, before: number): Promise<number> {
  let deleted = 0;
  for (const { id } of await db.query<{ id: number }>('SELECT id FROM stat_series ORDER BY id')) {
    const [row] = await db.query<{ oldest: number | null }>('SELECT MIN(ts) AS oldest FROM stat_samples WHERE series_id = ?', [id]);
    if (!row || row.oldest === null) continue;
    for (let from = Number(row.oldest); from < before;) {
      const bound = Math.min(before, from + CHUNK_MS);
      deleted += (await db.execute('DELETE FROM stat_samples WHERE series_id = ? AND ts < ?', [id, bound])).changes;
      from = bound;
    }
  }
  return deleted;
}
