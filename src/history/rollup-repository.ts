import type { Database } from '../db/database.ts';
import type { Aggregate, Resolution } from './rollups.ts';

export interface StoredRollup extends Aggregate {
  bucketStart: number;
}

interface RawRollup {
  bucket_start: number;
  n: number;
  sum_value: number;
  min_value: number;
  max_value: number;
  energy: number;
  suspect_readings: number;
  meter_resets: number;
}

/** Rollups of one series and resolution with bucket starts in [from, to), ascending. */
export async function readRollups(
  db: Pick<Database, 'query'>,
  resolution: Resolution,
  seriesId: number,
  from: number,
  to: number,
): Promise<StoredRollup[]> {
  const rows = await db.query<RawRollup>(
    `SELECT bucket_start, n, sum_value, min_value, max_value, energy, suspect_readings, meter_resets FROM stat_rollups
     WHERE resolution_ms = ? AND series_id = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start`,
    [resolution, seriesId, from, to],
  );
  return rows.map((r) => ({
    bucketStart: Number(r.bucket_start),
    n: Number(r.n),
    sum: Number(r.sum_value),
    min: Number(r.min_value),
    max: Number(r.max_value),
    energy: Number(r.energy),
    suspect: Number(r.suspect_readings),
    resets: Number(r.meter_resets),
  }));
}
