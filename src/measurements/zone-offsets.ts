/**
 * The UTC offset of a zone as constant pieces over a range, pure: lets SQL turn an hour's UTC start into local
 * wall-clock time with a short CASE, so the database groups hourly rollups into local days itself (a year is then
 * about 365 rows per field instead of 8,760). Transitions are found to the hour, which is exact for every zone
 * whose offsets are whole hours (the only ones the hourly rollups serve).
 */
import { DateTime } from 'luxon';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface OffsetPiece {
  /** First UTC ms (inclusive) with this offset; the next piece's `from` ends it. */
  from: number;
  offsetMs: number;
}

const offsetAt = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).offset * 60_000;

/** The offset pieces over [from, to): probes every 6 hours, then narrows each change to its hour. */
export function offsetPieces(from: number, to: number, zone: string): OffsetPiece[] {
  const pieces: OffsetPiece[] = [{ from, offsetMs: offsetAt(from, zone) }];
  const step = 6 * HOUR_MS;
  for (let probe = from; probe < to; probe += step) {
    const next = Math.min(probe + step, to);
    const current = pieces[pieces.length - 1]!.offsetMs;
    if (offsetAt(next, zone) === current) continue;
    // The change lies in (probe, next]: the first whole hour with another offset.
    let low = probe;
    let high = next;
    while (high - low > HOUR_MS) {
      const middle = low + Math.floor((high - low) / 2 / HOUR_MS) * HOUR_MS;
      if (offsetAt(middle, zone) === current) low = middle;
      else high = middle;
    }
    pieces.push({ from: high, offsetMs: offsetAt(high, zone) });
  }
  return pieces;
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
