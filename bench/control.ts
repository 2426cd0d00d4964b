/**
 * Control latency through the real gateway, real Mosquitto and Redis.
 *
 *   node --import tsx bench/control.ts [--commands 300] [--warmup 30]
 *
 * The gateway runs in a child process (its own core); this process plays openWB (answers set topics like
 * setdata.py: republish to the state topic, clear the set topic), an observer of the broker, and the HTTP
 * client. Per command, sequentially:
 *   A  API call → the set message delivered by the broker (the command published),
 *   B  the confirming state message delivered by the broker → the 200 response complete.
 * Two commands: `PUT …/lock` (one topic) and `PUT …/charge-mode` (read-modify-write of the charge template,
 * chargepoint lock and pending template in Redis). Baselines in the same run: one MQTT hop (publish →
 * delivery, QoS 1) and `GET /api/v1/chargepoints/3` through the same gateway. Gateway overhead ≈ A or B
 * minus one MQTT hop. Target: median and p99 of each under 20 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { loadConfig } from '../src/config.ts';
import { startGateway } from '../src/gateway.ts';
import { chargeTemplate } from '../src/openwb/simulator/catalog.ts';
import {
  MQTT_URL,
  benchGatewayEnv,
  clearRetained,
  deleteRedisPrefix,
  fmt,
  installReaper,
  isType,
  machineLoad,
  median,
  nextMessage,
  printJson,
  requireServices,
  round,
  sleep,
  spawnTs,
  stopChild,
  uniqueId,
} from './lib/common.ts';

interface Ready {
  type: 'ready';
  url: string;
  apiKey: string;
}

// ---------------------------------------------------------------------------------------------- gateway child

async function serve(prefix: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-control-'));
  const config = loadConfig({ ...benchGatewayEnv({ prefix, dir }), OPENWB_GENERATION: '2' });
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

// ---------------------------------------------------------------------------------------------- openWB and observer

const now = () => performance.now();

/**
 * The bench's clients (MQTT 5) acknowledge what they receive (QoS 1) and never get their own messages back
 * (no-local): Mosquitto does not set TCP_NODELAY by default, so a bench client that only received would see
 * its next message held ~40 ms behind its delayed TCP ACK, which is the bench's noise, not the gateway's
 * (the gateway publishes commands on a connection of its own, with TCP_NODELAY, for the same reason).
 */
async function connect(): Promise<MqttClient> {
  return mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0, protocolVersion: 5 });
}

/**
 * Answers chargepoint 3's set topics at once, like setdata.py (republish to the state topic, clear the set
 * topic). It listens on one connection and publishes on another, so neither waits for a delayed TCP ACK.
 */
async function startOpenWb(prefix: string): Promise<{ clients: MqttClient[]; topics: string[] }> {
  const listener = await connect();
  const client = await connect();
  const base = `${prefix}/openWB/chargepoint/3`;
  const topics = [`${prefix}/openWB/system/version`, `${base}/set/manual_lock`, `${base}/set/charge_template`, `${base}/get/power`];
  await client.publishAsync(topics[0]!, '"2.2.2"', { retain: true, qos: 1 });
  await client.publishAsync(`${base}/set/manual_lock`, 'false', { retain: true, qos: 1 });
  await client.publishAsync(`${base}/set/charge_template`, JSON.stringify(chargeTemplate(1, 'Bench', 'instant_charging')), {
    retain: true,
    qos: 1,
  });
  await client.publishAsync(`${base}/get/power`, '0', { retain: true, qos: 1 });
  listener.on('message', (topic, payload) => {
    if (payload.length === 0) return;
    const state = topic.replace(`${prefix}/openWB/set/`, `${prefix}/openWB/`);
    void client.publishAsync(state, payload, { retain: true, qos: 1 }).then(() => client.publishAsync(topic, '', { retain: true, qos: 1 }));
  });
  await listener.subscribeAsync(`${prefix}/openWB/set/chargepoint/3/set/+`, { qos: 1 });
  return { clients: [listener, client], topics };
}

/**
 * A pure subscriber that timestamps when the broker delivers the gateway's set messages and openWB's state
 * messages (the same moment the broker delivers them to openWB and to the gateway).
 */
async function startObserver(
  prefix: string,
): Promise<{ client: MqttClient; setSeen: number[]; stateSeen: number[]; pings: Map<string, number> }> {
  const client = await connect();
  const setSeen: number[] = [];
  const stateSeen: number[] = [];
  const pings = new Map<string, number>();
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/bench/ping')) pings.set(payload.toString(), now());
    else if (payload.length === 0) return;
    else if (topic.includes('/openWB/set/')) setSeen.push(now());
    else stateSeen.push(now());
  });
  const cp = `${prefix}/openWB/chargepoint/3`;
  await client.subscribeAsync(
    [`${prefix}/openWB/set/chargepoint/3/set/+`, `${cp}/set/manual_lock`, `${cp}/set/charge_template`, `${prefix}/bench/ping`],
    { qos: 1 },
  );
  return { client, setSeen, stateSeen, pings };
}

// ---------------------------------------------------------------------------------------------- measurement

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const stats = (values: readonly number[]) => ({
  median: round(median(values), 2),
  p99: round(percentile(values, 99), 2),
  n: values.length,
});

async function commands(
  ready: Ready,
  observer: { setSeen: number[]; stateSeen: number[] },
  path: string,
  bodies: readonly object[],
  count: number,
  warmup: number,
) {
  const a: number[] = [];
  const b: number[] = [];
  const total: number[] = [];
  // The observer sees the retained state on subscribe; count from here.
  await sleep(200);
  for (let i = 0; i < warmup + count; i++) {
    const setBefore = observer.setSeen.length;
    const stateBefore = observer.stateSeen.length;
    const start = now();
    const res = await fetch(`${ready.url}${path}`, {
      method: 'PUT',
      headers: { 'x-api-key': ready.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(bodies[i % bodies.length]),
    });
    await res.arrayBuffer();
    const end = now();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    // The observer's own delivery may come a moment after the gateway's.
    for (let wait = 0; (observer.setSeen[setBefore] === undefined || observer.stateSeen[stateBefore] === undefined) && wait < 1000; wait++)
      await sleep(1);
    const setAt = observer.setSeen[setBefore];
    const stateAt = observer.stateSeen[stateBefore];
    if (setAt === undefined || stateAt === undefined) throw new Error('a set or state message was not seen');
    if (i >= warmup) {
      a.push(setAt - start);
      b.push(end - stateAt);
      total.push(end - start);
    }
  }
  return { apiToPublish: stats(a), stateTo200: stats(b), total: stats(total) };
}

async function mqttHop(client: MqttClient, observer: { pings: Map<string, number> }, prefix: string, count: number) {
  const hops: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = String(i);
    const start = now();
    await client.publishAsync(`${prefix}/bench/ping`, id, { qos: 1 });
    const deadline = Date.now() + 2000;
    while (!observer.pings.has(id) && Date.now() < deadline) await sleep(0);
    hops.push((observer.pings.get(id) ?? Number.NaN) - start);
  }
  return stats(hops);
}

async function getBaseline(ready: Ready, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = now();
    const res = await fetch(`${ready.url}/api/v1/chargepoints/3`, { headers: { 'x-api-key': ready.apiKey } });
    await res.arrayBuffer();
    if (i >= 20) times.push(now() - start);
  }
  return stats(times);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { commands: { type: 'string', default: '300' }, warmup: { type: 'string', default: '30' } } });
  const count = Number(values.commands);
  const warmup = Number(values.warmup);
  await requireServices({ mqtt: true, redis: true });
  const prefix = uniqueId('control');
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  installReaper(cleanup);
  try {
    const openwb = await startOpenWb(prefix);
    cleanups.push(() => Promise.all(openwb.clients.map((c) => c.endAsync())));
    cleanups.push(() => clearRetained(openwb.topics));
    const observer = await startObserver(prefix);
    cleanups.push(() => observer.client.endAsync());
    const child = spawnTs('bench/control.ts', { ipc: true, env: { ...process.env, BENCH_CONTROL_SERVER: prefix } });
    cleanups.push(() => stopChild(child));
    cleanups.push(() => deleteRedisPrefix(`${prefix}:`));
    const ready = await nextMessage(child, isType<Ready>('ready'), 60_000, 'gateway');
    for (
      let tries = 0;
      (await fetch(`${ready.url}/api/v1/chargepoints/3/charge-settings`, { headers: { 'x-api-key': ready.apiKey } })).status !== 200;
      tries++
    ) {
      if (tries > 200) throw new Error('chargepoint 3 was not served within 10 s');
      await sleep(50);
    }

    const lock = await commands(ready, observer, '/api/v1/chargepoints/3/lock', [{ locked: true }, { locked: false }], count, warmup);
    const mode = await commands(
      ready,
      observer,
      '/api/v1/chargepoints/3/charge-mode',
      [{ mode: 'pv' }, { mode: 'instant' }, { mode: 'stop' }],
      count,
      warmup,
    );
    const hop = await mqttHop(openwb.clients[1]!, observer, prefix, count);
    const get = await getBaseline(ready, count + 20);

    const line = (label: string, s: { median: number; p99: number }, overhead?: number) =>
      console.log(
        `  ${label.padEnd(44)} median ${fmt(s.median, 2).padStart(7)} ms   p99 ${fmt(s.p99, 2).padStart(7)} ms${overhead === undefined ? '' : `   (median − MQTT hop: ${fmt(overhead, 2)} ms)`}`,
      );
    console.log(`control latency, ${count} sequential commands each (after ${warmup} warm-up), load ${JSON.stringify(machineLoad())}`);
    console.log('baselines');
    line('MQTT hop (publish QoS 1 → delivery)', hop);
    line('GET /api/v1/chargepoints/3 (round trip)', get);
    console.log('PUT /chargepoints/3/lock');
    line('A: API call → set message on the broker', lock.apiToPublish, lock.apiToPublish.median - hop.median);
    line('B: state message on the broker → 200', lock.stateTo200, lock.stateTo200.median - hop.median);
    line('API call → 200 (with openWB answering)', lock.total);
    console.log('PUT /chargepoints/3/charge-mode (template read-modify-write)');
    line('A: API call → set message on the broker', mode.apiToPublish, mode.apiToPublish.median - hop.median);
    line('B: state message on the broker → 200', mode.stateTo200, mode.stateTo200.median - hop.median);
    line('API call → 200 (with openWB answering)', mode.total);
    const worst = Math.max(lock.apiToPublish.p99, lock.stateTo200.p99, mode.apiToPublish.p99, mode.stateTo200.p99);
    console.log(`target: every median and p99 under 20 ms → ${worst < 20 ? 'met' : `not met (worst p99 ${fmt(worst, 2)} ms)`}`);
    printJson({
      bench: 'control',
      commands: count,
      baselines: { mqttHop: hop, get },
      lock,
      chargeMode: mode,
      targetMet: worst < 20,
      machine: machineLoad(),
    });
  } finally {
    await cleanup();
  }
}

const serverPrefix = process.env.BENCH_CONTROL_SERVER;
if (serverPrefix) {
  serve(serverPrefix).catch((error: unknown) => {
    console.error('control bench server failed:', error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
