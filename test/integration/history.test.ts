import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketEdges, type BucketInterval } from '../../src/history/buckets.ts';
import { HistoryService } from '../../src/history/history-service.ts';
import { pruneSamples } from '../../src/history/retention.ts';
import { SampleWriter } from '../../src/history/sample-writer.ts';
import type { Sample } from '../../src/recorder/sampling.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';

const START = Date.parse('2026-03-20T00:00:00Z');
const DAYS = 40; // spans the spring-forward change (2026-03-29 in Europe/Berlin)
const STEP = 120_000;

/** Deterministic pseudo-random data: a counter with a gap and a meter swap, and a power series. */
function makeSamples(): Sample[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const samples: Sample[] = [];
  let meter = 1_000_000;
  for (let ts = START; ts < START + DAYS * 86_400_000; ts += STEP) {
    const day = Math.floor((ts - START) / 86_400_000);
    if (day === 5) continue; // a whole day without data: nulls, not zeros
    const power = Math.round(random() * 11_000);
    meter += (power * STEP) / 3_600_000;
    if (ts === START + 20 * 86_400_000 + 7 * 3_600_000) meter = 12; // meter swap
    samples.push({ series: 'grid.energyImported', ts, value: meter }, { series: 'grid.power', ts, value: power });
  }
  return samples;
}

/** The same answer computed naively from the raw samples. */
function naive(samples: Sample[], series: string, edges: number[]) {
  const list = samples.filter((s) => s.series === series).sort((a, b) => a.ts - b.ts);
  const out = edges.slice(0, -1).map(() => ({ n: 0, sum: 0, min: Infinity, max: -Infinity, energy: 0 }));
  let previous: number | undefined;
  for (const s of list) {
    const delta = previous === undefined ? 0 : Math.max(0, s.value - previous);
    previous = s.value;
    const b = edges.findIndex((edge, i) => s.ts >= edge && s.ts < (edges[i + 1] ?? -Infinity));
    if (b < 0) continue;
    const bucket = out[b]!;
    bucket.n++;
    bucket.sum += s.value;
    bucket.min = Math.min(bucket.min, s.value);
    bucket.max = Math.max(bucket.max, s.value);
    bucket.energy += delta;
  }
  return out;
}

describe.each(BOTH_DATABASES)('history on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let history: HistoryService;
  const samples = makeSamples();

  beforeAll(async () => {
    target = await makeTarget('history');
    history = new HistoryService(target.db, { timeZone: 'Europe/Berlin', now: () => START + DAYS * 86_400_000 });
    const writer = new SampleWriter(target.db);
    for (let i = 0; i < samples.length; i += 7_000) await writer.write(samples.slice(i, i + 7_000));
  }, 60_000);

  afterAll(async () => {
    await target?.dispose();
  });

  it('skips samples it already holds, so a replayed batch writes nothing twice', async () => {
    const writer = new SampleWriter(target.db);
    expect(await writer.write(samples.slice(0, 500))).toEqual({ written: 0, skipped: 500 });
    const [row] = await target.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples');
    expect(Number(row!.n)).toBe(samples.length);
  });

  it.each<[BucketInterval, string, string, string]>([
    ['day', 'Europe/Berlin', '2026-03-20', '2026-04-29'],
    ['day', 'Asia/Kolkata', '2026-03-20', '2026-04-29'],
    ['day', 'UTC', '2026-03-20', '2026-04-29'],
    ['hour', 'Europe/Berlin', '2026-03-28T20:00', '2026-03-30T04:00'],
    ['5m', 'America/St_Johns', '2026-04-09T05:00', '2026-04-09T09:00'],
    ['week', 'Europe/Berlin', '2026-03-16', '2026-05-04'],
    ['month', 'America/New_York', '2026-03-01', '2026-05-01'],
  ])('answers %s buckets in %s exactly like a naive scan of the raw samples', async (interval, tz, start, end) => {
    const result = await history.query({ series: ['grid.energyImported', 'grid.power'], start, end, interval, tz });
    const edges = bucketEdges(DateTime.fromISO(start, { zone: tz }), DateTime.fromISO(end, { zone: tz }), interval, 10_000, () => 'x').map(
      (e) => e.toMillis(),
    );
    const [energy, power] = result.series;
    expect(energy!.points).toHaveLength(edges.length - 1);
    const expectEnergy = naive(samples, 'grid.energyImported', edges);
    const expectPower = naive(samples, 'grid.power', edges);
    energy!.points.forEach((point, i) => {
      expect(Date.parse(point.start)).toBe(edges[i]);
      const want = expectEnergy[i]!;
      if (want.n === 0) expect(point.energy).toBeNull();
      else expect(point.energy).toBeCloseTo(want.energy, 2);
    });
    power!.points.forEach((point, i) => {
      const want = expectPower[i]!;
      if (want.n === 0) return expect(point).toEqual({ start: point.start, avgPower: null, maxPower: null, minPower: null });
      expect(point.avgPower).toBeCloseTo(want.sum / want.n, 2);
      expect(point.maxPower).toBe(want.max);
      expect(point.minPower).toBe(want.min);
    });
  });

  it('labels DST days by their start with the zone offset and keeps an empty day as null', async () => {
    const result = await history.query({
      series: ['grid.energyImported'],
      start: '2026-03-24',
      end: '2026-03-31',
      interval: 'day',
      fields: ['energy'],
    });
    const points = result.series[0]!.points;
    expect(result).toMatchObject({
      start: '2026-03-24T00:00:00+01:00',
      end: '2026-03-31T00:00:00+02:00',
      interval: 'day',
      timeZone: 'Europe/Berlin',
    });
    expect(points.map((p) => p.start)).toEqual([
      '2026-03-24T00:00:00+01:00',
      '2026-03-25T00:00:00+01:00',
      '2026-03-26T00:00:00+01:00',
      '2026-03-27T00:00:00+01:00',
      '2026-03-28T00:00:00+01:00',
      '2026-03-29T00:00:00+01:00',
      '2026-03-30T00:00:00+02:00',
    ]);
    expect(points.every((p) => typeof p.energy === 'number' && p.energy > 0)).toBe(true);
    const utc = await history.query({
      series: ['grid.energyImported'],
      start: '2026-03-24',
      end: '2026-03-27',
      interval: 'day',
      tz: 'UTC',
    });
    expect(utc.series[0]!.points.map((p) => p.energy === null)).toEqual([false, true, false]); // 2026-03-25 has no samples
  });

  it('never reports negative energy across a meter swap', async () => {
    const result = await history.query({
      series: ['grid.energyImported'],
      start: '2026-04-09',
      end: '2026-04-10',
      interval: 'hour',
      tz: 'UTC',
    });
    expect(result.series[0]!.points.every((p) => p.energy === null || (p.energy ?? -1) >= 0)).toBe(true);
  });

  it('rejects what it cannot answer with a message naming the parameter', async () => {
    await expect(history.query({ series: ['chargepoint.9.power'], duration: '1d' })).rejects.toThrow(
      /^series: chargepoint\.9\.power has not been recorded/,
    );
    await expect(history.query({ series: ['grid.soc'], duration: '1d' })).rejects.toThrow(/^series: grid\.soc is not a series id/);
    await expect(history.query({ series: ['grid.power'], duration: '1d', fields: ['energy'] })).rejects.toThrow(
      /^fields: none of energy applies to series grid\.power/,
    );
    await expect(history.query({ series: ['grid.power', 'grid.power'], duration: '1d' })).rejects.toThrow(
      /^series: grid\.power is given twice/,
    );
    await expect(history.query({ series: ['grid.power', 'grid.energyImported'], duration: '1y', interval: '5m' })).rejects.toThrow(
      /^maxPoints: .*above the limit of 10000 points per request/,
    );
    await expect(history.query({ series: ['grid.power'], duration: '1d', tz: 'Europe/Nowhere' })).rejects.toThrow(
      /^tz: "Europe\/Nowhere" is not an IANA time zone/,
    );
  });

  it('lists the recorded series with their first and last sample', async () => {
    const { items } = await history.listSeries();
    expect(items).toEqual([
      {
        id: 'grid.energyImported',
        kind: 'energy',
        unit: 'Wh',
        firstSampleAt: new Date(START).toISOString(),
        lastSampleAt: expect.any(String),
      },
      { id: 'grid.power', kind: 'power', unit: 'W', firstSampleAt: new Date(START).toISOString(), lastSampleAt: expect.any(String) },
    ]);
  });

  it('prunes raw samples after the retention while the rollups keep answering', async () => {
    const before = await history.query({ series: ['grid.energyImported'], start: '2026-03-20', end: '2026-04-01', interval: 'day' });
    const cutoff = Date.parse('2026-04-01T00:00:00Z');
    const deleted = await pruneSamples(target.db, cutoff);
    const expected = samples.filter((s) => s.ts < cutoff).length;
    expect(deleted).toBe(expected);
    const [row] = await target.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples WHERE ts < ?', [cutoff]);
    expect(Number(row!.n)).toBe(0);
    expect(await history.query({ series: ['grid.energyImported'], start: '2026-03-20', end: '2026-04-01', interval: 'day' })).toEqual(
      before,
    );
  });
});
