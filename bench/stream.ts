/**
 * The live stream's figures (issue 11): latency from the MQTT publish to every WebSocket client beside the
 * floor of one MQTT hop, memory per idle connection, and what one stalled client does to the others.
 *
 *   node --import tsx bench/stream.ts [--quick] [--samples 300] [--interval-ms 100] [--sizes 100,1000]
 *                                     [--idle 5000] [--stall-s 5] [--client-procs 2] [--reauth-s N] [--runs latency,stall,memory]
 *                                     [--profile] [--keep-log]
 *
 * Everything is the bench's own: a Mosquitto (bench/lib/broker.ts), a redis-server, a SQLite file, an API
 * key made with the CLI, and the gateway as a child process (`src/main.ts`, recorder off). The WebSocket
 * clients live in `--client-procs` child processes (bench/lib/stream-clients.ts: minimal RFC 6455 clients,
 * timestamped on receipt with process.hrtime, which is CLOCK_MONOTONIC and so comparable across processes).
 * This process publishes chargepoint 1's power every `--interval-ms` (value = 1000 + sample number, QoS 0,
 * the gateway's default), and holds the two references: the floor, a plain MQTT subscriber on the same broker
 * receiving the same publishes, and the Redis write, a subscriber of the Redis channel on which the ingest
 * publishes each batch it wrote. The stream is told before that write (once the batch is in the gateway's
 * replica), so "Redis write → client" may be negative: it shows how far the stream no longer waits for Redis.
 *
 * Latency = receipt − publish over every (client, sample). Stall: 100 clients without, then 99 + 1 that stops
 * reading; its socket first takes several MB of kernel buffers, so a fast burst (before the others connect)
 * fills them until the gateway coalesces for it, then the same measurement runs while the gateway holds it
 * backed up, closes it with 4008 after STREAM_STALL_S (checked every STREAM_REAUTH_S), and the RSS is printed
 * every second. Memory: a fresh gateway, warmed with a few connections, then `--idle` connections that only
 * answer pings; (settled VmRSS after − before) / connections.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { PrivateRedis } from '../test/support/redis-server.ts';
import { benchBroker } from './lib/broker.ts';
import {
  cpuSeconds,
  fmt,
  freePort,
  installReaper,
  isType,
  machineLoad,
  nextMessage,
  printJson,
  round,
  rssMiB,
  sleep,
  spawnTs,
  stopChild,
} from './lib/common.ts';
import { summarize } from './lib/cpuprofile.ts';
import { GatewayProcess, START_NODE_ARGS, createApiKey } from './lib/gateway-process.ts';
import { cycleMessages } from './lib/openwb-feed.ts';
import { scrape, total, type Scrape } from './lib/prom-scrape.ts';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    samples: { type: 'string' },
    'interval-ms': { type: 'string', default: '100' },
    sizes: { type: 'string', default: '100,1000' },
    idle: { type: 'string' },
    'stall-s': { type: 'string' },
    'client-procs': { type: 'string', default: '2' },
    'reauth-s': { type: 'string' },
    runs: { type: 'string', default: 'latency,stall,memory' },
    profile: { type: 'boolean', default: false },
    'keep-log': { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(opts.samples ?? (opts.quick ? 50 : 300));
const WARMUP = opts.quick ? 10 : 30;
const INTERVAL_MS = Number(opts['interval-ms']);
const SIZES = opts.sizes.split(',').map(Number);
const IDLE = Number(opts.idle ?? (opts.quick ? 1000 : 5000));
const STALL_S = Number(opts['stall-s'] ?? (opts.quick ? 2 : 5));
const RUNS = new Set(opts.runs.split(','));
const CLIENT_PROCS = Number(opts['client-procs']);
const STALL_SIZE = 100;
const TARGET = { extraP99Ms: { 100: 5, 1000: 15 } as Record<number, number>, idleKiB: 20, stallP99MovesMs: 1, stallRssGrowthMiB: 10 };
/** Published power = BASE_VALUE + sample number; warm-up and fill values lie above every sample number. */
const BASE_VALUE = 1000;
const OTHER_VALUE = BASE_VALUE + SAMPLES + 1000;
const POWER_TOPIC = 'openWB/chargepoint/1/get/power';
const TEXT_TOPICS = ['openWB/chargepoint/1/get/state_str', 'openWB/chargepoint/1/get/fault_str'];
const REDIS_PREFIX = 'bench-stream:';
const CLOSE_TOO_SLOW = 4008;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.reverse()) await step().catch((error: unknown) => console.error(`clean-up: ${(error as Error).message}`));
  cleanups.length = 0;
}
installReaper(cleanUp);

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load ${machineLoad().loadAvg1m}`;
  }
}

const heapMiB = (metrics: Scrape) =>
  `${(total(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20).toFixed(1)}/${(total(metrics, 'nodejs_heap_size_total_bytes') / 2 ** 20).toFixed(1)}`;

/** Per sample, when it or a newer one first arrived (0: not arrived). */
function earliestFrom(times: Float64Array): Float64Array {
  const earliest = new Float64Array(times.length);
  let first = 0;
  for (let seq = times.length - 1; seq >= 0; seq--) {
    if (times[seq] && (!first || times[seq]! < first)) first = times[seq]!;
    earliest[seq] = first;
  }
  return earliest;
}

function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

interface Stats {
  n: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
}

/** Latencies in µs (null: missed) → ms statistics. */
function stats(values: Iterable<number | null>): Stats {
  const kept: number[] = [];
  let missed = 0;
  for (const v of values) {
    if (v === null || Number.isNaN(v)) missed++;
    else kept.push(v / 1000);
  }
  const sorted = Float64Array.from(kept).sort();
  return { n: sorted.length, missed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}
const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(2));
const signed = (v: number) => (v >= 0 ? `+${ms(v)}` : ms(v));
const showEnds = (s: Stats) => `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms`;
const show = (s: Stats) => `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, max ${ms(s.max)} ms (${fmt(s.n)} receipts, ${s.missed} missed)`;

// ---------------------------------------------------------------- rig

const load0 = uptime();
console.log(
  `stream bench (${opts.quick ? 'quick' : 'full'}): ${SAMPLES} samples every ${INTERVAL_MS} ms per run; sizes ${SIZES.join(', ')}; idle ${IDLE}`,
);
console.log(`machine: ${machineLoad().cores} cores; ${load0}`);

const broker = await benchBroker();
cleanups.push(() => broker.close());
const redis = await PrivateRedis.start();
cleanups.push(() => redis.stop());
const dir = mkdtempSync(join(tmpdir(), 'owg-bench-stream-'));
cleanups.push(async () => (opts['keep-log'] ? console.log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })));
const databaseUrl = `sqlite:${join(dir, 'gateway.db')}`;
const apiKey = await createApiKey(databaseUrl, 'read', 'bench-stream');

const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clean: true });
cleanups.push(() => publisher.endAsync());
// openWB's retained state (chargepoints 1 and 2, the site, the system), as the gateway finds it on start.
for (const [topic, value] of cycleMessages(0, 1000)) await publisher.publishAsync(topic, JSON.stringify(value), { qos: 1, retain: true });

const port = await freePort();
const profileDir = join(dir, 'profiles');
const gatewayEnv: Record<string, string> = {
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  METRICS_PUBLIC: 'true',
  OPENWB_MQTT_URL: broker.url,
  OPENWB_GENERATION: '2',
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: REDIS_PREFIX,
  DATABASE_URL: databaseUrl,
  RECORDER_ENABLED: 'false',
  // Only the published power changes: nothing turns stale during the bench and adds messages of its own.
  STALE_AFTER_S: '86400',
  RATE_LIMIT_IP_PER_MIN: '1000000000',
  RATE_LIMIT_KEY_PER_MIN: '1000000000',
  RATE_LIMIT_KEY_PER_DAY: '1000000000',
  STREAM_MAX_PER_PRINCIPAL: '10000',
  STREAM_MAX_PER_ADDRESS: '100000',
  STREAM_STALL_S: String(STALL_S),
  // The gateway's default unless given: every connection's credentials are checked again this often.
  ...(opts['reauth-s'] ? { STREAM_REAUTH_S: opts['reauth-s'] } : {}),
  // Pings stay out of the way: a stalled client answering none must be closed by the stall limit, not the heartbeat.
  STREAM_PING_S: '300',
};
const nodeArgs = [...START_NODE_ARGS, ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
let gateway = new GatewayProcess(`http://127.0.0.1:${port}`, gatewayEnv, join(dir, 'gateway.log'), nodeArgs);
cleanups.push(() => gateway.stop());
await gateway.start();
const gatewayPid = () => gateway.pid ?? 0;

// The floor: one MQTT hop, same broker, same publishes, its own connection.
const floorAt = new Float64Array(SAMPLES + 1);
const floor: MqttClient = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clean: true });
cleanups.push(() => floor.endAsync());
floor.on('message', (_topic, payload) => {
  const at = nowMs();
  const seq = Number(payload.toString()) - BASE_VALUE;
  if (seq >= 1 && seq <= SAMPLES && floorAt[seq] === 0) floorAt[seq] = at;
});
await floor.subscribeAsync(POWER_TOPIC, { qos: 0 });

// The Redis write of each batch (the stream was told before it, at the replica merge).
const appliedAt = new Float64Array(SAMPLES + 1);
const subscriber = new Redis(redis.url);
cleanups.push(async () => subscriber.disconnect());
subscriber.on('message', (_channel: string, message: string) => {
  const at = nowMs();
  for (const update of JSON.parse(message) as { kind: string; id: string; field: string; value: unknown }[]) {
    if (update.kind !== 'chargepoint' || update.id !== '1' || update.field !== 'power') continue;
    const seq = Number(update.value) - BASE_VALUE;
    if (seq >= 1 && seq <= SAMPLES && appliedAt[seq] === 0) appliedAt[seq] = at;
  }
});
await subscriber.subscribe(`${REDIS_PREFIX}live:changes`);

// The bare fan-out: a plain ws server sending each MQTT payload to every client (bench/lib/bare-fanout.ts).
type Target = 'gateway' | 'bare';
const bare = spawnTs('bench/lib/bare-fanout.ts', {
  ipc: true,
  env: { ...process.env, BENCH_BARE: JSON.stringify({ brokerUrl: broker.url, topic: POWER_TOPIC }) },
});
cleanups.push(() => stopChild(bare));
const barePort = (await nextMessage(bare, isType<{ type: 'ready'; port: number }>('ready'), 30_000, 'the bare fan-out')).port;
const pidOf = (target: Target) => (target === 'bare' ? (bare.pid ?? 0) : gatewayPid());

// ---------------------------------------------------------------- clients

interface Latencies {
  type: 'latencies';
  perClient: (number | null)[][];
  superseded: number;
  stalled?: (number | null)[];
}

const children: ChildProcess[] = [];
for (let i = 0; i < CLIENT_PROCS; i++) {
  const child = spawnTs('bench/lib/stream-clients.ts', {
    ipc: true,
    env: {
      ...process.env,
      BENCH_STREAM: JSON.stringify({ host: '127.0.0.1', port, apiKey, baseValue: BASE_VALUE, maxSeq: SAMPLES }),
    },
  });
  await nextMessage(child, isType('ready'), 30_000, 'a client process to start');
  children.push(child);
}
cleanups.push(() => Promise.all(children.map((child) => stopChild(child))));

async function openClients(count: number, stalled = false, target: Target = 'gateway'): Promise<void> {
  const shares = children.map((_, i) => Math.floor(count / children.length) + (i < count % children.length ? 1 : 0));
  const answers = await Promise.all(
    children.map((child, i) => {
      if (shares[i] === 0) return { open: 0, failed: 0 };
      const answer = nextMessage(
        child,
        isType<{ type: 'opened'; open: number; failed: number; error?: string }>('opened'),
        600_000,
        'clients',
      );
      child.send({ type: 'open', count: shares[i], stalled: stalled && i === 0, port: target === 'bare' ? barePort : port });
      return answer;
    }),
  );
  const failed = answers.reduce((sum, a) => sum + a.failed, 0);
  if (failed > 0)
    throw new Error(`${failed} of ${count} stream clients failed to open: ${answers.map((a) => ('error' in a ? a.error : '')).join(' ')}`);
}

async function closeClients(): Promise<void> {
  await Promise.all(
    children.map((child) => {
      const answer = nextMessage(child, isType('closed'), 30_000, 'clients to close');
      child.send({ type: 'close-all' });
      return answer;
    }),
  );
}

// ---------------------------------------------------------------- publishing

const publishedAt: (number | null)[] = Array.from({ length: SAMPLES + 1 }, () => null);
let otherValue = 0;
const publishPower = (value: number) => publisher.publish(POWER_TOPIC, String(value), { qos: 0 });
const nextOtherValue = () => OTHER_VALUE + (otherValue++ % 5000);

/** Publishes `count` values at the interval, on a clock that does not drift; `value(i)` gives each. */
async function publishPaced(count: number, onEach: (i: number) => void): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    onEach(i);
  }
}

interface RunResult {
  clients: Stats;
  /**
   * Per (client, sample): its latency minus the floor's for the same publish. What delays the broker or the
   * machine at that moment delays both, so this is steadier than comparing two p99s on a busy machine.
   */
  excess: Stats;
  others: Stats;
  floor: Stats;
  /** Per sample, its first and its last receipt among the clients: where the fan-out starts and where it ends. */
  first: Stats;
  last: Stats;
  ingest: Stats;
  stream: Stats;
  /** Samples the ingest replaced by the next one within a batch (applied, and streamed, with that one). */
  supersededInIngest: number;
  /** (client, sample) pairs that reached the client only with a newer value (ingest or hub behind). */
  supersededAtClients: number;
  rssMiB: number[];
  /** Gateway CPU time per sample (user + system), ms: less sensitive to a busy machine than the latencies. */
  cpuMsPerSample: number;
  /**
   * The client processes' CPU time per sample: with the server's, what the machine's cores must do for one
   * publish, so (server + clients) / cores bounds how soon the last client can have it.
   */
  clientsCpuMsPerSample: number;
  /** Mean time of one send loop over every client, ms, as the server itself times it (stream_fanout_duration_seconds). */
  fanOutLoopMs: number;
  /** The gateway's garbage-collection pauses per sample, ms, in all and in major (mark-compact) collections (nodejs_gc_duration_seconds). */
  gcMsPerSample?: { all: number; major: number };
  stalledCloseCode?: number | null;
  stalledReceived?: number;
  fillSeconds?: number;
  rssBeforeFillMiB?: number;
  /** V8 heap used / total (MiB) before and after the fill, from /metrics. */
  heapAroundFill?: string;
}

/** One measured run: `size` clients (with `stalled`, the first is the stalled one), warm-up, then SAMPLES publishes. */
async function run(size: number, withStall: boolean, target: Target = 'gateway'): Promise<RunResult> {
  publishedAt.fill(null);
  floorAt.fill(0);
  appliedAt.fill(0);
  let fillSeconds: number | undefined;
  let rssBeforeFillMiB: number | undefined;
  let heapAroundFill: string | undefined;
  if (withStall) {
    rssBeforeFillMiB = rssMiB(pidOf(target));
    const heapBefore = heapMiB(await scrape(gateway.url));
    await openClients(1, true);
    children[0]!.send({ type: 'stall' });
    fillSeconds = await fillUntilCoalesced();
    heapAroundFill = `${heapBefore} before, ${heapMiB(await scrape(gateway.url))} after`;
    await openClients(size - 1);
  } else {
    await openClients(size, false, target);
  }
  await publishPaced(WARMUP, () => publishPower(nextOtherValue()));
  await sleep(INTERVAL_MS);
  for (const child of children) child.send({ type: 'reset' });
  const rss: number[] = [rssMiB(pidOf(target))];
  const cpu0 = cpuSeconds(pidOf(target));
  const clientsCpu = () => children.reduce((sum, child) => sum + cpuSeconds(child.pid ?? 0), 0);
  const clientsCpu0 = clientsCpu();
  const loops0 = await fanOutLoops(target);
  const gc0 = target === 'gateway' ? gcSeconds(await scrape(gateway.url)) : undefined;
  const sampler = setInterval(() => {
    rss.push(rssMiB(pidOf(target)));
  }, 1000);
  await publishPaced(SAMPLES, (i) => {
    const seq = i + 1;
    publishedAt[seq] = nowMs();
    publishPower(BASE_VALUE + seq);
  });
  await sleep(Math.max(1000, INTERVAL_MS * 5));
  const cpuMsPerSample = ((cpuSeconds(pidOf(target)) - cpu0) * 1000) / SAMPLES;
  const clientsCpuMsPerSample = ((clientsCpu() - clientsCpu0) * 1000) / SAMPLES;
  const loops1 = await fanOutLoops(target);
  const gc1 = gc0 && gcSeconds(await scrape(gateway.url));
  const gcMsPerSample =
    gc0 && gc1 ? { all: ((gc1.all - gc0.all) * 1000) / SAMPLES, major: ((gc1.major - gc0.major) * 1000) / SAMPLES } : undefined;
  const fanOutLoopMs = ((loops1.seconds - loops0.seconds) * 1000) / (loops1.count - loops0.count);
  clearInterval(sampler);
  rss.push(rssMiB(pidOf(target)));
  const collected = await Promise.all(
    children.map((child) => {
      const answer = nextMessage(child, isType<Latencies>('latencies'), 60_000, 'latencies');
      child.send({ type: 'collect', publishedAt });
      return answer;
    }),
  );
  let stalledCloseCode: number | null | undefined;
  let stalledReceived: number | undefined;
  if (withStall) {
    stalledReceived = collected[0]!.stalled?.filter((v) => v !== null).length;
    const resumed = nextMessage(
      children[0]!,
      isType<{ type: 'resumed'; closeCode: number | null }>('resumed'),
      60_000,
      'the stalled client',
    );
    children[0]!.send({ type: 'resume' });
    stalledCloseCode = (await resumed).closeCode;
  }
  await closeClients();
  const perClient = collected.flatMap((c) => c.perClient);
  // The ingest keeps the latest value per field in a batch, and the hub reads the latest state when it runs:
  // a sample replaced by the next one before it was applied or sent counts as delivered with that next one.
  const applied = earliestFrom(appliedAt);
  let supersededInIngest = 0;
  const ingest: (number | null)[] = [];
  const stream: (number | null)[] = [];
  const floorLatencies: (number | null)[] = [];
  const excess: (number | null)[] = [];
  const first: (number | null)[] = [];
  const last: (number | null)[] = [];
  for (let seq = 1; seq <= SAMPLES; seq++) {
    const sent = publishedAt[seq]!;
    const floorUs = floorAt[seq] ? (floorAt[seq]! - sent) * 1000 : null;
    floorLatencies.push(floorUs);
    let earliest = Infinity;
    let latest = -Infinity;
    for (const client of perClient) {
      const total = client[seq];
      excess.push(floorUs !== null && total !== null && total !== undefined ? total - floorUs : null);
      if (total === null || total === undefined) continue;
      earliest = Math.min(earliest, total);
      latest = Math.max(latest, total);
    }
    first.push(Number.isFinite(earliest) ? earliest : null);
    last.push(Number.isFinite(latest) ? latest : null);
    if (target !== 'gateway') continue;
    if (!appliedAt[seq] && applied[seq]) supersededInIngest++;
    ingest.push(applied[seq] ? (applied[seq]! - sent) * 1000 : null);
    for (const client of perClient) {
      const total = client[seq];
      stream.push(applied[seq] && total !== null && total !== undefined ? total - (applied[seq]! - sent) * 1000 : null);
    }
  }
  // "Others" leave out the first client, the one that stalls in the stall run, so both runs compare the same 99.
  const others = collected.flatMap((c, i) => (i === 0 && !withStall ? c.perClient.slice(1) : c.perClient));
  const samples = (series: readonly (number | null)[]) => series.slice(1);
  return {
    clients: stats(perClient.flatMap(samples)),
    excess: stats(excess),
    others: stats(others.flatMap(samples)),
    floor: stats(floorLatencies),
    first: stats(first),
    last: stats(last),
    ingest: stats(ingest),
    stream: stats(stream),
    supersededInIngest,
    supersededAtClients: collected.reduce((sum, c) => sum + c.superseded, 0),
    rssMiB: rss,
    cpuMsPerSample,
    clientsCpuMsPerSample,
    fanOutLoopMs,
    gcMsPerSample,
    stalledCloseCode,
    stalledReceived,
    fillSeconds,
    rssBeforeFillMiB,
    heapAroundFill,
  };
}

const gcSeconds = (metrics: Scrape) => ({
  all: total(metrics, 'nodejs_gc_duration_seconds_sum'),
  major: total(metrics, 'nodejs_gc_duration_seconds_sum', { kind: 'major' }),
});

/** The server's own timing of its send loops so far: the gateway's histogram, or the bare fan-out's sum over IPC. */
async function fanOutLoops(target: Target): Promise<{ seconds: number; count: number }> {
  if (target === 'gateway') {
    const metrics = await scrape(gateway.url);
    return { seconds: total(metrics, 'stream_fanout_duration_seconds_sum'), count: total(metrics, 'stream_fanout_duration_seconds_count') };
  }
  const answer = nextMessage(bare, isType<{ type: 'fan-out'; seconds: number; count: number }>('fan-out'), 10_000, 'the bare fan-out');
  bare.send({ type: 'fan-out' });
  return answer;
}

/**
 * Fills the stalled client's socket buffers (several MB of kernel buffers before the gateway holds anything)
 * with changes of chargepoint 1's status text and fault message, 2,000 characters each (its longest fields),
 * about one batch per millisecond, until the gateway coalesces for it; returns the seconds it took.
 */
async function fillUntilCoalesced(): Promise<number> {
  const started = performance.now();
  const before = total(await scrape(gateway.url), 'stream_changes_coalesced_total');
  let checked = started;
  const padding = 'x'.repeat(1990);
  for (let i = 0, deadline = Date.now() + 120_000; Date.now() < deadline; i++) {
    for (const topic of TEXT_TOPICS) publisher.publish(topic, JSON.stringify(`${String(i).padStart(8, '0')} ${padding}`), { qos: 0 });
    await sleep(1);
    if (performance.now() - checked < 250) continue;
    checked = performance.now();
    if (total(await scrape(gateway.url), 'stream_changes_coalesced_total') > before) {
      for (const topic of TEXT_TOPICS) publisher.publish(topic, JSON.stringify(''), { qos: 0 });
      return (performance.now() - started) / 1000;
    }
  }
  throw new Error('the stalled client never backed up (no coalescing within 120 s)');
}

// ---------------------------------------------------------------- memory

async function settledRss(): Promise<number> {
  let previous = rssMiB(gatewayPid());
  for (let i = 0; i < 30; i++) {
    await sleep(1000);
    const current = rssMiB(gatewayPid());
    if (Math.abs(current - previous) < 0.25) return current;
    previous = current;
  }
  return previous;
}

interface MemoryResult {
  connections: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  perConnectionKiB: number;
  heapPerConnectionKiB: number;
  externalPerConnectionKiB: number;
  openSeconds: number;
}

async function memory(): Promise<MemoryResult> {
  // A fresh gateway: the latency runs' garbage would otherwise be reused by the new connections.
  await gateway.stop();
  gateway = new GatewayProcess(gateway.url, gatewayEnv, join(dir, 'gateway-memory.log'), nodeArgs);
  await gateway.start();
  await openClients(50);
  await closeClients();
  const rssBeforeMiB = await settledRss();
  const before = await scrape(gateway.url);
  const started = performance.now();
  await openClients(IDLE);
  const openSeconds = (performance.now() - started) / 1000;
  const rssAfterMiB = await settledRss();
  const after = await scrape(gateway.url);
  const open = total(after, 'stream_connections', { transport: 'websocket' });
  await closeClients();
  const perConnection = (bytesAfter: number, bytesBefore: number) => round((bytesAfter - bytesBefore) / 1024 / open, 1);
  return {
    connections: open,
    rssBeforeMiB: round(rssBeforeMiB, 1),
    rssAfterMiB: round(rssAfterMiB, 1),
    perConnectionKiB: round(((rssAfterMiB - rssBeforeMiB) * 1024) / open, 1),
    heapPerConnectionKiB: perConnection(total(after, 'nodejs_heap_size_used_bytes'), total(before, 'nodejs_heap_size_used_bytes')),
    externalPerConnectionKiB: perConnection(total(after, 'nodejs_external_memory_bytes'), total(before, 'nodejs_external_memory_bytes')),
    openSeconds: round(openSeconds, 1),
  };
}

// ---------------------------------------------------------------- runs

try {
  console.log(
    `broker: ${broker.label}; gateway pid ${gatewayPid()} (node ${START_NODE_ARGS.join(' ')} --import tsx src/main.ts, as npm start; recorder off, Redis ${redis.url})`,
  );
  console.log(
    `clients: minimal RFC 6455 clients in ${CLIENT_PROCS} child process(es), timestamped on receipt (process.hrtime = CLOCK_MONOTONIC); ` +
      'publisher, floor MQTT subscriber and Redis applied-batch subscriber in this process',
  );
  const latency = new Map<number, RunResult>();
  const bareRuns = new Map<number, RunResult>();
  for (const size of RUNS.has('latency') ? SIZES : []) {
    const bareResult = await run(size, false, 'bare');
    bareRuns.set(size, bareResult);
    const result = await run(size, false);
    latency.set(size, result);
    console.log(`\n${size} clients:`);
    console.log(`  publish → every client  ${show(result.clients)}`);
    console.log(`  floor (one MQTT hop)    ${show(result.floor)}`);
    console.log(`  client − floor, paired  ${show(result.excess)}   (same publish; the target compares the two p99s)`);
    console.log(
      `  publish → Redis write   ${show(result.ingest)}   (MQTT hop, decode, batch, Redis round trip; ${result.supersededInIngest} samples superseded in a batch)`,
    );
    console.log(
      `  Redis write → client    ${show(result.stream)}   (the stream does not wait for the write: negative = before it; ${fmt(result.supersededAtClients)} receipts came with a newer value)`,
    );
    console.log(
      `  fan-out per sample      first receipt ${showEnds(result.first)}; last receipt ${showEnds(result.last)}; send loop ${ms(result.fanOutLoopMs)} ms (mean, as the gateway times it)`,
    );
    console.log(
      `  gateway CPU ${result.cpuMsPerSample.toFixed(2)} ms per sample (${((result.cpuMsPerSample * 1000) / size).toFixed(1)} µs per client); ` +
        `clients' CPU ${result.clientsCpuMsPerSample.toFixed(2)} ms per sample; ` +
        `gateway GC pauses ${ms(result.gcMsPerSample?.all ?? Number.NaN)} ms per sample (major ${ms(result.gcMsPerSample?.major ?? Number.NaN)})`,
    );
    console.log(`  bare ws fan-out         ${show(bareResult.clients)}; floor in its run p99 ${ms(bareResult.floor.p99)} ms`);
    console.log(`  bare − floor, paired    ${show(bareResult.excess)}`);
    console.log(
      `  bare fan-out per sample first receipt ${showEnds(bareResult.first)}; last receipt ${showEnds(bareResult.last)}; send loop ${ms(bareResult.fanOutLoopMs)} ms`,
    );
    console.log(
      `  bare CPU ${bareResult.cpuMsPerSample.toFixed(2)} ms per sample (${((bareResult.cpuMsPerSample * 1000) / size).toFixed(1)} µs per client); ` +
        `clients' CPU ${bareResult.clientsCpuMsPerSample.toFixed(2)} ms per sample`,
    );
    console.log(`  gateway RSS ${result.rssMiB[0]!.toFixed(1)} → ${result.rssMiB.at(-1)!.toFixed(1)} MiB; ${uptime()}`);
  }

  let stall: { with: RunResult; without: RunResult } | undefined;
  if (RUNS.has('stall')) {
    const without = latency.get(STALL_SIZE) ?? (await run(STALL_SIZE, false));
    console.log(`\n${STALL_SIZE} clients, one stalled (STREAM_STALL_S=${STALL_S}):`);
    const withStall = await run(STALL_SIZE, true);
    stall = { with: withStall, without };
    console.log(
      `  filled the stalled client's buffers in ${withStall.fillSeconds!.toFixed(1)} s (before the others connected); ` +
        `gateway RSS ${withStall.rssBeforeFillMiB!.toFixed(1)} MiB before the fill, ${withStall.rssMiB[0]!.toFixed(1)} MiB after; ` +
        `V8 heap used/total MiB ${withStall.heapAroundFill}`,
    );
    console.log(`  others with the stall   ${show(withStall.others)}`);
    console.log(`  others without          ${show(without.others)}`);
    console.log(
      `  gateway CPU per sample ${withStall.cpuMsPerSample.toFixed(2)} ms with the stall vs ${without.cpuMsPerSample.toFixed(2)} ms without (less noisy than a p99)`,
    );
    console.log(
      `  stalled client: ${withStall.stalledReceived} of ${SAMPLES} samples received, closed with ${withStall.stalledCloseCode ?? 'no close frame'}`,
    );
    console.log(`  gateway RSS each second during the stall (MiB): ${withStall.rssMiB.map((v) => v.toFixed(1)).join(' ')}`);
    console.log(`  ${uptime()}`);
  }

  let mem: MemoryResult | undefined;
  if (RUNS.has('memory')) {
    console.log(`\n${IDLE} idle connections:`);
    mem = await memory();
    console.log(
      `  VmRSS ${mem.rssBeforeMiB} → ${mem.rssAfterMiB} MiB for ${mem.connections} connections (opened in ${mem.openSeconds} s): ` +
        `${mem.perConnectionKiB} KiB each (V8 heap ${mem.heapPerConnectionKiB} KiB, external ${mem.externalPerConnectionKiB} KiB)`,
    );
  }

  const rows: { figure: string; measured: string; target: string; pass?: boolean }[] = [];
  for (const [size, result] of latency) {
    const extra = TARGET.extraP99Ms[size];
    const over = result.clients.p99 - result.floor.p99;
    rows.push({
      figure: `p99 publish → ${size} clients`,
      measured: `${ms(result.clients.p99)} ms (floor ${ms(result.floor.p99)}, ${signed(over)}; p50 ${ms(result.clients.p50)}; paired excess p99 ${ms(result.excess.p99)}; missed ${result.clients.missed})`,
      target: extra === undefined ? '—' : `≤ floor + ${extra} ms`,
      pass: (extra === undefined || over <= extra) && result.clients.missed === 0,
    });
    const bareResult = bareRuns.get(size)!;
    rows.push({
      figure: `(baseline) bare ws fan-out, ${size} clients`,
      measured: `p99 ${ms(bareResult.clients.p99)} ms (floor ${ms(bareResult.floor.p99)}, ${signed(bareResult.clients.p99 - bareResult.floor.p99)}; paired excess p99 ${ms(bareResult.excess.p99)}); CPU ${((bareResult.cpuMsPerSample * 1000) / size).toFixed(1)} µs/client vs gateway ${((result.cpuMsPerSample * 1000) / size).toFixed(1)}`,
      target: '—',
    });
  }
  const stallMove = stall ? stall.with.others.p99 - stall.without.others.p99 : Number.NaN;
  const rssGrowth = stall ? Math.max(...stall.with.rssMiB) - stall.with.rssMiB[0]! : Number.NaN;
  if (stall) {
    rows.push({
      figure: `p99 of ${STALL_SIZE - 1} others, one stalled`,
      measured: `${ms(stall.with.others.p99)} ms vs ${ms(stall.without.others.p99)} ms (${stallMove >= 0 ? '+' : ''}${ms(stallMove)})`,
      target: `moves ≤ ${TARGET.stallP99MovesMs} ms`,
      pass: stallMove <= TARGET.stallP99MovesMs && stall.with.others.missed === 0,
    });
    rows.push({
      figure: 'RSS during the stall',
      measured: `+${rssGrowth.toFixed(1)} MiB max; stalled client closed with ${stall.with.stalledCloseCode ?? 'none'}`,
      target: `≤ +${TARGET.stallRssGrowthMiB} MiB, closed ${CLOSE_TOO_SLOW}`,
      pass: rssGrowth <= TARGET.stallRssGrowthMiB && stall.with.stalledCloseCode === CLOSE_TOO_SLOW,
    });
  }
  if (mem) {
    rows.push({
      figure: `memory per idle connection (${mem.connections})`,
      measured: `${mem.perConnectionKiB} KiB`,
      target: `≤ ${TARGET.idleKiB} KiB`,
      pass: mem.perConnectionKiB <= TARGET.idleKiB && mem.connections === IDLE,
    });
  }

  console.log('\n| figure | measured | target | result |\n| --- | --- | --- | --- |');
  for (const row of rows)
    console.log(
      `| ${row.figure} | ${row.measured} | ${row.target} | ${row.pass === undefined ? 'baseline' : row.pass ? 'PASS' : 'FAIL'} |`,
    );
  const load1 = uptime();
  console.log(`\nload before: ${load0}\nload after:  ${load1}`);

  await gateway.stop();
  if (opts.profile) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
      const summary = summarize(join(profileDir, file), 20);
      console.log(`\nprofile ${file} (${summary.totalMs} ms sampled), top self time:`);
      for (const row of summary.functions) console.log(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.name}  ${row.where}`);
      console.log('  by package:');
      for (const row of summary.buckets) console.log(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.name}`);
      console.log('  inclusive:');
      for (const row of summary.inclusive) console.log(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.name}  ${row.where}`);
    }
  }

  const pick = (r: RunResult) => ({
    p50Ms: round(r.clients.p50, 2),
    p99Ms: round(r.clients.p99, 2),
    excessP50Ms: round(r.excess.p50, 2),
    excessP99Ms: round(r.excess.p99, 2),
    missed: r.clients.missed,
    floorP50Ms: round(r.floor.p50, 2),
    floorP99Ms: round(r.floor.p99, 2),
    ingestP99Ms: round(r.ingest.p99, 2),
    streamP99Ms: round(r.stream.p99, 2),
    cpuMsPerSample: round(r.cpuMsPerSample, 2),
    clientsCpuMsPerSample: round(r.clientsCpuMsPerSample, 2),
    sendLoopMs: round(r.fanOutLoopMs, 2),
    lastReceiptP50Ms: round(r.last.p50, 2),
    supersededInIngest: r.supersededInIngest,
    supersededAtClients: r.supersededAtClients,
  });
  const pickBare = (r: RunResult) => ({
    p50Ms: round(r.clients.p50, 2),
    p99Ms: round(r.clients.p99, 2),
    excessP99Ms: round(r.excess.p99, 2),
    floorP99Ms: round(r.floor.p99, 2),
    cpuMsPerSample: round(r.cpuMsPerSample, 2),
    clientsCpuMsPerSample: round(r.clientsCpuMsPerSample, 2),
    sendLoopMs: round(r.fanOutLoopMs, 2),
    lastReceiptP50Ms: round(r.last.p50, 2),
  });
  printJson({
    bench: 'stream',
    quick: opts.quick,
    samples: SAMPLES,
    intervalMs: INTERVAL_MS,
    latency: Object.fromEntries([...latency].map(([size, r]) => [size, pick(r)])),
    bare: Object.fromEntries([...bareRuns].map(([size, r]) => [size, pickBare(r)])),
    stall: stall && {
      othersP99Ms: round(stall.with.others.p99, 2),
      baselineOthersP99Ms: round(stall.without.others.p99, 2),
      closeCode: stall.with.stalledCloseCode ?? null,
      rssGrowthMiB: round(rssGrowth, 1),
      cpuMsPerSample: round(stall.with.cpuMsPerSample, 2),
      baselineCpuMsPerSample: round(stall.without.cpuMsPerSample, 2),
    },
    memory: mem,
    pass: rows.every((row) => row.pass !== false),
    load: { before: load0, after: load1 },
    ...machineLoad(),
  });
} finally {
  await cleanUp();
}
process.exit(0);
