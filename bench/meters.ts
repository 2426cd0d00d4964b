/**
 * Pulse meter figures on SQLite and MariaDB, through MeterService on a real database:
 *   - batched pulse writes (2000 pulses per request, as a device sends after an outage), pulses/s, beside the
 *     same rows inserted as bare multi-row INSERTs (the floor: no lock, no duplicate check, no totals);
 *   - a year of pulses of a Ferraris meter (13.333 Wh, ~4,500 kWh/year: ~340,000 pulses), then the reading
 *     (`GET …/reading`: totals, today, last two pulses) and daily energy over the year (`GET …/history`) in
 *     Europe/Berlin, warm medians, beside the naive way (read every pulse of the range and count per bucket).
 *
 *   node --import tsx bench/meters.ts            (BENCH_DAYS=30 for a quick run; BENCH_DATABASES=sqlite|mariadb)
 */
import { DateTime } from 'luxon';
import { AuditService } from '../src/audit/audit-service.ts';
import { ApiKeyRepository } from '../src/auth/api-key-repository.ts';
import { ApiKeyService } from '../src/auth/api-key-service.ts';
import { KeyManagement } from '../src/auth/key-management.ts';
import { makePrincipal } from '../src/auth/principal.ts';
import { migrate } from '../src/db/migrate.ts';
import { bucketEdges } from '../src/history/buckets.ts';
import { MeterRepository } from '../src/meters/meter-repository.ts';
import { MeterService } from '../src/meters/meter-service.ts';
import { fmt, median, printJson } from './lib/common.ts';
import { mariaDbBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from './lib/bench-databases.ts';

const ZONE = 'Europe/Berlin';
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const BATCH = 2000;
const WRITE_PULSES = 100_000;
const START = DateTime.fromISO('2025-01-01', { zone: ZONE });
const END = START.plus({ days: DAYS });
const WARM_RUNS = 25;
const NAIVE_RUNS = 3;
const admin = makePrincipal({ kind: 'apiKey', id: 'bench', userId: null, name: 'bench', role: 'admin', scopes: ['admin'] });

/** Pulse times of a household: more power in the evening, a little at night; one 13.333 Wh pulse each. */
function yearOfPulses(): number[] {
  const times: number[] = [];
  let seed = 11;
  const noise = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let t = START.toMillis();
  const end = END.toMillis();
  while (t < end) {
    const hour = (((t / 3_600_000) % 24) + 24) % 24;
    const watts = 250 + 700 * Math.max(0, Math.sin(((hour - 12) / 12) * Math.PI)) + 200 * noise();
    t += Math.max(1000, Math.round((13.333 * 3_600_000) / watts));
    times.push(t);
  }
  return times.filter((time) => time < end);
}

const iso = (ms: number) => new Date(ms).toISOString();

async function timed<T>(runs: number, work: () => Promise<T>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

async function run(target: BenchDatabase) {
  const db = await target.open();
  try {
    await migrate(db);
    let now = END.toMillis();
    const audit = new AuditService(db);
    const service = new MeterService({
      repository: new MeterRepository(db),
      keys: new KeyManagement(new ApiKeyService(new ApiKeyRepository(db)), audit),
      audit,
      timeZone: ZONE,
      now: () => now,
    });

    // Writes: the service (lock, INSERT IGNORE, totals) vs bare multi-row INSERTs of the same pulses.
    const writeMeter = await service.create(admin, { name: 'writes', energyPerPulseWh: 1 }, {});
    const base = START.toMillis();
    let t0 = performance.now();
    for (let i = 0; i < WRITE_PULSES; i += BATCH) {
      const texts = Array.from({ length: BATCH }, (_, j) => iso(base + (i + j) * 1000));
      await service.recordPulses(admin, writeMeter.id, texts);
    }
    const serviceRate = WRITE_PULSES / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (let i = 0; i < WRITE_PULSES; i += BATCH) {
      const params: (string | number)[] = [];
      for (let j = 0; j < BATCH; j++) params.push('bare', base + (i + j) * 1000);
      await db.execute(`INSERT INTO meter_pulses (meter_id, at) VALUES ${'(?, ?), '.repeat(BATCH - 1)}(?, ?)`, params);
    }
    const bareRate = WRITE_PULSES / ((performance.now() - t0) / 1000);
    console.log(`${target.name}: batched pulse writes ${fmt(serviceRate)} pulses/s (bare INSERTs ${fmt(bareRate)}/s)`);

    // A year of a Ferraris meter, then reads.
    const meter = await service.create(admin, { name: 'year', energyPerPulseWh: 13.333, startReadingWh: 25_503_550 }, {});
    const pulses = yearOfPulses();
    now = pulses[pulses.length - 1]! + 30_000;
    for (let i = 0; i < pulses.length; i += BATCH) await service.recordPulses(admin, meter.id, pulses.slice(i, i + BATCH).map(iso));
    const reading = await service.reading(admin, meter.id);
    await service.history(admin, meter.id, { start: START.toISODate()!, end: END.toISODate()!, interval: 'day' });
    const readMs = median(await timed(WARM_RUNS, () => service.reading(admin, meter.id)));
    const historyMs = median(
      await timed(WARM_RUNS, () => service.history(admin, meter.id, { start: START.toISODate()!, end: END.toISODate()!, interval: 'day' })),
    );
    const naiveMs = median(
      await timed(NAIVE_RUNS, async () => {
        const rows = await db.query<{ at: number }>('SELECT at FROM meter_pulses WHERE meter_id = ? AND at >= ? AND at < ? ORDER BY at', [
          meter.id,
          START.toMillis(),
          END.toMillis(),
        ]);
        const edges = bucketEdges(START, END, 'day', 100_000, () => 'too many').map((e) => e.toMillis());
        const counts = new Array<number>(edges.length - 1).fill(0);
        let b = 0;
        for (const { at } of rows) {
          while (Number(at) >= edges[b + 1]!) b++;
          counts[b]!++;
        }
        return counts;
      }),
    );
    console.log(
      `${target.name}: ${fmt(pulses.length)} pulses (${fmt(reading.meterReadingWh / 1000 - 25_503.55)} kWh) over ${DAYS} days: ` +
        `reading ${fmt(readMs, 2)} ms, daily history ${fmt(historyMs, 2)} ms (naive: every pulse read and counted ${fmt(naiveMs, 1)} ms) — medians`,
    );
    return { database: target.name, serviceRate, bareRate, pulses: pulses.length, readMs, historyMs, naiveMs };
  } finally {
    await db.close();
    await target.cleanup();
  }
}

const wanted = (process.env.BENCH_DATABASES ?? 'sqlite,mariadb').split(',');
const results = [];
for (const target of [sqliteBenchDatabase('meters'), mariaDbBenchDatabase('meters')].filter((t) => wanted.includes(t.name.toLowerCase())))
  results.push(await run(target));
printJson({ bench: 'meters', days: DAYS, results });
