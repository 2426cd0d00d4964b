/**
 * SQL of measurement points and their hourly rollups. A write stores the points, adds the batch's rollups to
 * the stored ones and moves the series' count and first/last time, in one transaction. Deleting a point
 * recomputes its hour from the points left (a minimum cannot be subtracted).
 */
import type { Database, SqlParam } from '../db/database.ts';
import { perDialect } from '../db/sql-dialect.ts';
import { chunks, placeholders } from '../history/sql-batches.ts';
import type { Fields } from './limits.ts';
import { dayRollupsOf, HOUR_MS, hourOf, hourRollupsOf, localDayOf, nextLocalDay, type HourRollup, type TimedFields } from './rollups.ts';
import { DAY_MS, type OffsetPiece } from './zone-offsets.ts';

type Tx = Pick<Database, 'dialect' | 'query' | 'execute'>;

const POINT_ROWS = 500;
const ROLLUP_ROWS = 400;

/** The two rollup tables (identifiers from this allow-list only). */
export type RollupTable = 'measurement_rollups' | 'measurement_day_rollups';

const upsertRollups = perDialect((sql) => (table: RollupTable, rows: number) => {
  const lastTs = (value: string) => value.replace('last_value', 'last_ts');
  return `INSERT INTO ${table} (series_id, field, bucket_start, n, sum_value, min_value, max_value, last_ts, last_value)
    VALUES ${placeholders(rows, 9)}
    ${sql.onConflictUpdate(['series_id', 'bucket_start', 'field'], {
      n: (v) => `n + ${v}`,
      sum_value: (v) => `sum_value + ${v}`,
      min_value: (v) => sql.least('min_value', v),
      max_value: (v) => sql.greatest('max_value', v),
      // Before last_ts: MariaDB assigns left to right and would compare with the new last_ts.
      last_value: (v) => `CASE WHEN ${lastTs(v)} >= last_ts THEN ${v} ELSE last_value END`,
      last_ts: (v) => sql.greatest('last_ts', v),
    })}`;
});

const moveSeriesBounds = perDialect(
  (sql) =>
    `UPDATE measurement_series SET point_count = point_count + ?,
       first_ts = CASE WHEN first_ts IS NULL THEN ? ELSE ${sql.least('first_ts', '?')} END,
       last_ts = CASE WHEN last_ts IS NULL THEN ? ELSE ${sql.greatest('last_ts', '?')} END
     WHERE id = ?`,
);
const lastId = perDialect((sql) => sql.lastInsertId);

async function addRollups(tx: Tx, table: RollupTable, seriesId: number, rollups: readonly HourRollup[]): Promise<void> {
  for (const chunk of chunks(rollups, ROLLUP_ROWS)) {
    const params: SqlParam[] = [];
    for (const r of chunk) params.push(seriesId, r.field, r.bucketStart, r.n, r.sum, r.min, r.max, r.lastTs, r.last);
    await tx.execute(upsertRollups(tx)(table, chunk.length), params);
  }
}

/** Stores points of one series; returns the id of the last one stored when `withId` (single-point writes). */
export async function writePoints(
  db: Database,
  series: { id: number; dayZone: string },
  points: readonly TimedFields[],
  withId = false,
): Promise<number | undefined> {
  const seriesId = series.id;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p.ts < first) first = p.ts;
    if (p.ts > last) last = p.ts;
  }
  const rollups = hourRollupsOf(points);
  const days = dayRollupsOf(points, series.dayZone);
  return db.transaction(async (tx) => {
    let id: number | undefined;
    for (const chunk of chunks(points, POINT_ROWS)) {
      const params: SqlParam[] = [];
      for (const p of chunk) params.push(seriesId, p.ts, JSON.stringify(p.fields));
      await tx.execute(`INSERT INTO measurement_points (series_id, ts, fields) VALUES ${placeholders(chunk.length, 3)}`, params);
    }
    if (withId) id = Number((await tx.query<{ id: number }>(lastId(tx)))[0]!.id);
    await addRollups(tx, 'measurement_rollups', seriesId, rollups);
    await addRollups(tx, 'measurement_day_rollups', seriesId, days);
    await tx.execute(moveSeriesBounds(tx), [points.length, first, first, last, last, seriesId]);
    return id;
  });
}

export interface StoredPoint {
  id: number;
  seriesId: number;
  ts: number;
  fields: Fields;
}

type PointValues = [id: number, ts: number, fields: string];

/** Points with from ≤ ts < to (or ≤ to when `inclusiveTo`) after (ts, id) `after`, ascending by (ts, id). */
export async function readPoints(
  db: Database,
  seriesId: number,
  range: { from: number; to: number; inclusiveTo?: boolean; after?: { ts: number; id: number } },
  limit: number,
): Promise<StoredPoint[]> {
  const upper = range.inclusiveTo ? 'ts <= ?' : 'ts < ?';
  const rows = range.after
    ? await db.queryArrays<PointValues>(
        `SELECT id, ts, fields FROM measurement_points
         WHERE series_id = ? AND ts >= ? AND ${upper} AND (ts > ? OR (ts = ? AND id > ?)) ORDER BY ts, id LIMIT ?`,
        [seriesId, range.from, range.to, range.after.ts, range.after.ts, range.after.id, limit],
      )
    : await db.queryArrays<PointValues>(
        `SELECT id, ts, fields FROM measurement_points WHERE series_id = ? AND ts >= ? AND ${upper} ORDER BY ts, id LIMIT ?`,
        [seriesId, range.from, range.to, limit],
      );
  return rows.map(([id, ts, fields]) => ({ id: Number(id), seriesId, ts: Number(ts), fields: JSON.parse(fields) as Fields }));
}

export async function findPoint(db: Database, id: number): Promise<StoredPoint | undefined> {
  const [row] = await db.query<{ id: number; series_id: number; ts: number; fields: string }>(
    'SELECT id, series_id, ts, fields FROM measurement_points WHERE id = ?',
    [id],
  );
  return row && { id: Number(row.id), seriesId: Number(row.series_id), ts: Number(row.ts), fields: JSON.parse(row.fields) as Fields };
}

type AggregateValues = [field: string, n: number, sum: number, min: number, max: number, lastTs: number, last: number];
type RollupValues = [bucketStart: number, ...AggregateValues];

/** Rollups of one series (hours, or days of its day zone) starting in [from, to), ascending. */
export async function readRollups(
  db: Database,
  seriesId: number,
  from: number,
  to: number,
  table: RollupTable = 'measurement_rollups',
): Promise<HourRollup[]> {
  const rows = await db.queryArrays<RollupValues>(
    `SELECT bucket_start, field, n, sum_value, min_value, max_value, last_ts, last_value FROM ${table}
     WHERE series_id = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start`,
    [seriesId, from, to],
  );
  return rows.map(([bucketStart, ...values]) => ({ bucketStart: Number(bucketStart), ...aggregateOf(values) }));
}

/** A rollup row's field and aggregate (the drivers may answer numbers as strings or bigints). */
const aggregateOf = ([field, n, sum, min, max, lastTs, last]: AggregateValues) => ({
  field,
  n: Number(n),
  sum: Number(sum),
  min: Number(min),
  max: Number(max),
  lastTs: Number(lastTs),
  last: Number(last),
});

async function pointsBetween(tx: Tx, seriesId: number, from: number, to: number): Promise<TimedFields[]> {
  const rows = await tx.query<{ ts: number; fields: string }>(
    'SELECT ts, fields FROM measurement_points WHERE series_id = ? AND ts >= ? AND ts < ? ORDER BY ts, id',
    [seriesId, from, to],
  );
  return rows.map((r) => ({ ts: Number(r.ts), fields: JSON.parse(r.fields) as Fields }));
}

/** Recomputes the rollups of one hour from the points stored. */
async function recomputeHour(tx: Tx, seriesId: number, hour: number): Promise<void> {
  await tx.execute('DELETE FROM measurement_rollups WHERE series_id = ? AND bucket_start = ?', [seriesId, hour]);
  await addRollups(tx, 'measurement_rollups', seriesId, hourRollupsOf(await pointsBetween(tx, seriesId, hour, hour + HOUR_MS)));
}

/** Recomputes the rollups of one local day (starting at `day`, UTC ms) from the points stored. */
export async function recomputeDay(tx: Tx, series: { id: number; dayZone: string }, day: number): Promise<void> {
  await tx.execute('DELETE FROM measurement_day_rollups WHERE series_id = ? AND bucket_start = ?', [series.id, day]);
  const points = await pointsBetween(tx, series.id, day, nextLocalDay(day, series.dayZone));
  await addRollups(tx, 'measurement_day_rollups', series.id, dayRollupsOf(points, series.dayZone));
}

export async function refreshSeriesBounds(tx: Tx, seriesId: number): Promise<void> {
  await tx.execute(
    `UPDATE measurement_series SET
       point_count = (SELECT COUNT(*) FROM measurement_points WHERE series_id = ?),
       first_ts = (SELECT MIN(ts) FROM measurement_points WHERE series_id = ?),
       last_ts = (SELECT MAX(ts) FROM measurement_points WHERE series_id = ?)
     WHERE id = ?`,
    [seriesId, seriesId, seriesId, seriesId],
  );
}

/** Deletes one point and corrects its hour's and day's rollups; false when there was none. */
export async function deletePoint(db: Database, point: StoredPoint, dayZone: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    if ((await tx.execute('DELETE FROM measurement_points WHERE id = ?', [point.id])).changes === 0) return false;
    await recomputeHour(tx, point.seriesId, hourOf(point.ts));
    await recomputeDay(tx, { id: point.seriesId, dayZone }, localDayOf(point.ts, dayZone));
    await refreshSeriesBounds(tx, point.seriesId);
    return true;
  });
}

/** The number of points of the series owned by `ownerId` (undefined: of every series). */
export async function countPoints(db: Database, ownerId: string | null | undefined): Promise<number> {
  const [row] =
    ownerId === undefined
      ? await db.query<{ n: number | null }>('SELECT SUM(point_count) AS n FROM measurement_series')
      : ownerId === null
        ? await db.query<{ n: number | null }>('SELECT SUM(point_count) AS n FROM measurement_series WHERE owner_id IS NULL')
        : await db.query<{ n: number | null }>('SELECT SUM(point_count) AS n FROM measurement_series WHERE owner_id = ?', [ownerId]);
  return Number(row?.n ?? 0);
}

export interface DayRollup extends HourRollup {
  /** The local day's midnight as wall-clock ms (UTC ms + offset), as the database grouped it. */
  localDay: number;
}

type DayValues = [localDay: number, ...AggregateValues];

/**
 * Hourly rollups of [from, to) grouped into local days by the database: each hour's start moved to wall-clock
 * time by the zone's offset pieces, then grouped by day and field; the last value is the latest hour's. Ascending.
 * CROSS JOIN keeps SQLite's join order (the 365 groups first, each looked up by primary key); MariaDB reads it as JOIN.
 */
export async function readDayRollups(
  db: Database,
  seriesId: number,
  from: number,
  to: number,
  pieces: readonly OffsetPiece[],
  fields: readonly string[] | undefined,
): Promise<DayRollup[]> {
  const params: SqlParam[] = [];
  let local = 'bucket_start + ?';
  if (pieces.length === 1) params.push(pieces[0]!.offsetMs);
  else {
    const whens = pieces.slice(1).map(() => 'WHEN bucket_start < ? THEN ?');
    local = `bucket_start + CASE ${whens.join(' ')} ELSE ? END`;
    for (let i = 1; i < pieces.length; i++) params.push(pieces[i]!.from, pieces[i - 1]!.offsetMs);
    params.push(pieces[pieces.length - 1]!.offsetMs);
  }
  params.push(seriesId, from, to);
  const only = fields ? ` AND field IN (${fields.map(() => '?').join(', ')})` : '';
  if (fields) params.push(...fields);
  params.push(seriesId);
  const rows = await db.queryArrays<DayValues>(
    `SELECT g.k, g.field, g.n, g.s, g.mn, g.mx, r.last_ts, r.last_value FROM (
       SELECT l - l % ${DAY_MS} AS k, field, SUM(n) AS n, SUM(sum_value) AS s, MIN(min_value) AS mn, MAX(max_value) AS mx,
         MAX(bucket_start) AS b
       FROM (SELECT ${local} AS l, bucket_start, field, n, sum_value, min_value, max_value FROM measurement_rollups
             WHERE series_id = ? AND bucket_start >= ? AND bucket_start < ?${only}) h
       GROUP BY k, field) g
     CROSS JOIN measurement_rollups r ON r.series_id = ? AND r.bucket_start = g.b AND r.field = g.field
     ORDER BY g.k`,
    params,
  );
  return rows.map(([localDay, ...values]) => ({ localDay: Number(localDay), bucketStart: 0, ...aggregateOf(values) }));
}
