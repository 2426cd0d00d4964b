/** SQL of measurement series (one statement per function, all parameterised). */
import type { Database } from '../db/database.ts';
import { perDialect } from '../db/sql-dialect.ts';

export interface SeriesRow {
  id: number;
  ownerId: string | null;
  description: string;
  deviceId: string;
  deviceDescription: string;
  units: Record<string, string>;
  /** The zone of the series' day rollups (TIME_ZONE when it was made). */
  dayZone: string;
  retentionDays: number | null;
  createdAt: number;
  pointCount: number;
  firstTs: number | null;
  lastTs: number | null;
}

export type NewSeriesRow = Omit<SeriesRow, 'id' | 'pointCount' | 'firstTs' | 'lastTs'>;

interface RawSeries {
  id: number;
  owner_id: string | null;
  description: string;
  device_id: string;
  device_description: string;
  units: string;
  day_zone: string;
  retention_days: number | null;
  created_at: number;
  point_count: number;
  first_ts: number | null;
  last_ts: number | null;
}

const COLUMNS =
  'id, owner_id, description, device_id, device_description, units, day_zone, retention_days, created_at, point_count, first_ts, last_ts';

const nullableNumber = (value: number | null) => (value === null ? null : Number(value));

function toRow(raw: RawSeries): SeriesRow {
  return {
    id: Number(raw.id),
    ownerId: raw.owner_id,
    description: raw.description,
    deviceId: raw.device_id,
    deviceDescription: raw.device_description,
    units: JSON.parse(raw.units) as Record<string, string>,
    dayZone: raw.day_zone,
    retentionDays: nullableNumber(raw.retention_days),
    createdAt: Number(raw.created_at),
    pointCount: Number(raw.point_count),
    firstTs: nullableNumber(raw.first_ts),
    lastTs: nullableNumber(raw.last_ts),
  };
}

const lastId = perDialect((sql) => sql.lastInsertId);

export async function insertSeries(db: Database, row: NewSeriesRow): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(
      `INSERT INTO measurement_series (owner_id, description, device_id, device_description, units, day_zone, retention_days, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.ownerId,
        row.description,
        row.deviceId,
        row.deviceDescription,
        JSON.stringify(row.units),
        row.dayZone,
        row.retentionDays,
        row.createdAt,
      ],
    );
    const [inserted] = await tx.query<{ id: number }>(lastId(tx));
    return Number(inserted!.id);
  });
}

export async function findSeries(db: Pick<Database, 'query'>, id: number): Promise<SeriesRow | undefined> {
  const [raw] = await db.query<RawSeries>(`SELECT ${COLUMNS} FROM measurement_series WHERE id = ?`, [id]);
  return raw && toRow(raw);
}

/** Series with ids above `afterId`, ascending; `ownerId` undefined = every owner's. */
export async function listSeries(db: Database, ownerId: string | null | undefined, afterId: number, limit: number): Promise<SeriesRow[]> {
  const rows =
    ownerId === undefined
      ? await db.query<RawSeries>(`SELECT ${COLUMNS} FROM measurement_series WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit])
      : ownerId === null
        ? await db.query<RawSeries>(`SELECT ${COLUMNS} FROM measurement_series WHERE owner_id IS NULL AND id > ? ORDER BY id LIMIT ?`, [
            afterId,
            limit,
          ])
        : await db.query<RawSeries>(`SELECT ${COLUMNS} FROM measurement_series WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?`, [
            ownerId,
            afterId,
            limit,
          ]);
  return rows.map(toRow);
}

/** Deletes the series with its points and rollups in one transaction; false when there was none. */
export async function deleteSeries(db: Database, id: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute('DELETE FROM measurement_points WHERE series_id = ?', [id]);
    await tx.execute('DELETE FROM measurement_rollups WHERE series_id = ?', [id]);
    await tx.execute('DELETE FROM measurement_day_rollups WHERE series_id = ?', [id]);
    return (await tx.execute('DELETE FROM measurement_series WHERE id = ?', [id])).changes > 0;
  });
}
