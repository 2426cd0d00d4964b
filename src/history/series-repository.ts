import type { Database } from '../db/database.ts';
import { perDialect } from '../db/sql-dialect.ts';
import type { CounterState } from './meter-counter.ts';
import type { SeriesKind } from './series.ts';

type Executor = Pick<Database, 'dialect' | 'query' | 'execute'>;

export interface SeriesRow {
  id: number;
  key: string;
  kind: SeriesKind;
  firstTs: number | null;
  lastTs: number | null;
  lastValue: number | null;
  /** Counter series: which readings are trusted (null before the first, or from before it was kept). */
  counterState: CounterState | null;
}

interface RawSeriesRow {
  id: number;
  series_key: string;
  kind: string;
  first_ts: number | null;
  last_ts: number | null;
  last_value: number | null;
  counter_state: string | null;
}

function parseCounterState(json: string | null): CounterState | null {
  if (json === null) return null;
  try {
    const state = JSON.parse(json) as CounterState;
    return typeof state.base === 'number' && typeof state.baseAt === 'number' ? state : null;
  } catch {
    return null; // rebuilt from the last sample
  }
}

const toRow = (r: RawSeriesRow): SeriesRow => ({
  id: Number(r.id),
  key: r.series_key,
  kind: r.kind as SeriesKind,
  firstTs: r.first_ts === null ? null : Number(r.first_ts),
  lastTs: r.last_ts === null ? null : Number(r.last_ts),
  lastValue: r.last_value === null ? null : Number(r.last_value),
  counterState: parseCounterState(r.counter_state),
});

const COLUMNS = 'id, series_key, kind, first_ts, last_ts, last_value, counter_state';

export async function findSeries(db: Executor, keys: readonly string[]): Promise<Map<string, SeriesRow>> {
  const found = new Map<string, SeriesRow>();
  if (keys.length === 0) return found;
  const rows = await db.query<RawSeriesRow>(
    `SELECT ${COLUMNS} FROM stat_series WHERE series_key IN (${keys.map(() => '?').join(', ')})`,
    keys,
  );
  for (const row of rows) found.set(row.series_key, toRow(row));
  return found;
}

export async function listAllSeries(db: Executor): Promise<SeriesRow[]> {
  return (await db.query<RawSeriesRow>(`SELECT ${COLUMNS} FROM stat_series ORDER BY series_key`)).map(toRow);
}

const insertSeries = perDialect((sql) => `${sql.insertIgnore} INTO stat_series (series_key, kind) VALUES (?, ?)`);

/** The rows of `wanted` series, creating the missing ones (concurrent creators are harmless). */
export async function ensureSeries(db: Executor, wanted: ReadonlyMap<string, SeriesKind>): Promise<Map<string, SeriesRow>> {
  const keys = [...wanted.keys()];
  const found = await findSeries(db, keys);
  const missing = keys.filter((key) => !found.has(key));
  if (missing.length === 0) return found;
  for (const key of missing) await db.execute(insertSeries(db), [key, wanted.get(key) as string]);
  return findSeries(db, keys);
}

export async function advanceSeries(
  db: Executor,
  id: number,
  firstTs: number,
  lastTs: number,
  lastValue: number,
  counterState: CounterState | null,
): Promise<void> {
  await db.execute('UPDATE stat_series SET first_ts = COALESCE(first_ts, ?), last_ts = ?, last_value = ?, counter_state = ? WHERE id = ?', [
    firstTs,
    lastTs,
    lastValue,
    counterState === null ? null : JSON.stringify(counterState),
    id,
  ]);
}
