/**
 * History figures on SQLite and MariaDB: one year of 10-second samples for two series (a grid meter
 * counter and grid power), written through the recorder's batch writer (raw samples + 5-minute, hourly
 * and daily rollups), then
 *   - sample writing throughput (target ≥ 50,000 samples/s),
 *   - daily energy over the whole year and hourly energy over one month in Europe/Berlin via the API's
 *     HistoryService (target < 50 ms median, warm), each beside the same query computed naively from the
 *     raw samples (read every sample of the range, take counter deltas, sum them per bucket).
 *
 *   node --import tsx bench/history.ts            (BENCH_DAYS=30 for a quick run; BENCH_DATABASES=sqlite|mariadb)
 */
import { DateTime } from 'luxon';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { bucketEdges, type BucketInterval } from '../src/history/buckets.ts';
import { HistoryService, resolutionFor } from '../src/history/history-service.ts';
import { SampleWriter } from '../src/history/sample-writer.ts';
import type { Sample } from '../src/recorder/sampling.ts';
import { fmt, median } from './lib/common.ts';
import { mariaDbBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from './lib/bench-databases.ts';

const ZONE = 'Europe/Berlin';
const STEP_MS = 10_000;
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const BATCH = 20_000; // samples per write (one transaction): 10,000 ticks × 2 series, about 28 hours
const START = DateTime.fromISO('2025-01-01', { zone: ZONE });
const END = START.plus({ days: DAYS });
const WARM_RUNS = 25;
const NAIVE_RUNS = 3;

/** A realistic day shape: PV-driven export at noon, evening import, the counter rising with imports. */
function* generate(): Generator<Sample[]> {
  let meter = 5_000_000;
  let batch: Sample[] = [];
  let seed = 7;
  const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5) * 400;
  for (let ts = START.toMillis(); ts < END.toMillis(); ts += STEP_MS) {
    const hour = (((ts / 3_600_000) % 24) + 24) % 24;
    const power = Math.round(600 + 1500 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) * -1 + noise());
    if (power > 0) meter += (power * STEP_MS) / 3_600_000;
    batch.push({ series: 'grid.power', ts, value: power }, { series: 'grid.energyImported', ts, value: Math.round(meter * 100) / 100 });
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The naive way: every raw sample of the range, deltas summed per bucket in the zone. */
async function naiveEnergy(db: Database, interval: BucketInterval, from: DateTime, to: DateTime): Promise<(number | null)[]> {
  const edges = bucketEdges(from, to, interval, 100_000, () => 'too many').map((e) => e.toMillis());
  const [series] = await db.query<{ id: number }>("SELECT id FROM stat_series WHERE series_key = 'grid.energyImported'");
  const [before] = await db.query<{ value: number }>(
    'SELECT value FROM stat_samples WHERE series_id = ? AND ts < ? ORDER BY ts DESC LIMIT 1',
    [series!.id, edges[0]!],
  );
  const rows = await db.query<{ ts: number; value: number }>(
    'SELECT ts, value FROM stat_samples WHERE series_id = ? AND ts >= ? AND ts < ? ORDER BY ts',
    [series!.id, edges[0]!, edges[edges.length - 1]!],
  );
  const out: (number | null)[] = new Array(edges.length - 1).fill(null);
  let previous: number | undefined = before?.value;
  let b = 0;
  for (const row of rows) {
    const ts = Number(row.ts);
    const value = Number(row.value);
    while (ts >= edges[b + 1]!) b++;
    out[b] = (out[b] ?? 0) + (previous === undefined ? 0 : Math.max(0, value - previous));
    previous = value;
  }
  return out;
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

async function runTarget(target: BenchDatabase) {
  const db = await target.open();
  try {
    await migrate(db);
    const writer = new SampleWriter(db);
    let written = 0;
    const started = performance.now();
    for (const batch of generate()) written += (await writer.write(batch)).written;
    const writeSeconds = (performance.now() - started) / 1000;
    const [rollups] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_rollups');

    const history = new HistoryService(db, { timeZone: ZONE, now: () => END.toMillis() });
    const month = START.plus({ months: Math.min(5, Math.floor(DAYS / 31) - 1 < 0 ? 0 : Math.min(5, Math.floor(DAYS / 31) - 1)) });
    const queries = [
      { label: `daily energy, ${DAYS} days`, interval: 'day' as const, from: START, to: END },
      {
        label: `hourly energy, one month (${month.toFormat('yyyy-MM')})`,
        interval: 'hour' as const,
        from: month,
        to: month.plus({ months: 1 }),
      },
    ];
    const results = [];
    for (const q of queries) {
      const run = () =>
        history.query({
          series: ['grid.energyImported'],
          start: q.from.toISO()!,
          end: q.to.toISO()!,
          interval: q.interval,
          fields: ['energy'],
        });
      await run(); // warm-up
      const times: number[] = [];
      let answer;
      for (let i = 0; i < WARM_RUNS; i++) {
        const [ms, result] = await time(run);
        times.push(ms);
        answer = result;
      }
      const naiveTimes: number[] = [];
      let naive: (number | null)[] = [];
      for (let i = 0; i < NAIVE_RUNS; i++) {
        const [ms, result] = await time(() => naiveEnergy(db, q.interval, q.from, q.to));
        naiveTimes.push(ms);
        naive = result;
      }
      const points = answer!.series[0]!.points;
      const maxDiff = Math.max(...points.map((p, i) => Math.abs((p.energy ?? 0) - (naive[i] ?? 0))));
      const edges = bucketEdges(q.from, q.to, q.interval, 100_000, () => '').map((e) => e.toMillis());
      results.push({
        ...q,
        buckets: points.length,
        rollup: { 300000: '5-minute', 3600000: 'hourly', 86400000: 'daily' }[resolutionFor(edges)],
        ms: median(times),
        naiveMs: median(naiveTimes),
        maxDiff,
      });
    }
    return { written, writeSeconds, rollups: Number(rollups!.n), results };
  } finally {
    await db.close();
    await target.cleanup();
  }
}

const wanted = (process.env.BENCH_DATABASES ?? 'sqlite,mariadb').split(',');
const targets = [sqliteBenchDatabase('history'), mariaDbBenchDatabase('history')].filter((t) => wanted.includes(t.name.toLowerCase()));
console.log(
  `History benchmark: ${DAYS} days of 10-second samples × 2 series (${fmt(((DAYS * 86_400_000) / STEP_MS) * 2)} samples), zone ${ZONE}`,
);
let failed = false;
for (const target of targets) {
  const r = await runTarget(target);
  const rate = r.written / r.writeSeconds;
  console.log(`\n${target.name}`);
  console.log(
    `  write   ${fmt(r.written)} samples in ${fmt(r.writeSeconds, 1)} s = ${fmt(rate)} samples/s (batches of ${fmt(BATCH)}, with rollups: ${fmt(r.rollups)} rows)  ${rate >= 50_000 ? 'OK' : 'BELOW 50,000'}`,
  );
  for (const q of r.results) {
    console.log(
      `  query   ${q.label.padEnd(38)} ${String(q.buckets).padStart(4)} buckets from ${q.rollup} rollups: median ${fmt(q.ms, 2)} ms warm` +
        `  | naive from raw samples: median ${fmt(q.naiveMs, 0)} ms (${fmt(q.naiveMs / q.ms, 0)}× slower, max difference ${fmt(q.maxDiff, 3)} Wh)  ${q.ms < 50 ? 'OK' : 'ABOVE 50 ms'}`,
    );
    failed ||= q.ms >= 50 || q.maxDiff > 0.01;
  }
  failed ||= rate < 50_000;
}
process.exitCode = failed ? 1 : 0;
