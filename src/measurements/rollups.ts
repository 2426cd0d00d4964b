/**
 * Hourly rollups of measurement points, pure: per field and UTC hour the count, sum, minimum, maximum and the
 * latest value (by time; on a tie the later write). They merge by addition and min/max, so a write adds its
 * batch's rollups to the stored ones, and any calendar bucket whose edges are whole UTC hours is the merge of
 * its hours: days, weeks and months in every zone whose offset is whole hours, DST days included.
 */
import { DateTime } from 'luxon';
import type { Fields } from './limits.ts';

export const HOUR_MS = 3_600_000;

export interface FieldAggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  lastTs: number;
  last: number;
}

export interface HourRollup extends FieldAggregate {
  field: string;
  bucketStart: number;
}

export interface TimedFields {
  ts: number;
  fields: Fields;
}

export const hourOf = (ts: number) => ts - (((ts % HOUR_MS) + HOUR_MS) % HOUR_MS);

/** Folds one value into an aggregate; on a tie of time the later value is the last. */
export function add(into: FieldAggregate, ts: number, value: number): void {
  if (into.n === 0) {
    into.min = value;
    into.max = value;
  } else {
    if (value < into.min) into.min = value;
    if (value > into.max) into.max = value;
  }
  into.n++;
  into.sum += value;
  if (ts >= into.lastTs) {
    into.lastTs = ts;
    into.last = value;
  }
}

export function merge(into: FieldAggregate, other: FieldAggregate): void {
  if (other.n === 0) return;
  if (into.n === 0) {
    into.min = other.min;
    into.max = other.max;
  } else {
    if (other.min < into.min) into.min = other.min;
    if (other.max > into.max) into.max = other.max;
  }
  into.n += other.n;
  into.sum += other.sum;
  if (other.lastTs >= into.lastTs) {
    into.lastTs = other.lastTs;
    into.last = other.last;
  }
}

export const emptyAggregate = (): FieldAggregate => ({ n: 0, sum: 0, min: 0, max: 0, lastTs: Number.NEGATIVE_INFINITY, last: 0 });

/** The rollups of a batch of points (any order), one per field and bucket (`bucketOf`: the bucket's start). */
function rollupsOf(points: readonly TimedFields[], bucketOf: (ts: number) => number): HourRollup[] {
  const byKey = new Map<string, HourRollup>();
  for (const { ts, fields } of points) {
    const bucketStart = bucketOf(ts);
    for (const field in fields) {
      const key = `${bucketStart}\u0000${field}`;
      let rollup = byKey.get(key);
      if (!rollup) {
        rollup = { field, bucketStart, ...emptyAggregate() };
        byKey.set(key, rollup);
      }
      add(rollup, ts, fields[field] as number);
    }
  }
  return [...byKey.values()];
}

/** The hourly rollups of a batch of points (any order), one per field and hour. */
export const hourRollupsOf = (points: readonly TimedFields[]): HourRollup[] => rollupsOf(points, hourOf);

/** The UTC start of the local day of `ts` in `zone`, remembered per UTC hour (a day edge inside an hour: per point). */
function localDayStarts(zone: string) {
  const byHour = new Map<number, number | null>();
  const dayOf = (ts: number) => DateTime.fromMillis(ts, { zone }).startOf('day').toMillis();
  return (ts: number) => {
    const hour = hourOf(ts);
    let day = byHour.get(hour);
    if (day === undefined) {
      const first = dayOf(hour);
      day = first === dayOf(hour + HOUR_MS - 1) ? first : null;
      byHour.set(hour, day);
    }
    return day ?? dayOf(ts);
  };
}

/** The rollups of a batch of points per local day of `zone` (bucketStart: the day's first UTC ms), one per field and day. */
export const dayRollupsOf = (points: readonly TimedFields[], zone: string): HourRollup[] => rollupsOf(points, localDayStarts(zone));

/** The first UTC ms of the local day after the one starting at `dayStart`. */
export const nextLocalDay = (dayStart: number, zone: string) =>
  DateTime.fromMillis(dayStart, { zone }).plus({ days: 1 }).startOf('day').toMillis();
export const localDayOf = (ts: number, zone: string) => DateTime.fromMillis(ts, { zone }).startOf('day').toMillis();
