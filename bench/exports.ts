/**
 * Export figures on SQLite and MariaDB: 100,000 charging sessions in a fresh database, then through the
 * gateway running as a child process (`src/main.ts`, its own SQLite file or MariaDB database, in-memory live
 * store, recorder off):
 *   - `GET /api/v1/sessions/export.csv` of every session: a first export (it grows the fresh heap), then
 *     BENCH_CSV_RUNS (3) more, read as fast as the client can: rows/s of each and their median (target
 *     ≥ 50,000) and the growth of the gateway's VmRSS during each, sampled from /proc every 20 ms (target
 *     ≤ 30 MB, the largest counts);
 *   - baseline in the same run, alternating with the exports: the export's own keyset query
 *     (SessionRepository.listValuesForExport, same page size) in the bench process on its own connection,
 *     rows as the driver returns them (no decoding, no CSV, no HTTP): the database's floor;
 *   - XLSX of the same sessions: rows/s and the gateway's RSS growth (bounded since the writer waits for the
 *     zip's compressor after each page; before that +50 to +144 MiB for 100,000 sessions).
 * The PDF report's figures are added in `pdfFigures` below.
 *
 *   node --import tsx bench/exports.ts     (BENCH_SESSIONS=100000; BENCH_DATABASES=sqlite,mariadb)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import {
  benchGatewayEnv,
  cpuSeconds,
  fmt,
  freePort,
  installReaper,
  machineLoad,
  printJson,
  rssMiB,
  sleep,
  uniqueId,
} from './lib/common.ts';
import { createApiKey, GatewayProcess, START_NODE_ARGS } from './lib/gateway-process.ts';
import { reportFigures } from './lib/report-figures.ts';
import { seedSessions } from './lib/session-seed.ts';
import { EXPORT_PAGE_SIZE as PAGE } from '../src/exports/session-pages.ts';
import { READ_ONLY_COLUMNS, SessionRepository } from '../src/sessions/session-repository.ts';
import { mariaDbBenchDatabase, sqliteBenchDatabase, type BenchDatabase } from './lib/bench-databases.ts';

const START = READ_ONLY_COLUMNS.indexOf('start_ms');
const ID = READ_ONLY_COLUMNS.indexOf('id');
/** CSV exports measured after the first (which grows the fresh gateway's heap): their spread is reported. */
const CSV_RUNS = Number(process.env.BENCH_CSV_RUNS ?? 3);

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,mariadb').split(',');
const TARGET_ROWS_PER_S = 50_000;
const TARGET_RSS_GROWTH_MB = 30;

/**
 * Baseline: the export's own keyset query (SessionRepository.listValuesForExport: the same columns, WHERE,
 * ORDER BY and page size) on the bench's own connection, rows as the driver returns them: no decoding, no
 * CSV, no HTTP. The database's floor for the export.
 */
async function rawSelect(db: Database): Promise<{ rows: number; seconds: number; cpuSeconds: number }> {
  const repository = new SessionRepository(db);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let rows = 0;
  let after: { value: number; id: string } | undefined;
  for (;;) {
    const page = await repository.listValuesForExport({}, { sort: 'start', descending: false, limit: PAGE, after });
    rows += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = { value: Number(last[START]), id: String(last[ID]) };
  }
  const used = process.cpuUsage(cpu);
  return { rows, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

interface DownloadFigures {
  bytes: number;
  lines: number;
  seconds: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  /** CPU seconds the gateway spent meanwhile: rows per CPU second hold even on a busy machine. */
  gatewayCpuSeconds: number;
}

/** Downloads `url`, reading as fast as it comes, while sampling the gateway's VmRSS every 20 ms. */
async function download(url: string, key: string, pid: number): Promise<DownloadFigures> {
  const rssBeforeMiB = rssMiB(pid);
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => (rssPeakMiB = Math.max(rssPeakMiB, rssMiB(pid))), 20);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  try {
    const res = await fetch(url, { headers: { 'x-api-key': key } });
    if (res.status !== 200 || !res.body) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      bytes,
      lines,
      seconds,
      rssBeforeMiB,
      rssPeakMiB: Math.max(rssPeakMiB, rssMiB(pid)),
      gatewayCpuSeconds: cpuSeconds(pid) - cpuBefore,
    };
  } finally {
    clearInterval(sampler);
  }
}

interface ExportBenchContext {
  target: BenchDatabase;
  gatewayUrl: string;
  key: string;
  pid: number;
}

// ---------------------------------------------------------------------------------------------- PDF report

/**
 * The PDF report's figures (issue 12: one month with 200 sessions < 500 ms, a year with 2,000 sessions
 * < 3 s, memory bounded) on the same gateway and database: bench/lib/report-figures.ts.
 */
async function pdfFigures(context: ExportBenchContext): Promise<Record<string, number | string | boolean>> {
  return reportFigures({
    name: context.target.name,
    databaseUrl: context.target.url,
    gatewayUrl: context.gatewayUrl,
    key: context.key,
    pid: context.pid,
  });
}

async function runTarget(target: BenchDatabase) {
  const db = await target.open();
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-exports-gw-'));
  const port = await freePort();
  const gateway = new GatewayProcess(
    `http://127.0.0.1:${port}`,
    {
      ...benchGatewayEnv({ prefix: uniqueId('exports'), dir, redis: false }),
      PORT: String(port),
      DATABASE_URL: target.url,
      TIME_ZONE: 'Europe/Berlin',
      TARIFF_PRICE_PER_KWH: '0.30',
    },
    join(dir, 'gateway.log'),
    START_NODE_ARGS,
  );
  try {
    await migrate(db);
    const seedSeconds = await seedSessions(db, SESSIONS);
    console.log(`${target.name}: ${fmt(SESSIONS)} sessions stored in ${fmt(seedSeconds, 1)} s`);
    const key = await createApiKey(target.url, 'read');
    await gateway.start();
    const pid = gateway.pid;
    if (pid === undefined) throw new Error('the gateway is not running');
    const base = `${gateway.url}/api/v1/sessions`;
    // Warm-up: the code paths of both exports loaded and JIT-compiled on a month of sessions.
    await download(`${base}/export.csv?from=2021-02-01&to=2021-03-01`, key, pid);
    await download(`${base}/export.xlsx?from=2021-02-01&to=2021-03-01`, key, pid);
    await sleep(500);

    // The first full export grows the fresh gateway's heap to its working size; the runs after it show what every later one costs.
    const first = await download(`${base}/export.csv?delimiter=%3B&decimal=comma&lang=de&bom=true`, key, pid);
    const runs: DownloadFigures[] = [];
    const raws: Awaited<ReturnType<typeof rawSelect>>[] = [];
    for (let run = 0; run < CSV_RUNS; run++) {
      // Baseline and export alternate, so that both see the same moments of a noisy machine.
      raws.push(await rawSelect(db));
      const csv = await download(`${base}/export.csv?delimiter=%3B&decimal=comma&lang=de&bom=true`, key, pid);
      if (csv.lines - 1 !== SESSIONS) throw new Error(`the CSV holds ${csv.lines - 1} rows, expected ${SESSIONS}`);
      runs.push(csv);
    }
    const rates = runs.map((r) => Math.round(SESSIONS / r.seconds));
    const rawRates = raws.map((r) => Math.round(r.rows / r.seconds));
    const growths = runs.map((r) => Number((r.rssPeakMiB - r.rssBeforeMiB).toFixed(1)));
    const median = <T>(values: T[], by: (v: T) => number) => [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)]!;
    const csv = median(runs, (r) => SESSIONS / r.seconds);
    const raw = median(raws, (r) => r.rows / r.seconds);
    const xlsx = await download(`${base}/export.xlsx`, key, pid);
    const csvRows = csv.lines - 1;
    const figures = {
      database: target.name,
      sessions: SESSIONS,
      rawSelectRowsPerS: Math.round(raw.rows / raw.seconds),
      rawSelectRowsPerCpuS: Math.round(raw.rows / raw.cpuSeconds),
      rawSelectRuns: rawRates.join('/'),
      csvRowsPerS: Math.round(csvRows / csv.seconds),
      csvRuns: rates.join('/'),
      csvSeconds: Number(csv.seconds.toFixed(2)),
      csvRowsPerGatewayCpuS: Math.round(csvRows / csv.gatewayCpuSeconds),
      csvMiB: Number((csv.bytes / 2 ** 20).toFixed(1)),
      csvRssBeforeMiB: Math.round(csv.rssBeforeMiB),
      csvRssGrowthMiB: Math.max(...growths),
      csvRssGrowthRuns: growths.join('/'),
      firstCsvRowsPerS: Math.round((first.lines - 1) / first.seconds),
      firstCsvRssGrowthMiB: Number((first.rssPeakMiB - first.rssBeforeMiB).toFixed(1)),
      xlsxRowsPerS: Math.round(SESSIONS / xlsx.seconds),
      xlsxMiB: Number((xlsx.bytes / 2 ** 20).toFixed(1)),
      xlsxRssGrowthMiB: Number((xlsx.rssPeakMiB - xlsx.rssBeforeMiB).toFixed(1)),
      ...(await pdfFigures({ target, gatewayUrl: gateway.url, key, pid })),
    };
    const meets = figures.csvRowsPerS >= TARGET_ROWS_PER_S && figures.csvRssGrowthMiB <= TARGET_RSS_GROWTH_MB;
    console.log(
      `${target.name}: baseline the export's keyset query alone ${fmt(figures.rawSelectRowsPerS)} rows/s (${fmt(figures.rawSelectRowsPerCpuS)} per CPU-s; runs ${figures.rawSelectRuns}); ` +
        `CSV median of ${CSV_RUNS} ${fmt(figures.csvRowsPerS)} rows/s (runs ${figures.csvRuns}; ${figures.csvSeconds} s, ${figures.csvMiB} MiB; ${fmt(figures.csvRowsPerGatewayCpuS)} rows per gateway CPU-s), gateway RSS ` +
        `${figures.csvRssBeforeMiB} MiB + ${figures.csvRssGrowthMiB} MiB at most during an export (runs ${figures.csvRssGrowthRuns}) ` +
        `(the first export on the fresh gateway: ${fmt(figures.firstCsvRowsPerS)} rows/s, RSS + ${figures.firstCsvRssGrowthMiB} MiB) ` +
        `(targets ≥ ${fmt(TARGET_ROWS_PER_S)} rows/s, ≤ ${TARGET_RSS_GROWTH_MB} MB: ${meets ? 'met' : 'MISSED'}); ` +
        `XLSX ${fmt(figures.xlsxRowsPerS)} rows/s (${figures.xlsxMiB} MiB), RSS + ${figures.xlsxRssGrowthMiB} MiB`,
    );
    return { ...figures, meets };
  } finally {
    await gateway.stop();
    await db.close();
    await target.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

installReaper();
const results = [];
for (const name of DATABASES) {
  const target = name === 'mariadb' ? mariaDbBenchDatabase('exports') : sqliteBenchDatabase('exports');
  results.push(await runTarget(target));
}
printJson({ bench: 'exports', machine: machineLoad(), results });
