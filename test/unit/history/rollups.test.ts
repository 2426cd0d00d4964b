import { describe, expect, it } from 'vitest';
import { emptyAggregate, merge, qualityOf, rollupsOf } from '../../../src/history/rollups.ts';
import { seriesFamilyOf, seriesKindOf } from '../../../src/history/series.ts';

describe('rollups', () => {
  it('marks a bucket by the worst of its readings, also when buckets are merged', () => {
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const sample = (ts: number, suspect = false, reset = false) => ({ ts, value: 1, energy: 1, suspect, reset });
    const rows = rollupsOf(1, [sample(t0), sample(t0 + 300_000, true), sample(t0 + 600_000, true, true)]).filter(
      (r) => r.resolution === 300_000,
    );
    expect(rows.map(qualityOf)).toEqual(['measured', 'corrected', 'incomplete']);
    const hour = emptyAggregate();
    expect(qualityOf(hour)).toBeNull();
    merge(hour, rows[0]!);
    merge(hour, rows[1]!);
    expect(qualityOf(hour)).toBe('corrected');
    merge(hour, rows[2]!);
    expect(hour).toMatchObject({ n: 3, energy: 3, suspect: 2, resets: 1 });
  });

  it('labels a series family without its entity id', () => {
    expect(seriesFamilyOf('chargepoint.3.energyImported')).toBe('chargepoint.energyImported');
    expect(seriesFamilyOf('grid.energyImported')).toBe('grid.energyImported');
  });

  it('aggregates samples into 5-minute, hourly and daily buckets', () => {
    const t0 = Date.parse('2026-03-01T23:55:00Z');
    const samples = [
      { ts: t0, value: 100, energy: 0, suspect: false, reset: false },
      { ts: t0 + 240_000, value: 300, energy: 5, suspect: false, reset: false },
      { ts: t0 + 300_000, value: 200, energy: 7, suspect: false, reset: false }, // next day
    ];
    const rows = rollupsOf(4, samples);
    const byResolution = (r: number) =>
      rows
        .filter((row) => row.resolution === r)
        .map(({ bucketStart, n, sum, min, max, energy }) => ({ bucketStart, n, sum, min, max, energy }));
    expect(byResolution(300_000)).toEqual([
      { bucketStart: t0, n: 2, sum: 400, min: 100, max: 300, energy: 5 },
      { bucketStart: t0 + 300_000, n: 1, sum: 200, min: 200, max: 200, energy: 7 },
    ]);
    expect(byResolution(3_600_000).map((r) => r.n)).toEqual([2, 1]);
    expect(byResolution(86_400_000)).toEqual([
      { bucketStart: Date.parse('2026-03-01T00:00:00Z'), n: 2, sum: 400, min: 100, max: 300, energy: 5 },
      { bucketStart: Date.parse('2026-03-02T00:00:00Z'), n: 1, sum: 200, min: 200, max: 200, energy: 7 },
    ]);
  });

  it('accepts only allow-listed series ids', () => {
    expect(seriesKindOf('chargepoint.3.power')).toBe('power');
    expect(seriesKindOf('chargepoint.3.energyImported')).toBe('energy');
    expect(seriesKindOf('grid.energyExported')).toBe('energy');
    expect(seriesKindOf('pv.energyTotal')).toBe('energy');
    expect(seriesKindOf('vehicle.1.soc')).toBe('soc');
    expect(seriesKindOf('battery.soc')).toBe('soc');
    for (const bad of [
      'grid.soc',
      'pv.energyImported',
      'chargepoint.3',
      'chargepoint.3.power; DROP TABLE',
      'home.energyImported',
      'x.power',
    ]) {
      expect(seriesKindOf(bad)).toBeUndefined();
    }
  });
});
