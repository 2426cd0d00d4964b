import type { GatewayClient } from '../../sdk/src/index.ts';

/**
 * Pulse meters and measurement series (issue 16's "other devices"). Their operations came to the spec later than
 * this page: the shapes below are those of `Meter`, `MeterReading`, `MeterHistory`, `MeasurementSeries` and
 * `MeasurementAggregates` in openapi.yaml, read through the SDK's client by path. A gateway without them answers
 * 404, and the page then hides the section.
 */
export interface Meter {
  id: string;
  name: string;
  energyPerPulseWh: number;
}

export interface MeterReading {
  meterId: string;
  at: string;
  meterReadingWh: number;
  energyTodayWh: number;
  powerW: number | null;
  lastPulseAt: string | null;
}

export interface MeterHistory {
  start: string;
  end: string;
  points: { start: string; energyWh: number }[];
}

export interface MeasurementSeries {
  id: string;
  description: string;
  deviceDescription: string;
  units: Record<string, string>;
  pointCount: number;
  lastPointAt: string | null;
}

export interface MeasurementAggregates {
  start: string;
  end: string;
  fields: string[];
  buckets: { start: string; fields: Record<string, { avg: number | null; last: number | null }> }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The answer of one read: its body, or `missing` when the gateway has no such operation (404), or a problem. */
export type Read<T> = { data: T } | { missing: true } | { error: unknown };

type LooseGet = (
  path: string,
  init: { params: { path?: Record<string, string>; query?: Record<string, string | number> } },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export async function read<T>(
  gw: GatewayClient,
  path: string,
  pathParams: Record<string, string> = {},
  query: Record<string, string | number> = {},
): Promise<Read<T>> {
  const get = gw.GET as unknown as LooseGet;
  const { data, error, response } = await get(path, { params: { path: pathParams, query } });
  if (response.status === 404) return { missing: true };
  if (data === undefined) return { error };
  return { data: data as T };
}

/** Whether this gateway has pulse meters or measurement series at all (their list operations answer, not 404). */
export async function hasDevices(gw: GatewayClient): Promise<boolean> {
  const [meters, series] = await Promise.all([read(gw, '/api/v1/meters', {}, { limit: 1 }), read(gw, '/api/v1/series', {}, { limit: 1 })]);
  return !('missing' in meters) || !('missing' in series);
}
