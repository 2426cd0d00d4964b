import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.ts';
import { foldPoints, foldRollups } from '../../../src/measurements/aggregate.ts';
import { checkFields } from '../../../src/measurements/limits.ts';
import { dayRollupsOf, hourRollupsOf, merge, emptyAggregate, type TimedFields } from '../../../src/measurements/rollups.ts';

const at = (iso: string) => Date.parse(iso);

describe('measurement rollups', () => {
  const points: TimedFields[] = [
    { ts: at('2026-03-29T00:30:00Z'), fields: { t: 5 } },
    { ts: at('2026-03-29T00:10:00Z'), fields: { t: 7, v: 3.7 } },
    { ts: at('2026-03-29T01:59:59Z'), fields: { t: -1 } },
    { ts: at('2026-03-29T00:30:00Z'), fields: { t: 6 } }, // same time as the first, written later: the later one is last
  ];

  it('aggregates per field and UTC hour in any order, the latest time (then the later write) being last', () => {
    const hours = hourRollupsOf(points);
    expect(hours).toEqual([
      { field: 't', bucketStart: at('2026-03-29T00:00:00Z'), n: 3, sum: 18, min: 5, max: 7, lastTs: at('2026-03-29T00:30:00Z'), last: 6 },
      {
        field: 'v',
        bucketStart: at('2026-03-29T00:00:00Z'),
        n: 1,
        sum: 3.7,
        min: 3.7,
        max: 3.7,
        lastTs: at('2026-03-29T00:10:00Z'),
        last: 3.7,
      },
      {
        field: 't',
        bucketStart: at('2026-03-29T01:00:00Z'),
        n: 1,
        sum: -1,
        min: -1,
        max: -1,
        lastTs: at('2026-03-29T01:59:59Z'),
        last: -1,
      },
    ]);
    const all = emptyAggregate();
    for (const h of hours.filter((r) => r.field === 't')) merge(all, h);
    expect(all).toMatchObject({ n: 4, sum: 17, min: -1, max: 7, last: -1 });
  });

  it('aggregates per local day, also where a day starts inside a UTC hour (Asia/Kolkata)', () => {
    // 18:30Z is midnight in Kolkata: 18:10Z and 18:50Z lie in different local days of the same UTC hour.
    const kolkata = dayRollupsOf(
      [
        { ts: at('2026-03-28T18:10:00Z'), fields: { t: 1 } },
        { ts: at('2026-03-28T18:50:00Z'), fields: { t: 2 } },
      ],
      'Asia/Kolkata',
    );
    expect(kolkata.map((r) => [new Date(r.bucketStart).toISOString(), r.n])).toEqual([
      ['2026-03-27T18:30:00.000Z', 1],
      ['2026-03-28T18:30:00.000Z', 1],
    ]);
    // Berlin's 29 March 2026 has 23 hours: it starts at 23:00Z the day before.
    const berlin = dayRollupsOf(points, 'Europe/Berlin');
    expect(berlin.map((r) => [r.field, new Date(r.bucketStart).toISOString(), r.n])).toEqual([
      ['t', '2026-03-28T23:00:00.000Z', 4],
      ['v', '2026-03-28T23:00:00.000Z', 1],
    ]);
  });

  it('folds rollups and points into buckets alike, with nulls where a bucket has no value of a field', () => {
    const edges = [at('2026-03-29T00:00:00Z'), at('2026-03-29T01:00:00Z'), at('2026-03-29T02:00:00Z'), at('2026-03-29T03:00:00Z')];
    const sorted = [...points].sort((a, b) => a.ts - b.ts);
    const fromPoints = foldPoints(edges, sorted);
    expect(foldRollups(edges, hourRollupsOf(points))).toEqual(fromPoints);
    expect(fromPoints.fields).toEqual(['t', 'v']);
    expect(fromPoints.buckets[0]!.t).toEqual({ count: 3, min: 5, avg: 6, max: 7, last: 6 });
    expect(fromPoints.buckets[2]!.v).toEqual({ count: 0, min: null, avg: null, max: null, last: null });
    expect(foldPoints(edges, sorted, ['v']).buckets.map((b) => Object.keys(b))).toEqual([['v'], ['v'], ['v']]);
  });
});

describe('the bounds OpenAPI 3.0 cannot express', () => {
  it('wants 1–32 finite numbers with names matching the pattern', () => {
    expect(checkFields({ temp_C: 1.5, 'a.b-c': 0 }, 'f')).toEqual({ temp_C: 1.5, 'a.b-c': 0 });
    for (const bad of [
      {},
      { t: Infinity },
      { t: Number.NaN },
      { t: '1' },
      { '1t': 1 },
      { 'with space': 1 },
      Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i])),
    ]) {
      expect(() => checkFields(bad, 'f')).toThrow(InvalidInputError);
    }
  });
});
