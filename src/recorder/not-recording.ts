/**
 * The ticks no recorder took: between the newest sample taken (stored, or still buffered here, e.g. replayed
 * from the spool) and the first tick of a recorder that has just taken the lock. Every tick up to that newest
 * sample was accounted by the recorder that took it (written, or a gap by reason); the ticks after it were
 * not, whether no instance ran or one died with them unwritten. Each of them is a gap of every series
 * listed at the first tick that was recorded within the look-back before that newest sample: a series
 * silent for longer (a vehicle away, a chargepoint removed long ago) was not due. A gateway switched off
 * for longer than the look-back counts the last look-back only, not years.
 */
import type { Database } from '../db/database.ts';

type Executor = Pick<Database, 'query'>;

export const NOT_RECORDING_LOOKBACK_MS = 86_400_000;

export interface NotRecorded {
  /** The series due: recorded within the look-back before the newest sample. */
  due: string[];
  /** The first and last tick (ms) no recorder took (`to` < `from` when none). */
  from: number;
  to: number;
  /** Samples not recorded: due series × ticks. */
  samples: number;
}

export interface NotRecordingInput {
  firstTick: number;
  intervalMs: number;
  lookbackMs: number;
  /** The series the live reads list at the first tick (fresh or not). */
  live: readonly string[];
  /** Per series, the newest sample not yet written (read before the database, so a batch written meanwhile is seen in one of the two). */
  buffered: ReadonlyMap<string, number>;
}

interface LastStoredRow {
  series_key: string;
  last_ts: number | null;
  newest: number | null;
}

/** The last stored sample of each of `keys` that has one, and the newest stored sample of any series. */
async function lastStoredSamples(db: Executor, keys: readonly string[]): Promise<{ bySeries: Map<string, number>; newest: number }> {
  const bySeries = new Map<string, number>();
  let newest = Number.NEGATIVE_INFINITY;
  if (keys.length === 0) return { bySeries, newest };
  const rows = await db.query<LastStoredRow>(
    `SELECT series_key, last_ts, (SELECT MAX(last_ts) FROM stat_series) AS newest
       FROM stat_series WHERE series_key IN (${keys.map(() => '?').join(', ')})`,
    keys,
  );
  for (const row of rows) {
    if (row.last_ts !== null) bySeries.set(row.series_key, Number(row.last_ts));
    if (row.newest !== null) newest = Math.max(newest, Number(row.newest));
  }
  return { bySeries, newest };
}

/** What no recorder took before `firstTick`; undefined when nothing was ever recorded. */
export async function notRecorded(db: Executor, input: NotRecordingInput): Promise<NotRecorded | undefined> {
  const { firstTick, intervalMs, lookbackMs, live, buffered } = input;
  const stored = await lastStoredSamples(db, live);
  let newest = stored.newest;
  for (const ts of buffered.values()) newest = Math.max(newest, ts);
  if (newest === Number.NEGATIVE_INFINITY) return undefined; // nothing was ever recorded
  const lastOf = (series: string) => Math.max(stored.bySeries.get(series) ?? -Infinity, buffered.get(series) ?? -Infinity);
  const due = live.filter((series) => lastOf(series) >= newest - lookbackMs);
  const after = Math.max(newest, firstTick - lookbackMs);
  const from = after - (after % intervalMs) + intervalMs;
  const ticks = Math.max(0, Math.ceil((firstTick - from) / intervalMs));
  return { due, from, to: from + (ticks - 1) * intervalMs, samples: ticks * due.length };
}
