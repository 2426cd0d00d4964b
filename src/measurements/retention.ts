import type { Database } from '../db/database.ts';
import { recomputeDay, refreshSeriesBounds } from './point-repository.ts';
import { hourOf, localDayOf } from './rollups.ts';

const DAY_MS = 86_400_000;

/**
 * Deletes the points of every series with a retention that are older than it, with their rollups. The cut is
 * at a whole UTC hour, so every hourly rollup left covers exactly the points left; the day it falls in is
 * recomputed from the points left. One day per statement
 * (a short index range delete), like the wallbox samples' retention. Returns the number of points deleted.
 */
export async function pruneMeasurementPoints(db: Database, now: number): Promise<number> {
  let deleted = 0;
  const series = await db.query<{ id: number; retention_days: number; first_ts: number | null; day_zone: string }>(
    'SELECT id, retention_days, first_ts, day_zone FROM measurement_series WHERE retention_days IS NOT NULL ORDER BY id',
  );
  for (const row of series) {
    const id = Number(row.id);
    const before = hourOf(now - Number(row.retention_days) * DAY_MS);
    if (row.first_ts === null || Number(row.first_ts) >= before) continue;
    let removed = 0;
    for (let from = Number(row.first_ts); from < before;) {
      const bound = Math.min(before, from + DAY_MS);
      removed += (await db.execute('DELETE FROM measurement_points WHERE series_id = ? AND ts < ?', [id, bound])).changes;
      from = bound;
    }
    await db.transaction(async (tx) => {
      await tx.execute('DELETE FROM measurement_rollups WHERE series_id = ? AND bucket_start < ?', [id, before]);
      // Whole days before the cut's day go; the day it cuts keeps the points after the cut.
      const cutDay = localDayOf(before, row.day_zone);
      await tx.execute('DELETE FROM measurement_day_rollups WHERE series_id = ? AND bucket_start < ?', [id, cutDay]);
      await recomputeDay(tx, { id, dayZone: row.day_zone }, cutDay);
      await refreshSeriesBounds(tx, id);
    });
    deleted += removed;
  }
  return deleted;
}
