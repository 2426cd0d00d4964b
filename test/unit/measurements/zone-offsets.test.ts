import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { bucketEdges } from '../../../src/history/buckets.ts';
import { probesOver, HOUR_MS, localMidnights, offsetPieces, wallClock } from '../../../src/measurements/zone-offsets.ts';

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'UTC',
  'Asia/Kolkata',
  'America/Santiago',
  'Asia/Beirut',
  'Europe/London',
];

describe('zone offsets for grouping hourly rollups into local days', () => {
  it.each(ZONES)('%s: local midnights by offset arithmetic equal luxon calendar days (or defer to them)', (zone) => {
    const start = DateTime.fromISO('2024-01-01', { zone });
    const end = DateTime.fromISO('2026-01-01', { zone });
    const luxon = bucketEdges(start, end, 'day', 10_000, () => 'too many').map((e) => e.toMillis());
    const fast = localMidnights(start.toMillis(), end.toMillis(), zone, 10_000);
    if (fast !== undefined) expect(fast).toEqual(luxon);
    else expect(['America/Santiago', 'Asia/Beirut']).toContain(zone); // clocks there skip midnight on some days
  });

  it.each(ZONES)('%s: the offset pieces give every hour its wall-clock time', (zone) => {
    const from = DateTime.fromISO('2025-01-01', { zone }).toMillis();
    const to = DateTime.fromISO('2026-01-01', { zone }).toMillis();
    const pieces = offsetPieces(probesOver(from, to), zone);
    expect(pieces.length).toBeLessThanOrEqual(3);
    for (let hour = from - (from % HOUR_MS); hour < to; hour += HOUR_MS) {
      const dt = DateTime.fromMillis(hour, { zone });
      expect(wallClock(hour, pieces)).toBe(hour + dt.offset * 60_000);
    }
  });

  it('refuses more days than allowed by deferring to luxon (which names the limit)', () => {
    const start = DateTime.fromISO('2020-01-01', { zone: 'UTC' }).toMillis();
    expect(localMidnights(start, start + 20 * 86_400_000, 'UTC', 10)).toBeUndefined();
  });
});
