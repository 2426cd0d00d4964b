/**
 * HTTP read path: GET /api/v1/chargepoints/3 through the real gateway (Express 5 + security + OpenAPI
 * request validation + Redis live store) versus a bare Express 5 app that answers the gateway's exact
 * response bytes. Target: gateway/bare ≥ 0.70 of the median req/s, and no non-2xx answers.
 *
 *   node --import tsx bench/http.ts [--duration 10] [--connections 10] [--rounds 3]
 *                                   [--memory-variant] [--profile | --no-profile] [--profile-out FILE.cpuprofile]
 *                                   [--alloc]
 *
 * Setup: every server runs in its own child process and autocannon runs in this process, so on the 2-core
 * machine the server under load gets a core and the load generator the other (Redis and Mosquitto share
 * what is left). Runs alternate bare, gateway, … after a warm-up of each, and the
 * median of the rounds is reported. Server and client CPU use is printed so a client-bound run shows.
 * When the ratio misses the target (or with --profile) the gateway is profiled under the same load and the
 * top self-time functions are printed. --alloc samples the heap of the bare app and the gateway over 20,000
 * requests each and prints the bytes a request allocates (garbage included) and where: a figure that does
 * not move with machine noise, and what the garbage collector's share follows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { Redis } from 'ioredis';
import { summarize } from './lib/cpuprofile.ts';
import { summarizeAllocations, type AllocationSummary } from './lib/heapprofile.ts';
import {
  REDIS_URL,
  cpuSeconds,
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
} from './lib/common.ts';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'profile-out': { type: 'string' },
    'memory-variant': { type: 'boolean', default: false },
    alloc: { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(opts.duration);
const CONNECTIONS = Number(opts.connections);
const ROUNDS = Number(opts.rounds);
const WARMUP_S = Number(opts.warmup);
const TARGET_RATIO = 0.7;
const PATH = '/api/v1/chargepoints/3';

interface Ready {
  type: 'ready';
  url: string;
  apiKey?: string;
  pid: number;
}
interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  pid: number;
}

const servers: Server[] = [];
const profileDir = mkdtempSync(join(tmpdir(), 'owg-bench-prof-'));
async function cleanup(): Promise<void> {
  await Promise.all(servers.map((s) => stopChild(s.child, 15_000)));
  rmSync(profileDir, { recursive: true, force: true });
}
installReaper(cleanup);

async function startServer(name: string, env: Record<string, string>): Promise<Server & { apiKey?: string }> {
  const child = spawnTs('bench/lib/http-server.ts', { ipc: true, env: { ...process.env, ...env } });
  const ready = await nextMessage(child, isType<Ready>('ready'), 60_000, `${name} server to start`);
  const server = { name, child, url: ready.url, pid: ready.pid, apiKey: ready.apiKey };
  servers.push(server);
  return server;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  serverCpu: number;
  redisCpu: number;
  clientCpu: number;
  bytes: number;
  /** Server VmRSS after the run, MiB (growth across runs hints at a leak). */
  rssMiB: number;
}

/** Redis's own pid (same machine), to show its CPU share during the runs. */
async function redisProcessId(): Promise<number | undefined> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
    return pid && Number.isFinite(cpuSeconds(Number(pid))) ? Number(pid) : undefined;
  } finally {
    redis.disconnect();
  }
}

async function load(server: Server, apiKey: string, durationS: number, redisPid?: number): Promise<Run> {
  const cpu0 = cpuSeconds(server.pid);
  const redis0 = redisPid ? cpuSeconds(redisPid) : Number.NaN;
  const client0 = process.cpuUsage();
  const started = performance.now();
  const result: Result = await autocannon({
    url: server.url + PATH,
    connections: CONNECTIONS,
    duration: durationS,
    pipelining: 1,
    headers: { 'x-api-key': apiKey },
  });
  const wall = (performance.now() - started) / 1000;
  const client = process.cpuUsage(client0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpu: (cpuSeconds(server.pid) - cpu0) / wall,
    redisCpu: redisPid ? (cpuSeconds(redisPid) - redis0) / wall : Number.NaN,
    clientCpu: (client.user + client.system) / 1e6 / wall,
    bytes: result.throughput.total / Math.max(1, result.requests.total),
    rssMiB: rssMiB(server.pid),
  };
}

const line = (name: string, r: Run) =>
  `  ${name.padEnd(22)} ${fmt(r.rps).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  ` +
  `non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}  cpu: server ${Math.round(r.serverCpu * 100)} % (${Math.round((r.serverCpu * 1e6) / r.rps)} µs/req), ` +
  `autocannon ${Math.round(r.clientCpu * 100)} %, redis ${Math.round(r.redisCpu * 100)} %; server rss ${Math.round(r.rssMiB)} MiB`;

function aggregate(runs: Run[]) {
  return {
    runs: runs.length,
    reqPerSec: round(median(runs.map((r) => r.rps))),
    reqPerSecAll: runs.map((r) => round(r.rps)),
    p50Ms: median(runs.map((r) => r.p50)),
    p99Ms: median(runs.map((r) => r.p99)),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors + r.timeouts, 0),
    serverCpuPercent: round(median(runs.map((r) => r.serverCpu * 100))),
    serverCpuMicrosPerRequest: round(median(runs.map((r) => (r.serverCpu * 1e6) / r.rps))),
    redisCpuPercent: round(median(runs.map((r) => r.redisCpu * 100))),
    clientCpuPercent: round(median(runs.map((r) => r.clientCpu * 100))),
    serverRssMiBAfterRuns: runs.map((r) => round(r.rssMiB, 1)),
  };
}

const loadAtStart = machineLoad();

async function main(): Promise<number> {
  await requireServices({ mqtt: true, redis: true });
  console.log(
    `http bench: GET ${PATH}, ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} rounds (warm-up ${WARMUP_S} s each); ` +
      `${loadAtStart.cores} cores, load average ${loadAtStart.loadAvg1m}`,
  );

  const [gateway, memory] = await Promise.all([
    startServer('gateway', { BENCH_SERVER_MODE: 'gateway' }),
    opts['memory-variant'] ? startServer('gateway(memory store)', { BENCH_SERVER_MODE: 'gateway', BENCH_STORE: 'memory' }) : undefined,
  ]);
  const redisPid = await redisProcessId();
  const apiKey = gateway.apiKey as string;

  // The bare app answers exactly the bytes the gateway answers.
  const res = await fetch(gateway.url + PATH, { headers: { 'x-api-key': apiKey } });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${body.toString()}`);
  const contentType = res.headers.get('content-type') ?? 'application/json';
  const bare = await startServer('bare', {
    BENCH_SERVER_MODE: 'bare',
    BENCH_BODY_B64: body.toString('base64'),
    BENCH_CONTENT_TYPE: contentType,
  });
  const bareBody = Buffer.from(await (await fetch(bare.url + PATH)).arrayBuffer());
  if (!bareBody.equals(body)) throw new Error('the bare app does not answer the gateway bytes');
  console.log(`response: 200, ${body.length} bytes, ${contentType}: ${body.toString().slice(0, 120)}…`);

  const targets: [Server, string][] = [
    [bare, apiKey],
    [gateway, apiKey],
    ...(memory ? [[memory, memory.apiKey as string] as [Server, string]] : []),
  ];
  for (const [server, key] of targets) await load(server, key, WARMUP_S, redisPid);

  const runs = new Map<string, Run[]>(targets.map(([s]) => [s.name, []]));
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    console.log(`round ${round_}/${ROUNDS}`);
    for (const [server, key] of targets) {
      const run = await load(server, key, DURATION_S, redisPid);
      runs.get(server.name)?.push(run);
      console.log(line(server.name, run));
    }
  }

  const b = aggregate(runs.get('bare') ?? []);
  const g = aggregate(runs.get('gateway') ?? []);
  const m = memory ? aggregate(runs.get('gateway(memory store)') ?? []) : undefined;
  const ratio = g.reqPerSec / b.reqPerSec;
  const others = [m].filter((x) => x !== undefined);
  const clean = [b, g, ...others].every((x) => x.non2xx === 0 && x.errors === 0);

  console.log('\nmedians');
  const summary = (label: string, x: ReturnType<typeof aggregate>, note = '') =>
    console.log(
      `  ${label.padEnd(22)} ${fmt(x.reqPerSec).padStart(7)} req/s  p50 ${x.p50Ms} ms  p99 ${x.p99Ms} ms  non-2xx ${x.non2xx}  ` +
        `server cpu ${x.serverCpuPercent} % = ${x.serverCpuMicrosPerRequest} µs/req${note}`,
    );
  summary('bare Express 5', b);
  summary('gateway', g);
  if (m) summary('gateway(memory store)', m, `  (diagnostic: no Redis; ${round(m.reqPerSec / b.reqPerSec, 2)} of bare)`);
  const cpuRatio = b.serverCpuMicrosPerRequest / g.serverCpuMicrosPerRequest;
  console.log(`  ratio gateway/bare      ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'PASS' : 'MISS'}`);
  console.log(
    `  server CPU per request  bare ${b.serverCpuMicrosPerRequest} µs / gateway ${g.serverCpuMicrosPerRequest} µs = ${cpuRatio.toFixed(2)} (same ratio from CPU cost, less sensitive to machine noise)`,
  );
  console.log(`  non-2xx / errors        ${clean ? '0 (PASS)' : 'FAIL: some requests did not answer 2xx'}`);

  let profile: ReturnType<typeof summarize> | undefined;
  if (opts.profile || (ratio < TARGET_RATIO && !opts['no-profile'])) {
    console.log(
      `\nprofiling the gateway process under the same load (${DURATION_S} s, inspector CPU profiler, 1 ms sampling as node --cpu-prof)…`,
    );
    const file = opts['profile-out'] ? resolve(opts['profile-out']) : join(profileDir, 'gateway.cpuprofile');
    gateway.child.send({ type: 'profile-start' });
    await nextMessage(gateway.child, isType<{ type: 'profile-started' }>('profile-started'), 10_000, 'the profiler to start');
    const run = await load(gateway, apiKey, DURATION_S, redisPid);
    gateway.child.send({ type: 'profile-stop', file });
    await nextMessage(gateway.child, isType<{ type: 'profile-written' }>('profile-written'), 30_000, 'the profile');
    console.log(line('gateway (profiled)', run));
    profile = summarize(file, 20);
    console.log(`top self time (of ${fmt(profile.totalMs)} ms sampled, idle included):`);
    for (const row of profile.functions) console.log(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.name}  ${row.where}`);
    console.log('self time by package:');
    for (const row of profile.buckets) console.log(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.name}`);
    console.log('inclusive time (JS frames outside node core):');
    for (const row of profile.inclusive) console.log(`  ${row.percent.toFixed(1).padStart(5)} %  ${row.name}  ${row.where}`);
    if (opts['profile-out']) console.log(`profile written to ${file}`);
  }

  const allocations: Record<string, AllocationSummary> = {};
  if (opts.alloc) {
    const requests = 20_000;
    console.log(`\nallocation per request (sampling heap profiler, ${fmt(requests)} requests each, garbage included):`);
    for (const [server, key] of [
      [bare, apiKey],
      [gateway, apiKey],
    ] as const) {
      const file = join(profileDir, `${server.name}.heapprofile`);
      server.child.send({ type: 'heap-start' });
      await nextMessage(server.child, isType<{ type: 'profile-started' }>('profile-started'), 10_000, 'the heap profiler to start');
      await autocannon({ url: server.url + PATH, connections: CONNECTIONS, amount: requests, headers: { 'x-api-key': key } });
      server.child.send({ type: 'heap-stop', file });
      await nextMessage(server.child, isType<{ type: 'profile-written' }>('profile-written'), 60_000, 'the heap profile');
      const summary = summarizeAllocations(file, requests);
      allocations[server.name] = summary;
      console.log(`  ${server.name.padEnd(8)} ${fmt(summary.bytesPerRequest).padStart(7)} bytes/request; most from:`);
      for (const row of summary.top) console.log(`  ${fmt(row.bytesPerRequest).padStart(16)}  ${row.name}`);
    }
  }

  printJson({
    bench: 'http',
    machineAtStart: loadAtStart,
    machineAtEnd: machineLoad(),
    path: PATH,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    responseBytes: body.length,
    bare: b,
    gateway: g,
    ...(m ? { gatewayMemoryStore: m } : {}),
    ratio: round(ratio, 3),
    cpuCostRatio: round(cpuRatio, 3),
    targetRatio: TARGET_RATIO,
    pass: ratio >= TARGET_RATIO && clean,
    ...(profile ? { profileTop: profile.functions.slice(0, 10), profileByPackage: profile.buckets.slice(0, 8) } : {}),
    ...(opts.alloc ? { allocations } : {}),
  });
  return clean ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`http bench failed: ${(error as Error).message}`);
} finally {
  await cleanup();
}
process.exit(code);
