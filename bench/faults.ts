/**
 * Faults: what an outage or a bad message does to the recorded statistics and to live reads.
 *
 *   node --import tsx bench/faults.ts [--quick] [--faults baseline,broker,redis,mariadb,kill,poison]
 *                                     [--interval 1] [--stale 5] [--connections 10] [--pause-ms 0] [--keep-log]
 *
 * Everything broken is the bench's own (bench/lib/fault-rig.ts): Mosquitto and redis-server on free ports,
 * a fresh MariaDB database behind a TCP proxy, the gateway as a child process (RECORD_INTERVAL_S=--interval,
 * STALE_AFTER_S=--stale) and an openWB 2.x feed publishing EXPECTED_SERIES once per interval. Per fault, one
 * row: the window runs from a healthy recorder tick before the fault to one after recovery, once the
 * recorder's buffer has drained, so expected = ticks in the window × series. Written is counted in SQL;
 * gaps, quarantined and dropped are /metrics deltas (a metric the gateway lacks reads as 0).
 * Unaccounted = expected − written − gaps − quarantined − dropped; lost = expected − written. Live reads:
 * --connections loops over the chargepoint list and the site, from the fault until fresh again. Fresh:
 * seconds from recovery until chargepoint 1 has `updatedAt` after the recovery and `stale: false`.
 * --quick scales every fault to a few seconds (trial runs; MariaDB then stays within the credential cache).
 */
import { parseArgs } from 'node:util';
import { fmt, installReaper, machineLoad, printJson, sleep } from './lib/common.ts';
import { FaultRig } from './lib/fault-rig.ts';
import { LiveLoad, count5xx, formatCounts, type StatusCounts } from './lib/live-load.ts';
import { EXPECTED_SERIES } from './lib/openwb-feed.ts';
import { CounterWindow, byLabel, scrape, total, type Scrape } from './lib/prom-scrape.ts';
import { FAULTS, type Fault } from './lib/fault-catalog.ts';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    faults: { type: 'string', default: FAULTS.map((f) => f.name).join(',') },
    interval: { type: 'string', default: '1' },
    stale: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    'pause-ms': { type: 'string', default: '0' },
    'keep-log': { type: 'boolean', default: false },
  },
});
const INTERVAL_MS = Number(opts.interval) * 1000;
const SERIES = EXPECTED_SERIES.length;
const FRESH_TIMEOUT_MS = 60_000;
const HEALTHY_TIMEOUT_MS = 90_000;
const DRAIN_TIMEOUT_MS = 30_000;
const METRIC = {
  expected: 'recorder_samples_expected_total',
  recorded: 'recorder_samples_recorded_total',
  buffered: 'recorder_buffered_samples',
  gaps: 'recorder_sample_gaps_total',
  rejected: 'recorder_rows_rejected_total',
  dropped: 'recorder_samples_dropped_total',
  refused: 'openwb_mqtt_refused_total',
  glitches: 'meter_counter_glitches_total',
} as const;
/** Quarantined rows are samples or session updates: only samples are part of the accounting. */
const SAMPLES = { kind: 'sample' };

const selected = opts.faults.split(',').map((name) => {
  const fault = FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`unknown fault ${name}; choose from ${FAULTS.map((f) => f.name).join(', ')}`);
  return fault;
});

interface Tick {
  /** The recorder boundary (ms) the tick sampled. */
  boundary: number;
  scrape: Scrape;
  /** False when no healthy tick came in time: the window edge is then a guess. */
  aligned: boolean;
}

/** The next tick at which the recorder took a sample of every expected series, seen on /metrics. */
async function healthyTick(rig: FaultRig): Promise<Tick> {
  let previous: number | undefined;
  let last: Scrape | undefined;
  for (const deadline = Date.now() + HEALTHY_TIMEOUT_MS; Date.now() < deadline; await sleep(100)) {
    const current = await scrape(rig.url).catch(() => undefined);
    if (!current) continue;
    last = current;
    const recorded = total(current, METRIC.recorded);
    // The tick ran at its boundary (a timer may fire a millisecond early), moments before this answer.
    const seenAt = Date.now() + Math.min(100, INTERVAL_MS / 10);
    if (previous !== undefined && recorded - previous >= SERIES && recorded - previous < 2 * SERIES) {
      return { boundary: seenAt - (seenAt % INTERVAL_MS), scrape: current, aligned: true };
    }
    previous = recorded;
  }
  const now = Date.now();
  return { boundary: now - (now % INTERVAL_MS) - INTERVAL_MS, scrape: last ?? new Map(), aligned: false };
}

/** Waits until the recorder's buffer is empty; returns what is still buffered at the deadline. */
async function drained(rig: FaultRig, timeoutMs: number): Promise<number> {
  let buffered = Number.NaN;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const current = await scrape(rig.url).catch(() => undefined);
    if (!current) continue;
    buffered = total(current, METRIC.buffered);
    if (buffered === 0) return 0;
  }
  return buffered;
}

/** Waits until the samples of the tick at `boundary` are stored; the buffer is written oldest first. */
async function tickStored(rig: FaultRig, boundary: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    if ((await rig.storedSamples(boundary - INTERVAL_MS, boundary)).expectedSeries >= SERIES) return true;
  }
  return false;
}

/** Seconds from `since` until chargepoint 1 is updated after it and not stale; NaN after the timeout. */
async function secondsUntilFresh(rig: FaultRig, since: number): Promise<number> {
  for (const deadline = since + FRESH_TIMEOUT_MS; Date.now() < deadline; await sleep(100)) {
    const body = await fetch(`${rig.url}/api/v1/chargepoints/1`, {
      headers: { 'x-api-key': rig.apiKey },
      signal: AbortSignal.timeout(5_000),
    })
      .then((res) => (res.ok ? (res.json() as Promise<{ updatedAt: string | null; stale: boolean }>) : undefined))
      .catch(() => undefined);
    if (body?.updatedAt && Date.parse(body.updatedAt) > since && !body.stale) return (Date.now() - since) / 1000;
  }
  return Number.NaN;
}

interface Row {
  fault: string;
  label: string;
  seconds: number;
  expected: number;
  written: number;
  gaps: number;
  quarantined: number;
  dropped: number;
  unaccounted: number;
  lost: number;
  reads: StatusCounts;
  reads5xx: number;
  freshS: number;
  notes: string[];
  misses: string[];
}

async function runRow(rig: FaultRig, fault: Fault): Promise<Row> {
  const seconds = opts.quick ? fault.quickSeconds : fault.seconds;
  console.log(`\n${fault.label} (${seconds} s): waiting for a healthy recorder tick…`);
  const start = await healthyTick(rig);
  // The window starts after this tick: its samples must be stored before the fault, or a process killed with
  // them unwritten has its successor count their gap inside the window while the tick lies outside it.
  const startStored = await tickStored(rig, start.boundary, 10_000);
  const window = new CounterWindow(start.scrape);
  const logFrom = rig.gateway.logPosition();
  const load = new LiveLoad(rig.url, rig.apiKey, Number(opts.connections), Number(opts['pause-ms']));
  await load.warmedUp();
  await fault.inject(rig, window, seconds);
  await sleep(seconds * 1000);
  const recoverFrom = Date.now();
  await fault.recover(rig);
  const recoveredAt = Date.now();
  const freshS = await secondsUntilFresh(rig, recoveredAt);
  const reads = await load.stop();
  console.log(`  recovered; fresh after ${Number.isNaN(freshS) ? `> ${FRESH_TIMEOUT_MS / 1000}` : freshS.toFixed(1)} s; settling…`);

  const stuck = await drained(rig, DRAIN_TIMEOUT_MS);
  const end = await healthyTick(rig);
  const endStored = await tickStored(rig, end.boundary, 10_000);
  const delta = window.close(end.scrape);
  const stored = await rig.storedSamples(start.boundary, end.boundary);

  const expected = ((end.boundary - start.boundary) / INTERVAL_MS) * SERIES;
  const gaps = total(delta, METRIC.gaps);
  const quarantined = total(delta, METRIC.rejected, SAMPLES);
  const dropped = total(delta, METRIC.dropped);
  const written = stored.expectedSeries;
  const notes: string[] = [];
  const note = (text: string | false) => text && notes.push(text);
  note(
    recoveredAt - recoverFrom > 500 &&
      `recovery (${fault.recoveryAction}) took ${((recoveredAt - recoverFrom) / 1000).toFixed(1)} s; fresh counts from its end`,
  );
  note(!start.aligned && 'no healthy tick before the fault: window start approximate');
  note(!startStored && 'the samples of the tick before the fault were not stored within 10 s');
  note(!end.aligned && `no healthy tick within ${HEALTHY_TIMEOUT_MS / 1000} s after recovery: window end approximate`);
  note(!endStored && 'the samples of the last tick of the window were not stored within 10 s');
  note(stuck > 0 && `${fmt(stuck)} samples still buffered ${DRAIN_TIMEOUT_MS / 1000} s after recovery`);
  const recorderExpected = total(delta, METRIC.expected);
  note(recorderExpected > 0 && recorderExpected !== expected && `the recorder itself expected ${fmt(recorderExpected)} samples`);
  note(gaps > 0 && `gaps by reason: ${byLabel(delta, METRIC.gaps, 'reason')}`);
  note(quarantined > 0 && `quarantined samples by reason: ${byLabel(delta, METRIC.rejected, 'reason', SAMPLES)}`);
  note(
    total(delta, METRIC.rejected) > quarantined &&
      `quarantined session updates: ${byLabel(delta, METRIC.rejected, 'reason', { kind: 'session' })}`,
  );
  note(total(delta, METRIC.refused) > 0 && `MQTT messages refused by reason: ${byLabel(delta, METRIC.refused, 'reason')}`);
  note(total(delta, METRIC.glitches) > 0 && `meter glitches: ${byLabel(delta, METRIC.glitches, 'series')}`);
  note(stored.otherSeries > 0 && `${fmt(stored.otherSeries)} rows of series outside the feed (e.g. an id that should be refused)`);
  note(stored.hugeCounterValues > 0 && `${fmt(stored.hugeCounterValues)} raw meter-counter samples hold 1e308`);
  note(
    stored.zeroCounterValues > 0 &&
      `${fmt(stored.zeroCounterValues)} raw meter-counter samples hold the glitch 0 (raw is raw: history must not count it)`,
  );
  for (const warning of rig.gateway.warningsSince(logFrom).slice(0, 4)) note(`log: ${warning}`);

  const row: Row = {
    fault: fault.name,
    label: fault.label,
    seconds,
    expected,
    written,
    gaps,
    quarantined,
    dropped,
    unaccounted: expected - written - gaps - quarantined - dropped,
    lost: expected - written,
    reads,
    reads5xx: count5xx(reads),
    freshS,
    notes,
    misses: [],
  };
  row.misses = fault.verdict(row);
  return row;
}

const cell = (value: string | number, width: number) => String(value).padStart(width);

function printTable(rows: readonly Row[]): void {
  const head = `${'fault'.padEnd(22)} ${cell('s', 4)} ${cell('expected', 8)} ${cell('written', 8)} ${cell('gaps', 6)} ${cell('quarant.', 8)} ${cell('dropped', 7)} ${cell('unacc.', 7)}  ${'live reads during the fault'.padEnd(44)} ${cell('fresh s', 7)}  verdict`;
  console.log(`\n${head}\n${'-'.repeat(head.length + 10)}`);
  for (const r of rows) {
    const fresh = Number.isNaN(r.freshS) ? `>${FRESH_TIMEOUT_MS / 1000}` : r.freshS.toFixed(1);
    console.log(
      `${r.label.padEnd(22)} ${cell(r.seconds, 4)} ${cell(r.expected, 8)} ${cell(r.written, 8)} ${cell(r.gaps, 6)} ${cell(r.quarantined, 8)} ${cell(r.dropped, 7)} ${cell(r.unaccounted, 7)}  ${formatCounts(r.reads).padEnd(44)} ${cell(fresh, 7)}  ${r.misses.length ? `MISS: ${r.misses.join('; ')}` : 'PASS'}`,
    );
  }
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.label}: ${n}`);
}

const load = machineLoad();
console.log(
  `faults bench: ${selected.map((f) => f.name).join(', ')}${opts.quick ? ' (quick)' : ''}; ${SERIES} series every ${opts.interval} s, ` +
    `stale after ${opts.stale} s, ${opts.connections} live-read connections; ${load.cores} cores, load average ${load.loadAvg1m}`,
);
const starting = FaultRig.start({ intervalS: Number(opts.interval), staleAfterS: Number(opts.stale), keepLog: opts['keep-log'] });
installReaper(() => starting.then((rig) => rig.close()));
const rig = await starting;
if (opts['keep-log']) console.log(`gateway log: ${rig.logFile}`);
const rows: Row[] = [];
let failure: string | undefined;
try {
  for (const fault of selected) rows.push(await runRow(rig, fault));
} catch (error) {
  // The rows measured so far still print; the state of the rig after this is unknown.
  failure = (error as Error).stack ?? String(error);
  console.error(`\nthe bench failed: ${failure}`);
} finally {
  await rig.close();
}
printTable(rows);
const pass = !failure && rows.every((r) => r.misses.length === 0);
console.log(
  `\n${pass ? 'every target met' : 'targets missed'}: 0 unaccounted everywhere; 0 lost and 0 × 5xx for Redis and MariaDB; fresh ≤ 5 s after the broker`,
);
printJson({
  bench: 'faults',
  quick: opts.quick,
  intervalS: Number(opts.interval),
  series: SERIES,
  rows,
  pass,
  ...(failure ? { error: failure } : {}),
});
process.exitCode = failure ? 1 : 0;
