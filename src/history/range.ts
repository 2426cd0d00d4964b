/**
 * Reads the time range parameters of the statistics queries: ISO dates or date-times (local to `tz` when
 * they carry no offset) and durations such as `7d` or `1month`, widened to whole buckets.
 */
import { DateTime, Duration, IANAZone } from 'luxon';
import { InvalidInputError } from '../errors.ts';
import { ceilToBucket, floorToBucket, type BucketInterval } from './buckets.ts';

const DURATION = /^([1-9]\d{0,3})(min|h|d|w|month|y)$/;
const UNITS = { min: 'minutes', h: 'hours', d: 'days', w: 'weeks', month: 'months', y: 'years' } as const;

export function parseZone(tz: string | undefined, fallback: string, name = 'tz'): string {
  const zone = tz ?? fallback;
  if (!IANAZone.isValidZone(zone)) throw new InvalidInputError(`${name}: "${zone}" is not an IANA time zone such as Europe/Berlin or UTC`);
  return zone;
}

export function parseInstant(value: string, zone: string, name: string): DateTime {
  const parsed = DateTime.fromISO(value, { zone });
  if (!parsed.isValid) {
    throw new InvalidInputError(
      `${name}: "${value}" is not a valid ISO 8601 date or date-time (${parsed.invalidExplanation ?? parsed.invalidReason})`,
    );
  }
  return parsed;
}

export function parseDuration(value: string, name = 'duration'): Duration {
  const match = DURATION.exec(value);
  if (!match) throw new InvalidInputError(`${name}: "${value}" is not a duration such as 30min, 24h, 7d, 2w, 1month or 1y`);
  return Duration.fromObject({ [UNITS[match[2] as keyof typeof UNITS]]: Number(match[1]) });
}

export interface RangeParams {
  start?: string;
  end?: string;
  duration?: string;
  /** Parameter names as the operation calls them (history: start/end, sessions: from/to). */
  names: { start: string; end: string; duration?: string };
  /** Used when only `end` (or nothing) is given and the operation has a default length. */
  defaultDuration?: Duration;
}

/** Resolves to bucket-aligned [start, end) in `zone`. */
export function resolveRange(params: RangeParams, zone: string, interval: BucketInterval, now: number): { start: DateTime; end: DateTime } {
  const { names } = params;
  const durationName = names.duration ?? 'duration';
  const duration = params.duration === undefined ? undefined : parseDuration(params.duration, durationName);
  const startAt = params.start === undefined ? undefined : parseInstant(params.start, zone, names.start);
  const endAt = params.end === undefined ? undefined : parseInstant(params.end, zone, names.end);
  if (startAt && endAt && duration) {
    throw new InvalidInputError(`${durationName}: give at most two of ${names.start}, ${names.end} and ${durationName}`);
  }
  let start: DateTime;
  let end: DateTime;
  if (startAt && endAt) {
    start = floorToBucket(startAt, interval);
    end = ceilToBucket(endAt, interval);
    if (endAt <= startAt) throw new InvalidInputError(`${names.end}: must be after ${names.start}`);
  } else if (startAt) {
    start = floorToBucket(startAt, interval);
    end = duration ? ceilToBucket(start.plus(duration), interval) : ceilToBucket(DateTime.fromMillis(now, { zone }), interval);
    if (end <= start) throw new InvalidInputError(`${names.start}: lies in the future; give ${names.end} or ${durationName} too`);
  } else {
    const length = duration ?? params.defaultDuration;
    if (!length) {
      throw new InvalidInputError(
        `${names.start}: the range is missing: give ${names.start} (and ${names.end}), or ${durationName} such as 7d`,
      );
    }
    end = ceilToBucket(endAt ?? DateTime.fromMillis(now, { zone }), interval);
    start = floorToBucket(end.minus(length), interval);
  }
  return { start, end };
}

/** ISO 8601 with the zone's offset at that instant, without milliseconds. */
export const isoLocal = (at: DateTime): string => at.toISO({ suppressMilliseconds: true }) as string;
