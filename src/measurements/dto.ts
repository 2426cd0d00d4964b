/** Series and points as each API shows them: `/api/v1/series` (camelCase, string ids) and the timeseries-api wire format. */
import type { Schemas } from '../api/types.ts';
import type { StoredPoint } from './point-repository.ts';
import type { SeriesRow } from './series-repository.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** The wire format's timestamps: ISO 8601 in UTC with an explicit offset, which Python's fromisoformat and dateutil both read. */
const wireTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

export function seriesDto(row: SeriesRow): Schemas['MeasurementSeries'] {
  return {
    id: String(row.id),
    description: row.description,
    deviceId: row.deviceId,
    deviceDescription: row.deviceDescription,
    units: row.units,
    retentionDays: row.retentionDays,
    ownerId: row.ownerId,
    createdAt: new Date(row.createdAt).toISOString(),
    pointCount: row.pointCount,
    firstPointAt: iso(row.firstTs),
    lastPointAt: iso(row.lastTs),
  };
}

export const pointDto = (point: StoredPoint): Schemas['MeasurementPoint'] => ({
  time: new Date(point.ts).toISOString(),
  fields: point.fields,
});

export function wireSeries(row: SeriesRow, user: string | null): Schemas['TimeseriesSeries'] {
  return {
    id: row.id,
    desc: row.description,
    device_id: row.deviceId,
    device_desc: row.deviceDescription,
    timestamp: wireTime(row.createdAt),
    user,
    count: row.pointCount,
  };
}

export const wirePoint = (point: StoredPoint): Schemas['TimeseriesPoint'] => ({
  id: point.id,
  series_id: point.seriesId,
  timestamp: wireTime(point.ts),
  fields: point.fields,
});
