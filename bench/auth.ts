/**
 * What authentication costs, and what a login burst costs.
 *
 *   node --import tsx bench/auth.ts [--duration 8] [--connections 10] [--rounds 3] [--burst 300]
 *
 * 1. Live read `GET /api/v1/chargepoints/3` on gateways side by side (each its own child process, real
 *    Mosquitto + Redis, rate limits at their maximum so the limiter runs without refusing): one with
 *    authentication switched off in code (`startGateway(..., { authentication: 'off' })`, every request acts
 *    as admin), and two identical ones with it on, read with an access token (bearer) and with an API key. Warm-up, then
 *    alternating runs (the order rotates each round), medians. Target: bearer and API key each ≥ 90 % of the unauthenticated req/s.
 * 2. Login with the production KDF (scrypt N = 2^17, r = 8, p = 1): time per successful login, sequential.
 * 3. Burst of failed logins, the server's CPU time measured from /proc while it lasts:
 *    a) `--burst` attempts at once on one username from one address: the limiter refuses all but the budget
 *       before the KDF runs (the KDF count is the number of 401 answers);
 *    b) the same number spread over as many usernames and addresses (X-Forwarded-For, trusted proxy), so no
 *       per-user or per-address budget applies: the KDF gate keeps hashing to one core and refuses (503) what
 *       does not fit its queue.
 *    Target: the server never uses both cores (peak below 1.5 cores in any 0.5 s window).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { generatePassword } from '../src/auth/password.ts';
import { loadConfig } from '../src/config.ts';
import { startGateway, type Gateway } from '../src/gateway.ts';
import { CYCLE_TOPICS, MESSAGES } from '../test/fixtures/openwb-v2-charging.ts';
import {
  MQTT_URL,
  benchGatewayEnv,
  REPO_ROOT,
  clearRetained,
  cpuSeconds,
  deleteRedisPrefix,
  fmt,
  installReaper,
  isType,
  median,
  nextMessage,
  printJson,
  requireServices,
  round,
  sleep,
  stopChild,
  uniqueId,
} from './lib/common.ts';

const PATH = '/api/v1/chargepoints/3';

interface Ready {
  type: 'ready';
  url: string;
  pid: number;
  apiKey: string;
  accessToken: string;
  username: string;
  password: string;
}

// ---------------------------------------------------------------------------------------------- server child

async function serve(mode: 'on' | 'off'): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async (code = 0) => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => console.error('auth bench server cleanup:', (error as Error).message));
    process.exit(code);
  };
  process.on('message', (message: { type?: string }) => message.type === 'stop' && void stop());
  process.once('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  try {
    const id = uniqueId(`auth_${mode}`);
    const dir = mkdtempSync(join(tmpdir(), 'owg-bench-auth-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => deleteRedisPrefix(`${id}:`));
    const config = loadConfig({
      ...benchGatewayEnv({ prefix: id, dir }),
      // The burst scenario spreads attempts over addresses with X-Forwarded-For.
      TRUST_PROXY: 'loopback',
    });
    const gateway: Gateway = await startGateway(config, undefined, { authentication: mode });
    cleanups.push(() => gateway.close());

    const username = 'bench-user';
    const password = generatePassword();
    await gateway.auth.users.create({ name: username, role: 'user', password, chargepoints: ['3'] });
    const apiKey = (
      await gateway.auth.apiKeys.create({ name: 'bench', scopes: ['read'], userId: (await gateway.auth.users.findByName(username))!.id })
    ).key;
    const login = await fetch(`${gateway.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const { accessToken } = (await login.json()) as { accessToken: string };

    const publisher = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
    cleanups.push(() => clearRetained(MESSAGES.map(([topic]) => `${id}/${topic}`)));
    cleanups.push(() => publisher.endAsync());
    const publish = async (only?: ReadonlySet<string>) => {
      for (const [topic, value] of MESSAGES)
        if (!only || only.has(topic)) await publisher.publishAsync(`${id}/${topic}`, JSON.stringify(value), { retain: true, qos: 1 });
    };
    await publish();
    const deadline = Date.now() + 10_000;
    while ((await fetch(gateway.url + PATH, { headers: { 'x-api-key': apiKey } })).status !== 200) {
      if (Date.now() > deadline) throw new Error('chargepoint 3 was not served within 10 s');
      await sleep(50);
    }
    const cycle = setInterval(() => void publish(CYCLE_TOPICS).catch(() => undefined), 10_000);
    cleanups.push(async () => clearInterval(cycle));
    process.send?.({ type: 'ready', url: gateway.url, pid: process.pid, apiKey, accessToken, username, password } satisfies Ready);
  } catch (error) {
    console.error('auth bench server failed:', error);
    await stop(1);
  }
}

// ---------------------------------------------------------------------------------------------- measurements

interface Server {
  name: string;
  child: ChildProcess;
  ready: Ready;
}

async function startServer(mode: 'on' | 'off', children: ChildProcess[]): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/auth.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_AUTH_SERVER: mode },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const ready = await nextMessage(child, isType<Ready>('ready'), 60_000, `gateway (authentication ${mode})`);
  return { name: mode, child, ready };
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  serverMicrosPerRequest: number;
}

async function load(server: Server, headers: Record<string, string>, durationS: number, connections: number): Promise<Run> {
  const cpu0 = cpuSeconds(server.ready.pid);
  const result = await autocannon({ url: server.ready.url + PATH, connections, duration: durationS, headers });
  const cpu = cpuSeconds(server.ready.pid) - cpu0;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    serverMicrosPerRequest: (cpu * 1e6) / Math.max(1, result.requests.total),
  };
}

async function postLogin(url: string, username: string, password: string, ip?: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(ip ? { 'x-forwarded-for': ip } : {}) },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

interface Burst {
  attempts: number;
  statuses: Record<string, number>;
  kdfRuns: number;
  wallSeconds: number;
  cpuSeconds: number;
  averageCores: number;
  peakCores: number;
}

/** Fires every attempt at once and samples the server's CPU time every 100 ms until all have answered. */
async function burst(server: Server, attempts: number, spread: boolean): Promise<Burst> {
  const pid = server.ready.pid;
  const samples: [number, number][] = [[performance.now(), cpuSeconds(pid)]];
  const sampler = setInterval(() => samples.push([performance.now(), cpuSeconds(pid)]), 100);
  const statuses = await Promise.all(
    Array.from({ length: attempts }, (_v, i) =>
      spread
        ? postLogin(server.ready.url, `spread-${i}`, 'wrong password', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
        : postLogin(server.ready.url, 'victim', 'wrong password'),
    ),
  );
  // Answers that waited out the slow-down are in; let the CPU sampling see the tail.
  await sleep(300);
  clearInterval(sampler);
  samples.push([performance.now(), cpuSeconds(pid)]);
  const [t0, c0] = samples[0]!;
  const [t1, c1] = samples.at(-1)!;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const j = samples.findIndex(([t]) => t >= samples[i]![0] + 500);
    if (j < 0) break;
    peak = Math.max(peak, (samples[j]![1] - samples[i]![1]) / ((samples[j]![0] - samples[i]![0]) / 1000));
  }
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return {
    attempts,
    statuses: counts,
    kdfRuns: counts['401'] ?? 0,
    wallSeconds: round((t1 - t0) / 1000, 2),
    cpuSeconds: round(c1 - c0, 2),
    averageCores: round((c1 - c0) / ((t1 - t0) / 1000), 2),
    peakCores: round(peak, 2),
  };
}

async function main(): Promise<number> {
  const { values: opts } = parseArgs({
    options: {
      duration: { type: 'string', default: '8' },
      connections: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      burst: { type: 'string', default: '300' },
    },
  });
  const duration = Number(opts.duration);
  const connections = Number(opts.connections);
  const rounds = Number(opts.rounds);
  const attempts = Number(opts.burst);
  await requireServices({ mqtt: true, redis: true });
  const children: ChildProcess[] = [];
  installReaper(async () => void (await Promise.all(children.map((c) => stopChild(c, 15_000)))));

  try {
    // One server process per variant, so no run follows another on a server still busy with its garbage.
    const [off, on, onForKeys] = await Promise.all([
      startServer('off', children),
      startServer('on', children),
      startServer('on', children),
    ]);
    const variants: [string, Server, Record<string, string>][] = [
      ['authentication off', off, {}],
      ['bearer token', on, { authorization: `Bearer ${on.ready.accessToken}` }],
      ['API key', onForKeys, { 'x-api-key': onForKeys.ready.apiKey }],
    ];
    console.log(
      `auth bench: GET ${PATH}, ${connections} connections, ${duration} s per run, ${rounds} rounds (warm-up ${opts.warmup} s each)`,
    );
    for (const [, server, headers] of variants) await load(server, headers, Number(opts.warmup), connections);
    const runs = new Map<string, Run[]>(variants.map(([name]) => [name, []]));
    for (let r = 1; r <= rounds; r++) {
      // The order rotates each round, so no variant always runs right after another one's garbage.
      const order = [...variants.slice((r - 1) % variants.length), ...variants.slice(0, (r - 1) % variants.length)];
      for (const [name, server, headers] of order) {
        const run = await load(server, headers, duration, connections);
        runs.get(name)!.push(run);
        console.log(
          `  round ${r} ${name.padEnd(20)} ${fmt(run.rps).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  non-2xx ${run.non2xx}  server ${Math.round(run.serverMicrosPerRequest)} µs/req`,
        );
      }
    }
    const summary = Object.fromEntries(
      [...runs].map(([name, list]) => [
        name,
        {
          reqPerSec: round(median(list.map((r) => r.rps))),
          p99Ms: median(list.map((r) => r.p99)),
          serverMicrosPerRequest: round(median(list.map((r) => r.serverMicrosPerRequest))),
          non2xx: list.reduce((s, r) => s + r.non2xx, 0),
        },
      ]),
    );
    const baseline = summary['authentication off']!.reqPerSec;
    const ratios = {
      bearer: round(summary['bearer token']!.reqPerSec / baseline, 3),
      apiKey: round(summary['API key']!.reqPerSec / baseline, 3),
    };
    console.log('live read (median req/s):');
    for (const [name, s] of Object.entries(summary))
      console.log(
        `  ${name.padEnd(20)} ${fmt(s.reqPerSec).padStart(6)} req/s  p99 ${s.p99Ms} ms  ${s.serverMicrosPerRequest} µs/req  non-2xx ${s.non2xx}`,
      );
    console.log(`  bearer/off ${(ratios.bearer * 100).toFixed(1)} %, API key/off ${(ratios.apiKey * 100).toFixed(1)} % (target ≥ 90 %)`);

    // Logins: sequential, each one hash of the production cost.
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      const status = await postLogin(on.ready.url, on.ready.username, on.ready.password);
      if (status !== 200) throw new Error(`login answered ${status}`);
      times.push(performance.now() - t);
    }
    const loginMs = round(median(times), 1);
    console.log(`login (scrypt N=2^17, r=8, p=1): median ${loginMs} ms per login (${times.map((t) => Math.round(t)).join(', ')} ms)`);

    const oneUser = await burst(on, attempts, false);
    console.log(
      `burst on one username: ${attempts} failed logins at once → ${JSON.stringify(oneUser.statuses)}; KDF ran ${oneUser.kdfRuns} times; ` +
        `server CPU ${oneUser.cpuSeconds} s in ${oneUser.wallSeconds} s (average ${oneUser.averageCores} cores, peak ${oneUser.peakCores} cores in 0.5 s)`,
    );
    const spread = await burst(on, attempts, true);
    console.log(
      `burst over ${attempts} usernames and addresses: → ${JSON.stringify(spread.statuses)}; KDF ran ${spread.kdfRuns} times; ` +
        `server CPU ${spread.cpuSeconds} s in ${spread.wallSeconds} s (average ${spread.averageCores} cores, peak ${spread.peakCores} cores in 0.5 s)`,
    );
    const unprotectedCpu = round((loginMs / 1000) * attempts, 1);
    console.log(
      `  (without the limiter and the gate, ${attempts} hashes would take about ${unprotectedCpu} CPU seconds on up to 4 threads: both cores)`,
    );

    const ok = ratios.bearer >= 0.9 && ratios.apiKey >= 0.9 && oneUser.peakCores < 1.5 && spread.peakCores < 1.5;
    console.log(ok ? 'targets met' : 'TARGET MISSED');
    printJson({ bench: 'auth', liveRead: summary, ratios, loginMs, burstOneUser: oneUser, burstSpread: spread, targetsMet: ok });
    return 0;
  } finally {
    await Promise.all(children.map((c) => stopChild(c, 15_000)));
  }
}

const serverMode = process.env.BENCH_AUTH_SERVER;
if (serverMode === 'on' || serverMode === 'off') await serve(serverMode);
else
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
