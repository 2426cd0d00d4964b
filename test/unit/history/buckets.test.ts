import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { bucketEdges, ceilToBucket, floorToBucket } from '../../../src/history/buckets.ts';
import { resolutionFor } from '../../../src/history/history-service.ts';
import { isoLocal } from '../../../src/history/range.ts';

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' });
const tooMany = () => 'maxPoints';

describe('calendar buckets', () => {
  it('makes the spring-forward day 23 hours and the fall-back day 25 hours long in Europe/Berlin', () => {
    const edges = bucketEdges(berlin('2026-03-28'), berlin('2026-03-31'), 'day', 100, tooMany);
    expect(edges.map(isoLocal)).toEqual([
      '2026-03-28T00:00:00+01:00',
      '2026-03-29T00:00:00+01:00',
      '2026-03-30T00:00:00+02:00',
      '2026-03-31T00:00:00+02:00',
    ]);
    const hours = edges.slice(1).map((e, i) => (e.toMillis() - (edges[i] as DateTime).toMillis()) / 3_600_000);
    expect(hours).toEqual([24, 23, 24]);

    const autumn = bucketEdges(berlin('2026-10-25'), berlin('2026-10-26'), 'day', 10, tooMany);
    expect((autumn[1]!.toMillis() - autumn[0]!.toMillis()) / 3_600_000).toBe(25);
  });

  it('labels the repeated hour of the fall-back night by its own offset', () => {
    const edges = bucketEdges(berlin('2026-10-25T01:00'), berlin('2026-10-25T04:00'), 'hour', 10, tooMany);
    expect(edges.map(isoLocal)).toEqual([
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
      '2026-10-25T04:00:00+01:00',
    ]);
  });

  it('starts weeks on Monday and months on the first, in the zone', () => {
    expect(isoLocal(floorToBucket(berlin('2026-03-29T12:00'), 'week'))).toBe('2026-03-23T00:00:00+01:00');
    expect(isoLocal(floorToBucket(berlin('2026-03-31T23:59'), 'month'))).toBe('2026-03-01T00:00:00+01:00');
    expect(isoLocal(ceilToBucket(berlin('2026-03-31T23:59'), 'month'))).toBe('2026-04-01T00:00:00+02:00');
    expect(isoLocal(ceilToBucket(berlin('2026-04-01T00:00'), 'month'))).toBe('2026-04-01T00:00:00+02:00');
    expect(isoLocal(floorToBucket(berlin('2026-07-04T10:07:31'), '5m'))).toBe('2026-07-04T10:05:00+02:00');
  });

  it('refuses more buckets than allowed, naming the limit', () => {
    expect(() => bucketEdges(berlin('2026-01-01'), berlin('2026-02-01'), 'hour', 100, tooMany)).toThrow('maxPoints');
  });

  it('reads the coarsest rollup whose edges coincide with the buckets', () => {
    const days = (zone: string) =>
      bucketEdges(DateTime.fromISO('2026-03-01', { zone }), DateTime.fromISO('2026-04-01', { zone }), 'day', 100, tooMany).map((e) =>
        e.toMillis(),
      );
    expect(resolutionFor(days('UTC'))).toBe(86_400_000);
    expect(resolutionFor(days('Europe/Berlin'))).toBe(3_600_000);
    expect(resolutionFor(days('Asia/Kolkata'))).toBe(300_000);
  });
});
