/**
 * History queries: validated parameters → calendar buckets in the requested zone → the coarsest UTC
 * rollup whose bucket edges coincide with every requested edge → one ranged read per series, folded
 * into the buckets. Raw samples are never read here.
 */
import { DateTime } from 'luxon';
import type { Database } from '../db/database.ts';
import { InvalidInputError, ForbiddenError } from '../errors.ts';
import type { Schemas } from '../api/types.ts';
import { bucketEdges, type BucketInterval } from './buckets.ts';
import { isoLocal, parseZone, resolveRange } from './range.ts';
import { readRollups } from './rollup-repository.ts';
import { emptyAggregate, merge, qualityOf, RESOLUTIONS_MS, type Aggregate, type Resolution } from './rollups.ts';
import { findSeries, listAllSeries } from './series-repository.ts';
import { FIELDS_BY_KIND, UNITS, seriesKindOf, type HistoryField, type SeriesKind } from './series.ts';

export const MAX_POINTS = 10_000;
export const MAX_SERIES = 10;

export interface HistoryQuery {
  series: readonly string[];
  start?: string;
  end?: string;
  duration?: string;
  /** `5min` (as durations spell minutes) or `5m` (the older spelling): the same buckets. */
  interval?: BucketInterval | '5min';
  tz?: string;
  fields?: readonly HistoryField[];
}

type Point = Schemas['HistoryPoint'];

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

function valueOf(field: HistoryField, a: Aggregate): number | null {
  if (a.n === 0) return null;
  switch (field) {
    case 'energy':
      return round(a.energy, 3);
    case 'avgPower':
    case 'avgSoc':
      return round(a.sum / a.n, 3);
    case 'maxPower':
    case 'maxSoc':
      return a.max;
    case 'minPower':
    case 'minSoc':
      return a.min;
  }
}

/** The chargepoints a caller may see (null = all). Site and vehicle series are shared, like the live site. */
export type Visible = ReadonlySet<string> | null;

const chargepointOf = (id: string) => /^chargepoint\.([^.]+)\./.exec(id)?.[1];
const mayRead = (visible: Visible, id: string) => {
  const chargepoint = chargepointOf(id);
  return !visible || chargepoint === undefined || visible.has(chargepoint);
};

/** The coarsest rollup resolution that divides every edge (edges are UTC ms). */
export function resolutionFor(edges: readonly number[]): Resolution {
  for (const resolution of [...RESOLUTIONS_MS].reverse()) {
    if (edges.every((edge) => edge % resolution === 0)) return resolution;
  }
  return RESOLUTIONS_MS[0];
}

export class HistoryService {
  constructor(
    private readonly db: Database,
    private readonly options: { timeZone: string; now?: () => number },
  ) {}

  async listSeries(visible: Visible = null): Promise<Schemas['HistorySeriesList']> {
    const rows = await listAllSeries(this.db);
    return {
      items: rows
        .filter((row) => seriesKindOf(row.key) === row.kind && mayRead(visible, row.key))
        .map((row) => ({
          id: row.key,
          kind: row.kind,
          unit: UNITS[row.kind],
          firstSampleAt: row.firstTs === null ? null : new Date(row.firstTs).toISOString(),
          lastSampleAt: row.lastTs === null ? null : new Date(row.lastTs).toISOString(),
        })),
    };
  }

  async query(query: HistoryQuery, visible: Visible = null): Promise<Schemas['History']> {
    const ids = query.series;
    if (ids.length > MAX_SERIES) throw new InvalidInputError(`series: at most ${MAX_SERIES} series per request`);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) throw new InvalidInputError(`series: ${duplicate} is given twice`);
    for (const id of ids) {
      if (!seriesKindOf(id)) throw new InvalidInputError(`series: ${id} is not a series id (GET /api/v1/history/series lists them)`);
      if (!mayRead(visible, id)) throw new ForbiddenError(`series: you may not use chargepoint ${chargepointOf(id)}`);
    }
    const fieldsFor = planFields(ids, query.fields);

    const zone = parseZone(query.tz, this.options.timeZone);
    const requested = query.interval ?? 'day';
    const interval: BucketInterval = requested === '5min' ? '5m' : requested;
    const now = (this.options.now ?? Date.now)();
    // No range at all: today so far, in the zone (what a dashboard opened without parameters shows).
    const noRange = query.start === undefined && query.end === undefined && query.duration === undefined;
    const today = noRange ? isoLocal(DateTime.fromMillis(now, { zone }).startOf('day')) : query.start;
    const { start, end } = resolveRange(
      { start: today, end: query.end, duration: query.duration, names: { start: 'start', end: 'end' } },
      zone,
      interval,
      now,
    );
    const maxBuckets = Math.floor(MAX_POINTS / ids.length);
    const edges = bucketEdges(
      start,
      end,
      interval,
      maxBuckets,
      () =>
        `maxPoints: the request needs more than ${maxBuckets} ${interval} buckets × ${ids.length} series, above the limit of ${MAX_POINTS} points per request; choose a coarser interval or a shorter range`,
    );

    const known = await findSeries(this.db, ids);
    const unknown = ids.find((id) => !known.has(id));
    if (unknown)
      throw new InvalidInputError(`series: ${unknown} has not been recorded (GET /api/v1/history/series lists the recorded series)`);

    const edgeMs = edges.map((edge) => edge.toMillis());
    const resolution = resolutionFor(edgeMs);
    const series = await Promise.all(
      ids.map(async (id) => {
        const row = known.get(id)!;
        const rollups = await readRollups(this.db, resolution, row.id, edgeMs[0] as number, edgeMs[edgeMs.length - 1] as number);
        const points = toPoints(edges, edgeMs, rollups, fieldsFor.get(id)!, row.kind === 'energy');
        return { id, kind: row.kind, unit: UNITS[row.kind], points };
      }),
    );
    return { start: isoLocal(start), end: isoLocal(end), interval: requested, timeZone: zone, series };
  }
}

/** Which requested fields apply to each series; a series that gets none is a 400. */
function planFields(ids: readonly string[], requested: readonly HistoryField[] | undefined): Map<string, readonly HistoryField[]> {
  const plan = new Map<string, readonly HistoryField[]>();
  if (requested) {
    const duplicate = requested.find((f, i) => requested.indexOf(f) !== i);
    if (duplicate) throw new InvalidInputError(`fields: ${duplicate} is given twice`);
  }
  for (const id of ids) {
    const kind = seriesKindOf(id) as SeriesKind;
    const applicable = FIELDS_BY_KIND[kind];
    const fields = requested ? requested.filter((f) => applicable.includes(f)) : applicable;
    if (fields.length === 0) {
      throw new InvalidInputError(
        `fields: none of ${requested!.join(', ')} applies to series ${id} (a ${kind} series: ${applicable.join(', ')})`,
      );
    }
    plan.set(id, fields);
  }
  return plan;
}

function toPoints(
  edges: readonly DateTime[],
  edgeMs: readonly number[],
  rollups: readonly { bucketStart: number }[],
  fields: readonly HistoryField[],
  withQuality: boolean,
): Point[] {
  const points: Point[] = [];
  let r = 0;
  for (let b = 0; b < edges.length - 1; b++) {
    const until = edgeMs[b + 1] as number;
    const aggregate = emptyAggregate();
    while (r < rollups.length && (rollups[r] as { bucketStart: number }).bucketStart < until) {
      merge(aggregate, rollups[r] as Aggregate & { bucketStart: number });
      r++;
    }
    const point: Point = { start: isoLocal(edges[b] as DateTime) };
    for (const field of fields) point[field] = valueOf(field, aggregate);
    if (withQuality) point.quality = qualityOf(aggregate);
    points.push(point);
  }
  return points;
}
