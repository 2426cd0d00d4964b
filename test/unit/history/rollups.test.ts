import { describe, expect, it } from 'vitest';
import { counterDelta, rollupsOf } from '../../../src/history/rollups.ts';
import { seriesKindOf } from '../../../src/history/series.ts';

describe('rollups', () => {
  it('takes energy from counter increases and never from a decrease (meter reset or swap)', () => {
    expect(counterDelta('energy', null, 1000)).toBe(0);
    expect(counterDelta('energy', 1000, 1030.5)).toBe(30.5);
    expect(counterDelta('energy', 1_250_000, 12)).toBe(0);
    expect(counterDelta('power', 1000, 2000)).toBe(0);
  });

  it('aggregates samples into 5-minute, hourly and daily buckets', () => {
    const t0 = Date.parse('2026-03-01T23:55:00Z');
    const samples = [
      { ts: t0, value: 100, delta: 0 },
      { ts: t0 + 240_000, value: 300, delta: 5 },
      { ts: t0 + 300_000, value: 200, delta: 7 }, // next day
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
