/**
 * Measurement series figures on SQLite and MariaDB, through HTTP against a real gateway process:
 *   - batched point writes: a year of 1-minute points × 2 fields (525,600 points) as `POST /api/v1/series/{id}/points`
 *     batches of 5,000, two in flight (target ≥ 20,000 points/s); baseline in the same run: the same rows as plain
 *     multi-row INSERTs on the bench's own connection (no HTTP, no validation, no rollups);
 *   - that year aggregated per day in Europe/Berlin, `GET …/aggregates?interval=day` (target < 50 ms median, warm),
 *     beside the naive query: GROUP BY hour over the raw points (every point's JSON read) folded into the days, whose
 *     answer must equal the API's (DST days included); for information, the same in America/New_York (not the series'
 *     day zone: its hourly rollups grouped into New York's days by the database).
 *
 *   node --import tsx bench/series.ts      (BENCH_DAYS=365; BENCH_DATABASES=sqlite,mariadb)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { bucketEdges } from '../src/history/buckets.ts';
import { placeholders } from '../src/history/sql-batches.ts';
import { benchGatewayEnv, fmt, freePort, median, printJson, round, uniqueId } from './lib/common.ts';
import { createApiKey, GatewayProcess, START_NODE_ARGS } from './lib/gateway-process.ts';
import { mariaDbBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from './lib/bench-databases.ts';

const ZONE = 'Europe/Berlin';
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const STEP_MS = 60_000;
const BATCH = 5_000;
const IN_FLIGHT = 2;
const START = DateTime.fromISO('2025-01-01', { zone: ZONE });
const END = START.plus({ days: DAYS });
const WARM_RUNS = 25;
const NAIVE_RUNS = 3;
const BASELINE_POINTS = 100_000;
const TARGET_POINTS_PER_S = 20_000;
const TARGET_MS = 50;

type Point = { time: string; fields: { temp_C: number; batt_V: number } };

/** A garden thermometer: a daily swing, a seasonal one, a slowly draining battery. Batches of BATCH points. */
function* batches(): Generator<Point[]> {
  let batch: Point[] = [];
  for (let ts = START.toMillis(), i = 0; ts < END.toMillis(); ts += STEP_MS, i++) {
    const day = ts / 86_400_000;
    const temp = 10 - 8 * Math.cos((2 * Math.PI * day) / 365) + 5 * Math.sin(2 * Math.PI * (day % 1)) + ((i * 7919) % 100) / 100;
    batch.push({ time: new Date(ts).toISOString(), fields: { temp_C: round(temp, 2), batt_V: round(4.2 - (i % 100_000) / 100_000, 3) } });
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function post(url: string, key: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Writes every batch, IN_FLIGHT requests at a time; points/s over the whole load. */
async function writeYear(base: string, key: string): Promise<{ points: number; seconds: number }> {
  const source = batches();
  let points = 0;
  const started = performance.now();
  const worker = async () => {
    for (let next = source.next(); !next.done; next = source.next()) {
      await post(`${base}/points`, key, { points: next.value });
      points += next.value.length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { points, seconds: (performance.now() - started) / 1000 };
}

/** Baseline: the same kind of rows as plain multi-row INSERTs, 500 a statement, one transaction per batch. */
async function plainInserts(db: Database): Promise<number> {
  const source = batches();
  let points = 0;
  const started = performance.now();
  while (points < BASELINE_POINTS) {
    const next = source.next();
    if (next.done) break;
    await db.transaction(async (tx) => {
      for (let i = 0; i < next.value.length; i += 500) {
        const rows = next.value.slice(i, i + 500);
        const params = rows.flatMap((p) => [999_999, Date.parse(p.time), JSON.stringify(p.fields)]);
        await tx.execute(`INSERT INTO measurement_points (series_id, ts, fields) VALUES ${placeholders(rows.length, 3)}`, params);
      }
    });
    points += next.value.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await db.execute('DELETE FROM measurement_points WHERE series_id = 999999');
  return points / seconds;
}

type DaySummary = { count: number; min: number; max: number; avg: number };

/** The naive way: GROUP BY hour over every raw point (its JSON read by the database), folded into the zone's days. */
async function naiveDays(db: Database, seriesId: number, edges: readonly number[]): Promise<DaySummary[]> {
  const value = db.dialect === 'sqlite' ? "json_extract(fields, '$.temp_C')" : "CAST(JSON_VALUE(fields, '$.temp_C') AS DOUBLE)";
  const hour = db.dialect === 'sqlite' ? 'ts / 3600000' : 'ts DIV 3600000';
  const rows = await db.query<{ h: number; n: number; mn: number; mx: number; s: number }>(
    `SELECT ${hour} AS h, COUNT(*) AS n, MIN(${value}) AS mn, MAX(${value}) AS mx, SUM(${value}) AS s
     FROM measurement_points WHERE series_id = ? AND ts >= ? AND ts < ? GROUP BY ${hour} ORDER BY h`,
    [seriesId, edges[0]!, edges[edges.length - 1]!],
  );
  const days = edges.slice(0, -1).map(() => ({ count: 0, min: Infinity, max: -Infinity, sum: 0 }));
  let d = 0;
  for (const row of rows) {
    const start = Number(row.h) * 3_600_000;
    while (start >= edges[d + 1]!) d++;
    const day = days[d]!;
    day.count += Number(row.n);
    day.min = Math.min(day.min, Number(row.mn));
    day.max = Math.max(day.max, Number(row.mx));
    day.sum += Number(row.s);
  }
  return days.map((day) => ({ count: day.count, min: day.min, max: day.max, avg: day.sum / day.count }));
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

async function runTarget(target: BenchDatabase) {
  const db = await target.open();
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-series-gw-'));
  const port = await freePort();
  const gateway = new GatewayProcess(
    `http://127.0.0.1:${port}`,
    {
      ...benchGatewayEnv({ prefix: uniqueId('series'), dir, redis: false }),
      PORT: String(port),
      DATABASE_URL: target.url,
      TIME_ZONE: ZONE,
    },
    join(dir, 'gateway.log'),
    START_NODE_ARGS,
  );
  try {
    await migrate(db);
    const baselinePerS = await plainInserts(db);
    const key = await createApiKey(target.url, 'admin', 'bench-series');
    await gateway.start();
    const series = (await post(`${gateway.url}/api/v1/series`, key, {
      description: 'Garden',
      deviceId: 'bench',
      units: { temp_C: '°C', batt_V: 'V' },
    })) as {
      id: string;
    };
    const base = `${gateway.url}/api/v1/series/${series.id}`;
    const written = await writeYear(base, key);
    const pointsPerS = written.points / written.seconds;
    console.log(
      `${target.name}: ${fmt(written.points)} points in ${fmt(written.seconds, 1)} s → ${fmt(pointsPerS)} points/s through HTTP ` +
        `(target ≥ ${fmt(TARGET_POINTS_PER_S)}); plain INSERTs on the bench's connection: ${fmt(baselinePerS)} points/s`,
    );

    const query = `${base}/aggregates?from=${START.toISODate()}&to=${END.toISODate()}&interval=day&tz=${ZONE}&fields=temp_C`;
    const get = async () => {
      const res = await fetch(query, { headers: { 'x-api-key': key } });
      if (res.status !== 200) throw new Error(`GET ${query} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      return (await res.json()) as { buckets: { start: string; fields: { temp_C: DaySummary } }[] };
    };
    await get();
    const times: number[] = [];
    let answer = await get();
    for (let i = 0; i < WARM_RUNS; i++) {
      const [ms, result] = await timed(get);
      times.push(ms);
      answer = result;
    }
    const edges = bucketEdges(START, END, 'day', 100_000, () => '').map((e) => e.toMillis());
    const naiveTimes: number[] = [];
    let naive: DaySummary[] = [];
    for (let i = 0; i < NAIVE_RUNS; i++) {
      const [ms, result] = await timed(() => naiveDays(db, Number(series.id), edges));
      naiveTimes.push(ms);
      naive = result;
    }
    const maxDiff = Math.max(
      ...answer.buckets.map((b, i) => {
        const n = naive[i]!;
        const a = b.fields.temp_C;
        return Math.max(Math.abs(a.count - n.count), Math.abs(a.min - n.min), Math.abs(a.max - n.max), Math.abs(a.avg - n.avg));
      }),
    );
    const hours = new Set(answer.buckets.map((b) => b.fields.temp_C.count / 60));
    const ms = median(times);
    console.log(
      `${target.name}: ${answer.buckets.length} days in ${ZONE} (hours per day seen: ${[...hours].sort().join(', ')}): ` +
        `${fmt(ms, 1)} ms median warm (target < ${TARGET_MS}), naive GROUP BY over the raw points ${fmt(median(naiveTimes), 1)} ms; max difference ${maxDiff.toExponential(1)}`,
    );
    // For information: the same year per day in another zone than the series' (hourly rollups grouped by the database).
    const otherZone = `${base}/aggregates?from=${START.toISODate()}&to=${END.toISODate()}&interval=day&tz=America/New_York&fields=temp_C`;
    const other = async () => {
      const res = await fetch(otherZone, { headers: { 'x-api-key': key } });
      if (res.status !== 200) throw new Error(`GET ${otherZone} answered ${res.status}`);
      await res.arrayBuffer();
    };
    await other();
    const otherTimes: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) otherTimes.push((await timed(other))[0]);
    console.log(
      `${target.name}: the same year per day in America/New_York (hourly rollups grouped by the database): ${fmt(median(otherTimes), 1)} ms median warm`,
    );
    return {
      database: target.name,
      otherZoneMedianMs: round(median(otherTimes), 1),
      points: written.points,
      pointsPerSecond: Math.round(pointsPerS),
      baselineInsertsPerSecond: Math.round(baselinePerS),
      days: answer.buckets.length,
      aggregateMedianMs: round(ms, 1),
      naiveMedianMs: round(median(naiveTimes), 1),
      maxDiff,
      pass: pointsPerS >= TARGET_POINTS_PER_S && ms < TARGET_MS && maxDiff < 1e-6,
    };
  } finally {
    await gateway.stop();
    await db.close();
    await target.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

const wanted = (process.env.BENCH_DATABASES ?? 'sqlite,mariadb').split(',');
const targets = [sqliteBenchDatabase('series'), mariaDbBenchDatabase('series')].filter((t) => wanted.includes(t.name.toLowerCase()));
console.log(`Measurement series benchmark: ${DAYS} days of 1-minute points × 2 fields, batches of ${fmt(BATCH)}, zone ${ZONE}`);
const results = [];
for (const target of targets) results.push(await runTarget(target));
printJson({
  bench: 'series',
  pass: results.every((r) => r.pass),
  targetPointsPerSecond: TARGET_POINTS_PER_S,
  targetMs: TARGET_MS,
  results,
});
