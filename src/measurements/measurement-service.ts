/**
 * Measurement series: who may see and change which series, time ranges and paging, on top of the
 * repositories. Knows neither HTTP nor the wire format of either API (see dto.ts).
 */
import { DateTime } from 'luxon';
import type { Database } from '../db/database.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { bucketEdges, type BucketInterval } from '../history/buckets.ts';
import { isoLocal, parseInstant, parseZone, resolveRange } from '../history/range.ts';
import { foldPoints, foldRollups } from './aggregate.ts';
import type { SeriesCaller } from './caller.ts';
import { checkFields, checkUnits, MAX_POINTS_PER_BATCH, type Fields } from './limits.ts';
import {
  countPoints,
  deletePoint,
  findPoint,
  readDayRollups,
  readPoints,
  readRollups,
  writePoints,
  type StoredPoint,
} from './point-repository.ts';
import { localMidnights, offsetPieces, probesOver, wallClock } from './zone-offsets.ts';
import { HOUR_MS } from './rollups.ts';
import { deleteSeries, findSeries, insertSeries, listSeries, type SeriesRow } from './series-repository.ts';

export const MAX_BUCKETS = 10_000;
/** The default window of a points read without `from` (timeseries-api's). */
export const DEFAULT_WINDOW_MS = 2 * 86_400_000;
/** At most this many points in one wire-mode read (it has no paging). */
export const MAX_WIRE_POINTS = 100_000;
const MAX_TS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

export interface NewSeries {
  description: string;
  deviceId: string;
  deviceDescription?: string;
  units?: Record<string, string>;
  retentionDays?: number | null;
}

export interface PointIn {
  time?: string;
  fields: Readonly<Record<string, unknown>>;
}

export interface AggregateQuery {
  from?: string;
  to?: string;
  duration?: string;
  interval?: BucketInterval | '5min';
  tz?: string;
  fields?: readonly string[];
}

const encodeCursor = (values: readonly number[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

function decodeCursor(text: string, length: number): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== length || !parsed.every((v) => Number.isSafeInteger(v))) {
    throw new InvalidInputError('cursor: not a cursor this API issued; pass nextCursor of the previous page unchanged');
  }
  return parsed as number[];
}

export class MeasurementService {
  constructor(
    private readonly db: Database,
    private readonly options: { timeZone: string; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Whose series a caller lists: undefined = everyone's. */
  private ownerFilter(caller: SeriesCaller): string | null | undefined {
    if (caller.kind === 'anonymous' || caller.admin) return undefined;
    return caller.userId;
  }

  private mayRead(caller: SeriesCaller, series: SeriesRow): boolean {
    if (caller.kind === 'anonymous') return true;
    if (caller.boundSeriesId !== undefined) return caller.boundSeriesId === series.id;
    return caller.admin || (caller.userId !== null && caller.userId === series.ownerId);
  }

  /** A series the caller may read; another user's answers 404 (its existence is not revealed). */
  async readable(caller: SeriesCaller, id: number): Promise<SeriesRow> {
    this.refuseOtherDevice(caller, id);
    const series = await findSeries(this.db, id);
    if (!series || !this.mayRead(caller, series)) throw new NotFoundError(`Series ${id} does not exist`);
    return series;
  }

  /** A device key bound to a series reaches no other series: 403, whatever exists. */
  private refuseOtherDevice(caller: SeriesCaller, id: number): void {
    if (caller.kind === 'user' && caller.boundSeriesId !== undefined && caller.boundSeriesId !== id) {
      throw new ForbiddenError(`This device key is bound to series ${caller.boundSeriesId}, not to series ${id}`);
    }
  }

  private refuseDevice(caller: SeriesCaller, what: string): void {
    if (caller.kind === 'user' && caller.boundSeriesId !== undefined) {
      throw new ForbiddenError(`A device key may only write and read its own series, not ${what}`);
    }
  }

  async create(caller: SeriesCaller, input: NewSeries): Promise<SeriesRow> {
    if (caller.kind === 'anonymous') throw new ForbiddenError('Creating a series needs credentials');
    this.refuseDevice(caller, 'create series');
    const id = await insertSeries(this.db, {
      ownerId: caller.userId,
      description: input.description,
      deviceId: input.deviceId,
      deviceDescription: input.deviceDescription ?? '',
      units: checkUnits(input.units),
      dayZone: this.options.timeZone,
      retentionDays: input.retentionDays ?? null,
      createdAt: this.now(),
    });
    return (await findSeries(this.db, id))!;
  }

  async list(caller: SeriesCaller, page: { limit: number; cursor?: string }): Promise<{ items: SeriesRow[]; nextCursor: string | null }> {
    this.refuseDevice(caller, 'list series');
    const afterId = page.cursor === undefined ? 0 : (decodeCursor(page.cursor, 1)[0] as number);
    const rows = await listSeries(this.db, this.ownerFilter(caller), afterId, page.limit + 1);
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: rows.length > page.limit ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  /** Every series the caller may read (the wire mode's unpaged listing). */
  async listAll(caller: SeriesCaller): Promise<SeriesRow[]> {
    this.refuseDevice(caller, 'list series');
    return listSeries(this.db, this.ownerFilter(caller), 0, 100_000);
  }

  async remove(caller: SeriesCaller, id: number): Promise<void> {
    this.refuseDevice(caller, 'delete series');
    await this.readable(caller, id);
    if (!(await deleteSeries(this.db, id))) throw new NotFoundError(`Series ${id} does not exist`);
  }

  /** The wire mode's delete: idempotent (204 for a series that does not exist), 403 for another user's. */
  async removeIfAny(caller: SeriesCaller, id: number): Promise<boolean> {
    this.refuseDevice(caller, 'delete series');
    const series = await findSeries(this.db, id);
    if (!series) return false;
    if (!this.mayRead(caller, series)) throw new ForbiddenError('Permission denied: the series belongs to another user');
    return deleteSeries(this.db, id);
  }

  /** Stores a batch (all or nothing); returns how many points, and the id of the point when it was one. */
  async write(caller: SeriesCaller, id: number, points: readonly PointIn[]): Promise<{ written: number; lastId?: number }> {
    if (caller.kind === 'anonymous') throw new ForbiddenError('Writing points needs credentials');
    this.refuseOtherDevice(caller, id);
    if (points.length === 0) throw new InvalidInputError('points: at least one point');
    if (points.length > MAX_POINTS_PER_BATCH) throw new InvalidInputError(`points: at most ${MAX_POINTS_PER_BATCH} points per batch`);
    const series = await findSeries(this.db, id);
    if (!series) throw new NotFoundError(`Series ${id} does not exist`);
    if (!this.mayRead(caller, series)) throw new ForbiddenError('Permission denied: the series belongs to another user');
    const receivedAt = this.now();
    const timed = points.map((point, i) => ({
      ts: point.time === undefined ? receivedAt : parseTime(point.time, `points/${i}/time`),
      fields: checkFields(point.fields, `points/${i}/fields`),
    }));
    const lastId = await writePoints(this.db, series, timed, timed.length === 1);
    return { written: timed.length, lastId };
  }

  async points(
    caller: SeriesCaller,
    id: number,
    query: { from?: string; to?: string; tz?: string; limit: number; cursor?: string },
  ): Promise<{ items: StoredPoint[]; nextCursor: string | null }> {
    await this.readable(caller, id);
    const { from, to } = this.window(query, false);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 2);
    const rows = await readPoints(
      this.db,
      id,
      { from, to, after: after && { ts: after[0] as number, id: after[1] as number } },
      query.limit + 1,
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.ts, last.id]) : null };
  }

  /** The wire mode's read: `from` ≤ time ≤ `to`, unpaged, at most MAX_WIRE_POINTS. */
  async pointsInclusive(caller: SeriesCaller, id: number, query: { from?: string; to?: string }): Promise<StoredPoint[]> {
    await this.readable(caller, id);
    const { from, to } = this.window(query, true);
    const rows = await readPoints(this.db, id, { from, to, inclusiveTo: true }, MAX_WIRE_POINTS + 1);
    if (rows.length > MAX_WIRE_POINTS) {
      throw new InvalidInputError(`from: the range holds more than ${MAX_WIRE_POINTS} points; narrow it`);
    }
    return rows;
  }

  private window(query: { from?: string; to?: string; tz?: string }, inclusive: boolean): { from: number; to: number } {
    const zone = parseZone(query.tz, this.options.timeZone);
    const to = query.to === undefined ? this.now() : parseInstant(query.to, zone, 'to').toMillis();
    const from = query.from === undefined ? to - DEFAULT_WINDOW_MS : parseInstant(query.from, zone, 'from').toMillis();
    if (inclusive ? to < from : to <= from) throw new InvalidInputError('to: must be after from');
    return { from, to };
  }

  async aggregate(caller: SeriesCaller, id: number, query: AggregateQuery) {
    const series = await this.readable(caller, id);
    const zone = parseZone(query.tz, this.options.timeZone);
    const requested = query.interval ?? 'day';
    const interval: BucketInterval = requested === '5min' ? '5m' : requested;
    const now = this.now();
    const noRange = query.from === undefined && query.to === undefined && query.duration === undefined;
    const from = noRange ? isoLocal(DateTime.fromMillis(now, { zone }).startOf('day')) : query.from;
    const { start, end } = resolveRange(
      { start: from, end: query.to, duration: query.duration, names: { start: 'from', end: 'to', duration: 'duration' } },
      zone,
      interval,
      now,
    );
    const tooMany = () => `interval: more than ${MAX_BUCKETS} ${interval} buckets; choose a coarser interval or a shorter range`;
    // Days by offset arithmetic (a year of luxon calendar steps costs more than the query); luxon where that cannot be exact.
    const edgeMs =
      (interval === 'day' ? localMidnights(start.toMillis(), end.toMillis(), zone, MAX_BUCKETS) : undefined) ??
      bucketEdges(start, end, interval, MAX_BUCKETS, tooMany).map((edge) => edge.toMillis());
    const wanted = query.fields && query.fields.length > 0 ? query.fields : undefined;
    const folded = await this.fold(series, edgeMs, interval, zone, wanted);
    const label = (ms: number) => isoLocal(DateTime.fromMillis(ms, { zone }));
    return {
      seriesId: String(id),
      start: isoLocal(start),
      end: isoLocal(end),
      interval: requested,
      timeZone: zone,
      fields: [...folded.fields],
      buckets: folded.buckets.map((fields, b) => ({ start: label(edgeMs[b] as number), fields })),
    };
  }

  /**
   * The cheapest exact source for the buckets: calendar days and longer in the series' day zone from its day
   * rollups; in another zone from the hourly rollups grouped into that zone's days by the database; hours from the
   * hourly rollups; anything not made of whole UTC hours (5 minutes, a half-hour zone) from the points.
   */
  private async fold(
    series: SeriesRow,
    edgeMs: readonly number[],
    interval: BucketInterval,
    zone: string,
    wanted: readonly string[] | undefined,
  ) {
    const id = series.id;
    const first = edgeMs[0] as number;
    const last = edgeMs[edgeMs.length - 1] as number;
    if (interval !== 'hour' && interval !== '5m' && zone === series.dayZone) {
      return foldRollups(edgeMs, await readRollups(this.db, id, first, last, 'measurement_day_rollups'), wanted);
    }
    if (!edgeMs.every((edge) => edge % HOUR_MS === 0)) {
      return foldPoints(edgeMs, await readPoints(this.db, id, { from: first, to: last }, Number.MAX_SAFE_INTEGER), wanted);
    }
    if (interval === 'hour') return foldRollups(edgeMs, await readRollups(this.db, id, first, last), wanted);
    const pieces = offsetPieces(probesOver(first, last), zone);
    const days = await readDayRollups(this.db, id, first, last, pieces, wanted);
    // Each local day into the bucket whose start (as wall-clock time) is the last at or before it.
    const edgeDays = edgeMs.map((edge) => wallClock(edge, pieces));
    let b = 0;
    for (const day of days) {
      while (b + 1 < edgeDays.length - 1 && (edgeDays[b + 1] as number) <= day.localDay) b++;
      day.bucketStart = edgeMs[b] as number;
    }
    return foldRollups(edgeMs, days, wanted);
  }

  async point(caller: SeriesCaller, pointId: number): Promise<StoredPoint> {
    const point = await findPoint(this.db, pointId);
    if (!point) throw new NotFoundError(`Point ${pointId} does not exist`);
    const series = await findSeries(this.db, point.seriesId);
    if (!series || !this.mayRead(caller, series)) throw new NotFoundError(`Point ${pointId} does not exist`);
    return point;
  }

  /** The wire mode's point delete: idempotent, 403 for a point of another user's series. */
  async removePointIfAny(caller: SeriesCaller, pointId: number): Promise<void> {
    const point = await findPoint(this.db, pointId);
    if (!point) return;
    const series = await findSeries(this.db, point.seriesId);
    if (series && !this.mayRead(caller, series)) throw new ForbiddenError('Permission denied: the point belongs to another user');
    this.refuseDevice(caller, 'delete points');
    await deletePoint(this.db, point, series?.dayZone ?? this.options.timeZone);
  }

  async count(caller: SeriesCaller): Promise<number> {
    if (caller.kind === 'user' && caller.boundSeriesId !== undefined) return (await this.readable(caller, caller.boundSeriesId)).pointCount;
    return countPoints(this.db, this.ownerFilter(caller));
  }
}

function parseTime(text: string, name: string): number {
  const ts = Date.parse(text);
  if (!Number.isFinite(ts) || ts < 0 || ts > MAX_TS) {
    throw new InvalidInputError(`${name}: "${text.slice(0, 40)}" is not an ISO 8601 date-time with an offset after 1970`);
  }
  return ts;
}

export type { Fields };
