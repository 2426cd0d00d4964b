/**
 * The UTC offset of a zone as constant pieces over a range, pure: lets SQL turn an hour's UTC start into local
 * wall-clock time with a short CASE, so the database groups hourly rollups into local days itself (a year is then
 * about 365 rows per field instead of 8,760). Transitions are found to the hour, which is exact for every zone
 * whose offsets are whole hours (the only ones the hourly rollups serve). Offsets come from luxon's zone
 * directly (no DateTime per probe): this runs on every aggregate request.
 */
import { IANAZone } from 'luxon';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface OffsetPiece {
  /** First UTC ms (inclusive) with this offset; the next piece's `from` ends it. */
  from: number;
  offsetMs: number;
}

const offsetOf = (zone: IANAZone) => (ms: number) => zone.offset(ms) * 60_000;

/**
 * The offset pieces over the probes (ascending UTC ms, first and last included, close enough that no two changes
 * fall between neighbours, see probesOver): each change is narrowed to its whole hour.
 */
export function offsetPieces(probes: readonly number[], zoneName: string): OffsetPiece[] {
  const offsetAt = offsetOf(IANAZone.create(zoneName));
  const pieces: OffsetPiece[] = [{ from: probes[0]!, offsetMs: offsetAt(probes[0]!) }];
  for (let i = 1; i < probes.length; i++) {
    const current = pieces[pieces.length - 1]!.offsetMs;
    if (offsetAt(probes[i]!) === current) continue;
    let low = probes[i - 1]!;
    let high = probes[i]!;
    while (high - low > HOUR_MS) {
      const middle = low + Math.max(1, Math.floor((high - low) / 2 / HOUR_MS)) * HOUR_MS;
      if (offsetAt(middle) === current) low = middle;
      else high = middle;
    }
    pieces.push({ from: high, offsetMs: offsetAt(high) });
  }
  return pieces;
}

/**
 * Probes over [from, to], both included, `stepMs` apart (default a week: offsets change about twice a year, and no
 * zone changes twice within a week, so every change lies between two probes and is narrowed to its hour there).
 */
export function probesOver(from: number, to: number, stepMs = 7 * DAY_MS): number[] {
  const probes: number[] = [];
  for (let ms = from; ms < to; ms += stepMs) probes.push(ms);
  probes.push(to);
  return probes;
}

/** A UTC instant as local wall-clock ms (the instant plus its offset). */
export function wallClock(ms: number, pieces: readonly OffsetPiece[]): number {
  let offset = pieces[0]!.offsetMs;
  for (const piece of pieces) {
    if (piece.from > ms) break;
    offset = piece.offsetMs;
  }
  return ms + offset;
}

/**
 * The local midnights from `start` (a local midnight) up to and including `end`, by offset arithmetic: a day is
 * 24 hours plus the change of offset during it (23 or 25 on a DST change); the offsets come from the pieces, so a
 * year costs a few dozen zone look-ups instead of one per day. Undefined, for luxon's calendar stepping to decide,
 * when a computed edge is not a local midnight (a zone whose clocks skip midnight) or there would be more than
 * `max` days.
 */
export function localMidnights(start: number, end: number, zoneName: string, max: number): number[] | undefined {
  const pieces = offsetPieces(probesOver(start, end + 2 * DAY_MS), zoneName);
  const offsetAt = (ms: number) => wallClock(ms, pieces) - ms;
  const edges = [start];
  for (let current = start; current < end;) {
    let next = current + DAY_MS;
    next += offsetAt(current) - offsetAt(next);
    if ((((next + offsetAt(next)) % DAY_MS) + DAY_MS) % DAY_MS !== 0 || next <= current) return undefined;
    edges.push(next);
    if (edges.length - 1 > max) return undefined;
    current = next;
  }
  return edges;
}
