/**
 * Ingest throughput: openWB 2.x messages from the real Mosquitto through the gateway's MQTT client, decoder
 * and Ingest into the Redis live store. Target: ≥ 20,000 msg/s sustained with zero loss.
 *
 *   node --import tsx bench/ingest.ts [--messages 200000] [--rate 25000] [--scenarios QOS:RATE[:N],…]
 *   default scenarios: 0:max,0:25000,0:100000,1:max,1:25000,1:5000:50000   (QoS : msg/s or max [: messages])
 *
 * Each scenario runs a fresh gateway (startGateway: real broker, Redis, unique topic and key prefixes, temp
 * SQLite, LOG_LEVEL=silent) in THIS process, subscribing with OPENWB_MQTT_QOS = the scenario's QoS, and a
 * publisher in a CHILD process that sends N non-retained messages at the same QoS to 200 topics
 * (chargepoints 1..100 × get/power, get/imported) with values that grow with every message. `max` publishes
 * as fast as the broker accepts (window of 1,000 unwritten/unacknowledged messages); a number paces the
 * publisher to that many msg/s. The rate is N / (first message received → all N received and
 * `ingest.drained()`), and the run passes when the ingest received exactly N, had no decode errors, and the
 * API serves the last published value of every topic.
 *
 * QoS and the broker: Mosquitto's defaults (max_inflight_messages 20, max_queued_messages 1000,
 * set_tcp_nodelay false) bound what it holds for one subscriber; a publisher that outruns the subscriber's
 * delivery overflows that queue and Mosquitto drops messages (it logs "Outgoing messages are being dropped").
 * The bench starts its own Mosquitto (default limits; `--tuned`: unlimited queues and TCP_NODELAY) and reads
 * CPU and "dropped" warnings from that process (bench/lib/broker.ts); with BENCH_MQTT_URL it measures that
 * broker instead (its log from BENCH_MQTT_LOG).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { startGateway, type Gateway } from '../src/gateway.ts';
import { benchBroker, type BenchBroker } from './lib/broker.ts';
import {
  REDIS_URL,
  cpuSeconds,
  deleteRedisPrefix,
  fmt,
  installReaper,
  isType,
  machineLoad,
  nextMessage,
  printJson,
  requireServices,
  round,
  sleep,
  spawnTs,
  stopChild,
  uniqueId,
} from './lib/common.ts';
import { CHARGEPOINTS, TOPICS, lastMessages } from './lib/ingest-messages.ts';

const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '25000' },
    scenarios: { type: 'string' },
    window: { type: 'string', default: '1000' },
    tuned: { type: 'boolean', default: false },
  },
});
const N = Number(opts.messages);
const PACED_RATE = Number(opts.rate);
const TARGET_RATE = 20_000;
interface Scenario {
  qos: 0 | 1;
  /** msg/s, 0 = unpaced. */
  rate: number;
  n: number;
}
const SCENARIOS: Scenario[] = (opts.scenarios ?? `0:max,0:${PACED_RATE},0:100000,1:max,1:${PACED_RATE},1:5000:50000`)
  .split(',')
  .map((spec) => {
    const [qos, rate, n] = spec.split(':');
    const count = n === undefined ? N : Number(n);
    if ((qos !== '0' && qos !== '1') || !rate || (rate !== 'max' && !(Number(rate) > 0)) || !(count > 0 && count <= 2_000_000)) {
      throw new Error(`bad scenario ${spec}: use QOS:max or QOS:RATE, optionally :MESSAGES (≤ 2,000,000)`);
    }
    return { qos: Number(qos) as 0 | 1, rate: rate === 'max' ? 0 : Number(rate), n: count };
  });

let active: { gateway?: Gateway; publisher?: ChildProcess; redisPrefix: string; dir: string } | undefined;
async function cleanupActive(): Promise<void> {
  const current = active;
  active = undefined;
  if (!current) return;
  if (current.publisher) await stopChild(current.publisher);
  if (current.gateway) await current.gateway.close().catch(() => undefined);
  await deleteRedisPrefix(current.redisPrefix).catch((error: unknown) =>
    console.error(`Redis clean-up failed: ${(error as Error).message}`),
  );
  rmSync(current.dir, { recursive: true, force: true });
}
installReaper(cleanupActive);

interface ScenarioResult {
  qos: 0 | 1;
  publisherPacedAt: number | 'max';
  messages: number;
  received: number;
  lost: number;
  decodeErrors: number;
  wrongValues: number;
  msgPerSec: number;
  seconds: number;
  publisherMsgPerSec: number;
  publisherCpuPercent: number;
  gatewayCpuPercent: number;
  gatewayCpuMicrosPerMsg: number;
  mosquittoCpuPercent?: number;
  redisCpuPercent?: number;
  mosquittoDropWarnings?: number;
  zeroLoss: boolean;
  pass: boolean;
  error?: string;
}

async function runScenario({ qos, rate, n: N }: Scenario, broker: BenchBroker, redisPid: number | undefined): Promise<ScenarioResult> {
  const id = uniqueId('ingest');
  const topicPrefix = `${id}/`;
  const redisPrefix = `${id}:`;
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-ingest-'));
  active = { redisPrefix, dir };
  const label = `QoS ${qos}, publisher ${rate ? `paced at ${fmt(rate)} msg/s` : 'unpaced (max)'}`;
  console.log(`\n${label}: ${fmt(N)} messages to ${TOPICS} topics (chargepoints 1..${CHARGEPOINTS})`);

  const gateway = await startGateway(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      OPENWB_MQTT_URL: broker.url,
      OPENWB_MQTT_QOS: String(qos),
      OPENWB_TOPIC_PREFIX: topicPrefix,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
    }),
  );
  active.gateway = gateway;
  const apiKey = (await gateway.apiKeys.create({ name: 'bench-read', scopes: ['read'] })).key;

  const publisher = spawnTs('bench/lib/mqtt-publisher.ts', {
    ipc: true,
    env: {
      ...process.env,
      BENCH_PUB: JSON.stringify({ url: broker.url, prefix: topicPrefix, n: N, qos, rate, window: Number(opts.window), timeoutMs: 90_000 }),
    },
  });
  active.publisher = publisher;
  await nextMessage(publisher, isType<{ type: 'ready' }>('ready'), 30_000, 'the publisher to connect');

  // The gateway subscribes on connect; probe until a message arrives, then let the probes settle.
  publisher.send({ type: 'probe' });
  for (const deadline = Date.now() + 10_000; gateway.ingest.snapshot().messagesReceived === 0; await sleep(20)) {
    if (Date.now() > deadline) throw new Error('the gateway received no probe message within 10 s (not subscribed?)');
  }
  publisher.send({ type: 'stop-probe' });
  await nextMessage(publisher, isType<{ type: 'probe-stopped' }>('probe-stopped'), 10_000, 'the probes to stop');
  await sleep(300);
  await gateway.ingest.drained();
  const base = gateway.ingest.snapshot();

  const logMark = broker.logMark();
  const done = nextMessage(
    publisher,
    (
      m: unknown,
    ): m is { type: 'done' | 'failed'; published?: number; seconds?: number; rate?: number; cpuSeconds?: number; error?: string } =>
      isType<{ type: 'done' }>('done')(m) || isType<{ type: 'failed' }>('failed')(m),
    120_000,
    'the publisher to finish',
  );
  let publisherResult: Awaited<typeof done> | undefined;
  void done.then((r) => (publisherResult = r)).catch(() => undefined);

  const cpu0 = process.cpuUsage();
  const mosq0 = broker.pid ? cpuSeconds(broker.pid) : Number.NaN;
  const redis0 = redisPid ? cpuSeconds(redisPid) : Number.NaN;
  const wall0 = performance.now();
  publisher.send({ type: 'go' });

  // Watch the counter: first message → all N (or no progress for 3 s after the publisher finished).
  let firstAt: number | undefined;
  let lastProgressAt = performance.now();
  let lastCount = 0;
  const hardDeadline = performance.now() + 100_000;
  const received = () => gateway.ingest.snapshot().messagesReceived - base.messagesReceived;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const count = received();
      const now = performance.now();
      if (firstAt === undefined && count > 0) firstAt = now;
      if (count !== lastCount) {
        lastCount = count;
        lastProgressAt = now;
      }
      const stalled = publisherResult !== undefined && now - lastProgressAt > 3_000;
      if (count >= N || stalled || now > hardDeadline) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await gateway.ingest.drained();
  // With loss, the run ends 3 s after the last message arrived: time it to that last message instead.
  const endAt = lastCount >= N ? performance.now() : lastProgressAt;
  const cpu = process.cpuUsage(cpu0);
  const wall = (endAt - wall0) / 1000;
  const mosquittoCpu = broker.pid ? (cpuSeconds(broker.pid) - mosq0) / wall : undefined;
  const redisCpu = redisPid ? (cpuSeconds(redisPid) - redis0) / wall : undefined;
  const pub = publisherResult ?? (await done.catch((error: unknown) => ({ type: 'failed' as const, error: (error as Error).message })));
  const snapshot = gateway.ingest.snapshot();
  const count = snapshot.messagesReceived - base.messagesReceived;
  const decodeErrors = snapshot.decodeErrors - base.decodeErrors;
  const seconds = firstAt === undefined ? Number.NaN : (endAt - firstAt) / 1000;

  // Every topic's last published value, through the API (the live store behind it is Redis).
  let wrongValues = 0;
  const expected = new Map<string, Map<string, number>>();
  for (const m of lastMessages(N)) {
    const fields = expected.get(m.chargepoint) ?? new Map<string, number>();
    fields.set(m.field, m.value);
    expected.set(m.chargepoint, fields);
  }
  const examples: string[] = [];
  for (const [cp, fields] of expected) {
    const res = await fetch(`${gateway.url}/api/v1/chargepoints/${cp}`, { headers: { 'x-api-key': apiKey } });
    const body = (res.ok ? await res.json() : {}) as Record<string, unknown>;
    for (const [field, value] of fields) {
      if (body[field] !== value) {
        wrongValues++;
        if (examples.length < 3) examples.push(`chargepoint ${cp} ${field}: ${String(body[field])} ≠ ${value}`);
      }
    }
  }
  const drops = broker.droppedWarnings(logMark, 'openwb-gateway');

  const zeroLoss = count === N && decodeErrors === 0 && wrongValues === 0;
  const rateReceived = N / seconds;
  const result: ScenarioResult = {
    qos,
    publisherPacedAt: rate || 'max',
    messages: N,
    received: count,
    lost: N - count,
    decodeErrors,
    wrongValues,
    msgPerSec: zeroLoss ? round(rateReceived) : round(count / seconds),
    seconds: round(seconds, 3),
    publisherMsgPerSec: pub.type === 'done' ? round(pub.rate ?? Number.NaN) : Number.NaN,
    publisherCpuPercent: pub.type === 'done' ? round(((pub.cpuSeconds ?? 0) / (pub.seconds ?? 1)) * 100) : Number.NaN,
    gatewayCpuPercent: round(((cpu.user + cpu.system) / 1e6 / wall) * 100),
    gatewayCpuMicrosPerMsg: round((cpu.user + cpu.system) / Math.max(1, count), 1),
    ...(mosquittoCpu !== undefined ? { mosquittoCpuPercent: round(mosquittoCpu * 100) } : {}),
    ...(redisCpu !== undefined ? { redisCpuPercent: round(redisCpu * 100) } : {}),
    ...(drops !== undefined ? { mosquittoDropWarnings: drops } : {}),
    zeroLoss,
    pass: zeroLoss && rateReceived >= TARGET_RATE,
    ...(pub.type === 'failed' ? { error: pub.error } : {}),
  };

  console.log(
    `  received   ${fmt(count)} / ${fmt(N)}  lost ${fmt(N - count)}  decode errors ${decodeErrors}  wrong final values ${wrongValues}/${TOPICS}${examples.length ? ` (${examples.join('; ')})` : ''}`,
  );
  console.log(
    `  ingest     ${fmt(result.msgPerSec)} msg/s${zeroLoss ? '' : ' (of what arrived)'} over ${seconds.toFixed(2)} s, first message → all received and drained to Redis`,
  );
  console.log(
    `  publisher  ${fmt(result.publisherMsgPerSec)} msg/s (own process, ${result.publisherCpuPercent} % cpu)${pub.type === 'failed' ? `  FAILED: ${pub.error}` : ''}`,
  );
  console.log(
    `  cpu        gateway ${result.gatewayCpuPercent} % (${result.gatewayCpuMicrosPerMsg} µs/msg), mosquitto ${result.mosquittoCpuPercent ?? '?'} %, redis ${result.redisCpuPercent ?? '?'} %` +
      (drops !== undefined ? `; mosquitto "dropped" warnings for the gateway: ${drops}` : ''),
  );
  console.log(
    `  → ${zeroLoss ? 'zero loss' : 'LOSS'}${zeroLoss ? `, ${rateReceived >= TARGET_RATE ? 'at or above' : 'below'} the ${fmt(TARGET_RATE)} msg/s target` : ''}`,
  );

  await cleanupActive();
  return result;
}

const loadAtStart = machineLoad();

/** The pid of the Redis server the bench talks to, when it runs on this machine (INFO's process_id). */
async function localRedisPid(): Promise<number | undefined> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(REDIS_URL).hostname)) return undefined;
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    return Number.isFinite(cpuSeconds(pid)) ? pid : undefined;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<number> {
  await requireServices({ mqtt: Boolean(process.env.BENCH_MQTT_URL), redis: true });
  const broker = await benchBroker({ tuned: opts.tuned });
  const redisPid = await localRedisPid();
  console.log(
    `ingest bench: broker ${broker.label}, Redis ${REDIS_URL} (pid ${redisPid ?? 'not on this machine'}), ${SCENARIOS.length} scenarios, ` +
      `target ≥ ${fmt(TARGET_RATE)} msg/s with zero loss; ${loadAtStart.cores} cores, load average ${loadAtStart.loadAvg1m}`,
  );

  try {
    return await runScenarios(broker, redisPid);
  } finally {
    await broker.close();
  }
}

async function runScenarios(broker: BenchBroker, redisPid: number | undefined): Promise<number> {
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    try {
      results.push(await runScenario(scenario, broker, redisPid));
    } catch (error) {
      console.error(`  scenario failed: ${(error as Error).message}`);
      await cleanupActive();
      results.push({
        qos: scenario.qos,
        publisherPacedAt: scenario.rate || 'max',
        messages: scenario.n,
        received: 0,
        lost: scenario.n,
        decodeErrors: 0,
        wrongValues: 0,
        msgPerSec: 0,
        seconds: 0,
        publisherMsgPerSec: 0,
        publisherCpuPercent: 0,
        gatewayCpuPercent: 0,
        gatewayCpuMicrosPerMsg: 0,
        zeroLoss: false,
        pass: false,
        error: (error as Error).message,
      });
      console.error('  (setup failed: skipping the remaining scenarios)');
      break;
    }
  }

  console.log('\nsummary');
  for (const r of results) {
    console.log(
      `  QoS ${r.qos}  publisher ${String(r.publisherPacedAt === 'max' ? 'max' : fmt(r.publisherPacedAt)).padStart(6)}  ` +
        `ingest ${fmt(r.msgPerSec).padStart(7)} msg/s  publisher ${fmt(r.publisherMsgPerSec).padStart(7)} msg/s  ` +
        `lost ${fmt(r.lost).padStart(7)} of ${fmt(r.messages)}  ${r.zeroLoss ? 'zero loss' : 'LOSS'}${r.error ? `  error: ${r.error.split('\n')[0]}` : ''}`,
    );
  }
  const best = results.filter((r) => r.zeroLoss).sort((a, b) => b.msgPerSec - a.msgPerSec)[0];
  const bestOf = (qos: 0 | 1) =>
    results.filter((r) => r.zeroLoss && r.qos === qos).sort((a, b) => b.msgPerSec - a.msgPerSec)[0]?.msgPerSec ?? 0;
  const pass = (best?.msgPerSec ?? 0) >= TARGET_RATE;
  console.log(
    best
      ? `  best zero-loss rate: ${fmt(best.msgPerSec)} msg/s (QoS ${best.qos}, publisher ${best.publisherPacedAt === 'max' ? 'unpaced' : `paced at ${fmt(best.publisherPacedAt)}`}); ` +
          `QoS 0 ${fmt(bestOf(0))}, QoS 1 ${fmt(bestOf(1))}  → ${pass ? 'PASS' : 'MISS'} (target ≥ ${fmt(TARGET_RATE)} msg/s, zero loss)`
      : '  no scenario had zero loss → MISS',
  );
  printJson({
    bench: 'ingest',
    machineAtStart: loadAtStart,
    machineAtEnd: machineLoad(),
    topics: TOPICS,
    targetMsgPerSec: TARGET_RATE,
    scenarios: results,
    bestZeroLossMsgPerSec: best?.msgPerSec ?? 0,
    bestZeroLossMsgPerSecQos0: bestOf(0),
    bestZeroLossMsgPerSecQos1: bestOf(1),
    pass,
  });
  return results.some((r) => r.error) ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`ingest bench failed: ${(error as Error).message}`);
} finally {
  await cleanupActive();
}
process.exit(code);
