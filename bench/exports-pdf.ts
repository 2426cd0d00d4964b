/**
 * The PDF charging report (GET /api/v1/sessions/report.pdf) through a real gateway on SQLite and MariaDB:
 *   - one month with 200 sessions (target < 500 ms),
 *   - one year with 2,000 sessions (target < 3 s, memory bounded: the gateway's RSS growth is printed),
 * each as the first request (cold) and the median of warm requests, beside the baseline of the same run:
 * the same sessions as JSON from GET /api/v1/sessions (pages of 500).
 *
 * The gateway runs in a child process (its RSS sampled every 10 ms while the reports are built).
 *
 *   node --import tsx bench/exports-pdf.ts          (BENCH_DATABASES=sqlite|mariadb; BENCH_RUNS=10)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mariadb from 'mariadb';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { openMariaDb } from '../src/db/mariadb.ts';
import { migrate } from '../src/db/migrate.ts';
import { openSqlite } from '../src/db/sqlite.ts';
import { startGateway } from '../src/gateway.ts';
import type { Session } from '../src/sessions/model.ts';
import { SessionRepository } from '../src/sessions/session-repository.ts';
import {
  benchGatewayEnv,
  fmt,
  installReaper,
  isType,
  machineLoad,
  median,
  nextMessage,
  printJson,
  requireServices,
  round,
  rssMiB,
  spawnTs,
  stopChild,
  uniqueId,
} from './lib/common.ts';

const MARIADB_URL = process.env.BENCH_MARIADB_URL || process.env.TEST_MARIADB_URL || 'mariadb://owg_test:owg_test@127.0.0.1:3306/owg_test';
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = { month: 500, year: 3_000 };
const HOUR = 3_600_000;

interface Ready {
  type: 'ready';
  url: string;
  apiKey: string;
}

async function serve(databaseUrl: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-pdf-'));
  const config = loadConfig({
    ...benchGatewayEnv({ prefix: uniqueId('pdf'), dir, redis: false }),
    DATABASE_URL: databaseUrl,
    TIME_ZONE: 'Europe/Berlin',
    TARIFF_PRICE_PER_KWH: '0.30',
    TARIFF_SCHEDULE: '22:00-06:00=0.22',
    REPORT_OPERATOR_NAME: 'Jürgen Weiß',
    REPORT_OPERATOR_ADDRESS: 'Großbeerenstraße 12; 80331 München',
    REPORT_METER_NOTE: 'MID-konformer Zähler',
    REPORT_FLAT_RATE_PER_KWH: '0.30',
    REPORT_VEHICLE_PLATES: '1=M-AB 123E',
  });
  const gateway = await startGateway(config);
  const stop = async () => {
    await gateway.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  const apiKey = (await gateway.apiKeys.create({ name: 'bench', scopes: ['admin'] })).key;
  process.send?.({ type: 'ready', url: gateway.url, apiKey } satisfies Ready);
}

/** `count` sessions spread over [from, to), with meter readings, costs, a few open/imported/corrected ones. */
function sessions(prefix: number, count: number, from: number, to: number): Session[] {
  let meter = 5_000_000;
  return Array.from({ length: count }, (_, i) => {
    const start = from + Math.floor(((to - from - 10 * HOUR) * i) / count);
    const energy = 3_000 + ((i * 7_919) % 25_000);
    const meterStart = meter;
    meter += energy + 200;
    return {
      id: `00000000-0000-4000-8${String(prefix).padStart(3, '0')}-${String(i).padStart(12, '0')}`,
      chargepointId: i % 7 === 3 ? '2' : '1',
      start,
      end: start + (1 + (i % 8)) * HOUR,
      energy,
      chargingMs: HOUR,
      meanPower: null,
      peakPower: 11_000,
      socStart: 20,
      socEnd: 80,
      chargeModes: ['pv'],
      rfidTag: 'A1B2',
      vehicle: { id: '1', name: 'ID.3' },
      userId: null,
      cost: (energy / 1000) * (i % 3 ? 0.3 : 0.26),
      meterStart,
      meterLast: meterStart + energy,
      source: i % 10 === 7 ? 'chargelog' : 'recorder',
      externalKey: null,
      lastSeenAt: start,
      lastCharging: false,
      quality: i % 17 === 9 ? 'corrected' : 'measured',
    };
  });
}

interface Target {
  name: string;
  url: string;
  open(): Database;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-pdf-db-'));
  const path = join(dir, 'bench.db');
  return {
    name: 'SQLite',
    url: `sqlite:${path}`,
    open: () => openSqlite(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function mariaDbTarget(): Promise<Target> {
  const url = new URL(MARIADB_URL);
  const name = `owg_test_benchpdf_${process.pid}_${Date.now().toString(36)}`;
  const admin = () =>
    mariadb.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    });
  const conn = await admin();
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await conn.end();
  url.pathname = `/${name}`;
  const target = url.toString();
  return {
    name: 'MariaDB',
    url: target,
    open: () => openMariaDb(target),
    cleanup: async () => {
      const c = await admin();
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

async function timed(url: string, apiKey: string): Promise<{ ms: number; bytes: number; pages: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { 'x-api-key': apiKey } });
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.toString('utf8').slice(0, 300)}`);
  const pages = (body.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  return { ms, bytes: body.length, pages };
}

/** Every page of the sessions list for the same range: the cost of the data alone. */
async function jsonBaseline(base: string, apiKey: string, from: string, to: string): Promise<number> {
  const started = performance.now();
  let cursor: string | null = null;
  do {
    const res = await fetch(`${base}/api/v1/sessions?from=${from}&to=${to}&limit=500&sort=start${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { 'x-api-key': apiKey },
    });
    cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
  } while (cursor);
  return performance.now() - started;
}

async function measure(target: Target) {
  const db = target.open();
  await migrate(db);
  const repository = new SessionRepository(db);
  const all = [
    ...sessions(1, 200, Date.parse('2026-10-31T23:00:00Z'), Date.parse('2026-11-30T23:00:00Z')),
    ...sessions(2, 2_000, Date.parse('2024-12-31T23:00:00Z'), Date.parse('2025-12-31T23:00:00Z')),
  ];
  for (const s of all) await repository.upsert(s);
  await db.close();

  const child = spawnTs('bench/exports-pdf.ts', { args: ['--serve', target.url], ipc: true });
  try {
    const ready = await nextMessage(child, isType<Ready>('ready'), 60_000, 'gateway');
    const pid = child.pid as number;
    const report = (query: string) => `${ready.url}/api/v1/sessions/report.pdf?${query}`;
    const cases = { month: 'month=2026-11', year: 'year=2025' } as const;
    const rssBefore = rssMiB(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 10);
    const result: Record<string, { coldMs: number; medianMs: number; maxMs: number; kb: number; pages: number; jsonMs: number }> = {};
    try {
      for (const [name, query] of Object.entries(cases) as [keyof typeof cases, string][]) {
        const cold = await timed(report(query), ready.apiKey);
        const warm = [];
        for (let i = 0; i < (name === 'year' ? Math.ceil(RUNS / 2) : RUNS); i++) warm.push(await timed(report(query), ready.apiKey));
        const [from, to] = name === 'month' ? ['2026-11-01', '2026-12-01'] : ['2025-01-01', '2026-01-01'];
        const json = [];
        for (let i = 0; i < 3; i++) json.push(await jsonBaseline(ready.url, ready.apiKey, from, to));
        result[name] = {
          coldMs: round(cold.ms),
          medianMs: round(median(warm.map((w) => w.ms))),
          maxMs: round(Math.max(...warm.map((w) => w.ms))),
          kb: round(cold.bytes / 1024),
          pages: cold.pages,
          jsonMs: round(median(json)),
        };
      }
    } finally {
      clearInterval(sampler);
    }
    return { cases: result, rssBeforeMiB: round(rssBefore, 1), rssPeakMiB: round(rssPeak, 1), rssAfterMiB: round(rssMiB(pid), 1) };
  } finally {
    await stopChild(child);
  }
}

async function main(): Promise<void> {
  installReaper();
  await requireServices({ mqtt: true });
  const which = (process.env.BENCH_DATABASES ?? 'sqlite,mariadb').split(',');
  const rows: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  console.log(`PDF charging report, ${RUNS} warm runs (month), ${Math.ceil(RUNS / 2)} (year); load ${JSON.stringify(machineLoad())}`);
  for (const name of which) {
    const target = name === 'mariadb' ? await mariaDbTarget() : sqliteTarget();
    try {
      const r = (rows[target.name] = await measure(target));
      for (const [label, sessionsCount, key] of [
        ['month, 200 sessions', 200, 'month'],
        ['year, 2,000 sessions', 2_000, 'year'],
      ] as const) {
        const c = r.cases[key]!;
        const ok = c.coldMs < TARGET_MS[key] && c.medianMs < TARGET_MS[key];
        console.log(
          `${target.name.padEnd(8)} ${label.padEnd(21)} PDF first ${fmt(c.coldMs)} ms, median ${fmt(c.medianMs)} ms, max ${fmt(c.maxMs)} ms ` +
            `(${c.pages} pages, ${fmt(c.kb)} KiB) | baseline JSON of the same ${fmt(sessionsCount)} sessions ${fmt(c.jsonMs)} ms | ` +
            `target < ${fmt(TARGET_MS[key])} ms: ${ok ? 'PASS' : 'FAIL'}`,
        );
      }
      console.log(
        `${target.name.padEnd(8)} gateway RSS ${r.rssBeforeMiB} MiB before, peak ${r.rssPeakMiB} MiB, after ${r.rssAfterMiB} MiB`,
      );
    } finally {
      await target.cleanup();
    }
  }
  printJson({ bench: 'exports-pdf', load: machineLoad(), results: rows });
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as string);
else await main();
