/**
 * Calendar buckets in an IANA time zone, DST-correct (luxon: calendar units step by local calendar,
 * hours and minutes by elapsed time, so a day is 23 or 25 hours long on a daylight-saving change).
 */
import { DateTime } from 'luxon';
import { InvalidInputError } from '../errors.ts';

export type BucketInterval = '5m' | 'hour' | 'day' | 'week' | 'month' | 'year';

const FIVE_MINUTES = 300_000;

export function floorToBucket(at: DateTime, interval: BucketInterval): DateTime {
  switch (interval) {
    case '5m': {
      const ms = at.toMillis();
      return DateTime.fromMillis(ms - (((ms % FIVE_MINUTES) + FIVE_MINUTES) % FIVE_MINUTES), { zone: at.zone });
    }
    case 'hour':
      return at.startOf('hour');
    case 'day':
      return at.startOf('day');
    case 'week':
      return at.startOf('week'); // ISO week: Monday
    case 'month':
      return at.startOf('month');
    case 'year':
      return at.startOf('year');
  }
}

/** `next` when it already starts a bucket (the common case), else its bucket start: one luxon step instead of two. */
function aligned(next: DateTime, interval: BucketInterval): DateTime {
  const atHour = next.minute === 0 && next.second === 0 && next.millisecond === 0;
  return atHour && (interval === 'hour' || next.hour === 0) ? next : floorToBucket(next, interval);
}

export function nextBucket(start: DateTime, interval: BucketInterval): DateTime {
  switch (interval) {
    case '5m':
      return DateTime.fromMillis(start.toMillis() + FIVE_MINUTES, { zone: start.zone });
    case 'hour':
      // Elapsed time, so the repeated hour of a fall-back night is its own bucket; re-aligned after a
      // half-hour DST shift (Australia/Lord_Howe).
      return aligned(DateTime.fromMillis(start.toMillis() + 3_600_000, { zone: start.zone }), 'hour');
    case 'day':
      return aligned(start.plus({ days: 1 }), 'day');
    case 'week':
      return aligned(start.plus({ weeks: 1 }), 'week');
    case 'month':
      return aligned(start.plus({ months: 1 }), 'month');
    case 'year':
      return aligned(start.plus({ years: 1 }), 'year');
  }
}

export function ceilToBucket(at: DateTime, interval: BucketInterval): DateTime {
  const floor = floorToBucket(at, interval);
  return floor.toMillis() === at.toMillis() ? floor : nextBucket(floor, interval);
}

/**
 * Bucket starts from `start` (a bucket start) up to `end` (exclusive), plus `end` itself as the last
 * edge. Throws a 400 naming `maxPoints` as soon as there would be more than `maxBuckets`.
 */
export function bucketEdges(
  start: DateTime,
  end: DateTime,
  interval: BucketInterval,
  maxBuckets: number,
  tooMany: () => string,
): DateTime[] {
  const edges: DateTime[] = [start];
  const endMs = end.toMillis();
  let current = start;
  while (current.toMillis() < endMs) {
    current = nextBucket(current, interval);
    edges.push(current);
    if (edges.length - 1 > maxBuckets) throw new InvalidInputError(tooMany());
  }
  return edges;
}
