/**
 * The PDF report's figures for bench/exports.ts (issue 12): on the gateway and database of that bench, 200
 * sessions in one calendar month and 2,000 in one year on a chargepoint of their own (9, in 2027 and 2028,
 * after the CSV seed), then `GET /api/v1/sessions/report.pdf` for each, the first request and the median of
 * warm ones, beside the baseline of the same run: the same sessions as JSON (GET /api/v1/sessions, pages of
 * 500). The gateway's VmRSS is sampled every 10 ms while the reports are built.
 */
import { parseDatabaseUrl } from '../../src/config.ts';
import { openDatabase } from '../../src/db/open.ts';
import type { Session } from '../../src/sessions/model.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { fmt, median, rssMiB } from './common.ts';

const HOUR = 3_600_000;
const TARGET_MS = { month: 500, year: 3_000 } as const;
const PERIODS = {
  month: { query: 'month=2027-11', from: '2027-11-01', to: '2027-12-01', sessions: 200, runs: 10 },
  year: { query: 'year=2028', from: '2028-01-01', to: '2029-01-01', sessions: 2_000, runs: 5 },
} as const;

function sessions(prefix: string, count: number, from: string, to: string): Session[] {
  const start0 = Date.parse(`${from}T00:00:00+01:00`);
  const span = Date.parse(`${to}T00:00:00+01:00`) - start0 - 10 * HOUR;
  let meter = 9_000_000;
  return Array.from({ length: count }, (_, i) => {
    const start = start0 + Math.floor((span * i) / count) + 2 * HOUR;
    const energy = 3_000 + ((i * 7_919) % 25_000) + 0.4;
    const meterStart = meter;
    meter += energy + 200;
    return {
      id: `30000000-0000-4000-8${prefix}-${String(i).padStart(12, '0')}`,
      chargepointId: '9',
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
      vehicle: { id: '1', name: 'Dienstwagen Müller' },
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

async function get(url: string, key: string): Promise<{ ms: number; body: Buffer }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { 'x-api-key': key } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.toString('utf8').slice(0, 300)}`);
  return { ms: performance.now() - started, body };
}

async function jsonPages(base: string, key: string, from: string, to: string): Promise<number> {
  const started = performance.now();
  let cursor: string | null = null;
  do {
    const { body } = await get(`${base}?chargepoint=9&from=${from}&to=${to}&sort=start&limit=500${cursor ? `&cursor=${cursor}` : ''}`, key);
    cursor = (JSON.parse(body.toString('utf8')) as { nextCursor: string | null }).nextCursor;
  } while (cursor);
  return performance.now() - started;
}

export async function reportFigures(options: {
  name: string;
  /** The bench's database (another connection to it is opened here). */
  databaseUrl: string;
  gatewayUrl: string;
  key: string;
  pid: number;
}): Promise<Record<string, number | boolean>> {
  const db = openDatabase(parseDatabaseUrl(options.databaseUrl));
  try {
    const repository = new SessionRepository(db);
    for (const s of [
      ...sessions('001', 200, PERIODS.month.from, PERIODS.month.to),
      ...sessions('002', 2_000, PERIODS.year.from, PERIODS.year.to),
    ]) {
      await repository.upsert(s);
    }
  } finally {
    await db.close();
  }
  const base = `${options.gatewayUrl}/api/v1/sessions`;
  const rssBefore = rssMiB(options.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(options.pid))), 10);
  const figures: Record<string, number | boolean> = {};
  try {
    for (const [period, p] of Object.entries(PERIODS) as [keyof typeof PERIODS, (typeof PERIODS)[keyof typeof PERIODS]][]) {
      const url = `${base}/report.pdf?chargepoint=9&${p.query}`;
      const first = await get(url, options.key);
      const warm: number[] = [];
      for (let i = 0; i < p.runs; i++) warm.push((await get(url, options.key)).ms);
      const json = median([await jsonPages(base, options.key, p.from, p.to), await jsonPages(base, options.key, p.from, p.to)]);
      const pages = (first.body.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
      const met = first.ms < TARGET_MS[period] && median(warm) < TARGET_MS[period];
      Object.assign(figures, {
        [`pdf_${period}_firstMs`]: Math.round(first.ms),
        [`pdf_${period}_medianMs`]: Math.round(median(warm)),
        [`pdf_${period}_maxMs`]: Math.round(Math.max(...warm)),
        [`pdf_${period}_pages`]: pages,
        [`pdf_${period}_KiB`]: Math.round(first.body.length / 1024),
        [`pdf_${period}_jsonBaselineMs`]: Math.round(json),
        [`pdf_${period}_met`]: met,
      });
      console.log(
        `${options.name}: PDF report, ${period} of ${fmt(p.sessions)} sessions: first ${fmt(first.ms)} ms, median ${fmt(median(warm))} ms, ` +
          `max ${fmt(Math.max(...warm))} ms (${pages} pages, ${fmt(first.body.length / 1024)} KiB); baseline the same sessions as JSON ` +
          `${fmt(json)} ms (target < ${fmt(TARGET_MS[period])} ms: ${met ? 'met' : 'MISSED'})`,
      );
    }
  } finally {
    clearInterval(sampler);
  }
  figures.pdf_rssBeforeMiB = Math.round(rssBefore);
  figures.pdf_rssGrowthMiB = Number((rssPeak - rssBefore).toFixed(1));
  console.log(`${options.name}: PDF reports: gateway RSS ${fmt(rssBefore)} MiB + ${fmt(rssPeak - rssBefore, 1)} MiB at the peak`);
  return figures;
}
