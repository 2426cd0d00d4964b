/**
 * Child process for bench/http.ts: serves either the real gateway (BENCH_SERVER_MODE=gateway) or a bare
 * Express 5 app answering one constant body (BENCH_SERVER_MODE=bare). Talks to the parent over IPC:
 *
 *   child → parent  { type: 'ready', url, apiKey?, pid }
 *   parent → child  { type: 'profile-start' } / { type: 'profile-stop', file }  → { type: 'profile-written', file }
 *   parent → child  { type: 'heap-start' } / { type: 'heap-stop', file }  (sampling heap profile, same replies)
 *   parent → child  { type: 'stop' }  (SIGTERM and a lost parent do the same): clean up and exit
 *
 * Gateway mode: real Mosquitto + Redis, unique topic and key prefixes, temp SQLite, LOG_LEVEL=silent,
 * rate limits at their maximum (so the limiter runs but never refuses), everything else at its default. Chargepoint 3 is put into the
 * live store by publishing the retained openWB 2.x state to the broker; while running, openWB's cycle is
 * imitated by republishing the measured values every 10 s (so the data never goes stale mid-bench).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import mqtt from 'mqtt';
import type { Gateway } from '../../src/gateway.ts';
import { MQTT_URL, benchGatewayEnv, clearRetained, deleteRedisPrefix, sleep, uniqueId } from './common.ts';
import { CYCLE_TOPICS, MESSAGES } from '../../test/fixtures/openwb-v2-charging.ts';

const mode = process.env.BENCH_SERVER_MODE;
const send = (message: object) => process.send?.(message);
const cleanups: (() => Promise<unknown>)[] = [];
let stopping = false;

async function stop(code = 0): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => console.error('bench server cleanup:', (error as Error).message));
  }
  process.exit(code);
}

let session: Session | undefined;

/** Starts a profiler in this process over the inspector protocol: `setup` enables and starts it. */
async function startProfiler(setup: (session: Session) => Promise<unknown>): Promise<void> {
  session = new Session();
  session.connect();
  await setup(session);
  send({ type: 'profile-started' });
}

async function writeProfile(stop: (session: Session) => Promise<{ profile: object }>, file: string): Promise<void> {
  const { profile } = await stop(session!);
  writeFileSync(file, JSON.stringify(profile));
  session!.disconnect();
  send({ type: 'profile-written', file });
}

process.on('message', (message: { type?: string; file?: string }) => {
  if (message.type === 'stop') void stop();
  if (message.type === 'profile-start') {
    void startProfiler(async (s) => {
      await s.post('Profiler.enable');
      await s.post('Profiler.setSamplingInterval', { interval: 1000 });
      await s.post('Profiler.start');
    });
  }
  if (message.type === 'profile-stop' && session && message.file) void writeProfile((s) => s.post('Profiler.stop'), message.file);
  if (message.type === 'heap-start') {
    void startProfiler(async (s) => {
      await s.post('HeapProfiler.enable');
      // Garbage included: what a request allocates, not what survives it.
      await s.post('HeapProfiler.startSampling', {
        samplingInterval: 256,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
    });
  }
  if (message.type === 'heap-stop' && session && message.file) void writeProfile((s) => s.post('HeapProfiler.stopSampling'), message.file);
});
process.once('disconnect', () => void stop());
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

async function startBare(): Promise<void> {
  const body = Buffer.from(process.env.BENCH_BODY_B64 ?? '', 'base64');
  const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/json; charset=utf-8';
  const app = express();
  // Same app settings as the gateway (src/app.ts), so the difference is the gateway's own work.
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/api/v1/chargepoints/:chargepointId', (_req, res) => {
    res.set('Cache-Control', 'no-store').type(contentType).send(body);
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()));
  const { port } = server.address() as AddressInfo;
  send({ type: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid });
}

async function startGatewayServer(): Promise<void> {
  // Imported here, so the bare process does not load (and carry the heap of) the gateway's modules.
  const { loadConfig } = await import('../../src/config.ts');
  const { startGateway } = await import('../../src/gateway.ts');
  const id = uniqueId('http');
  const topicPrefix = `${id}/`;
  const redisKeyPrefix = `${id}:`;
  const dir = mkdtempSync(join(tmpdir(), 'owg-bench-http-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => deleteRedisPrefix(redisKeyPrefix));

  // BENCH_STORE=memory: the in-memory live store instead of Redis (diagnostic variant only).
  const config = loadConfig(benchGatewayEnv({ prefix: id, dir, redis: process.env.BENCH_STORE !== 'memory' }));
  const gateway: Gateway = await startGateway(config);
  cleanups.push(() => gateway.close());
  const apiKey = (await gateway.apiKeys.create({ name: 'bench-read', scopes: ['read'] })).key;

  // The openWB side: retained topics on the real broker, cleared again on exit.
  const publisher = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0, connectTimeout: 5_000 });
  const retained = MESSAGES.map(([topic]) => topicPrefix + topic);
  cleanups.push(() => clearRetained(retained));
  cleanups.push(() => publisher.endAsync());
  const publishAll = async (only?: ReadonlySet<string>) => {
    for (const [topic, value] of MESSAGES) {
      if (!only || only.has(topic)) await publisher.publishAsync(topicPrefix + topic, JSON.stringify(value), { retain: true, qos: 1 });
    }
  };
  await publishAll();

  // Wait until the last published value has arrived and chargepoint 3 is served (bounded: 10 s).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [site, cp] = await Promise.all(
      ['/api/v1/site', '/api/v1/chargepoints/3'].map((path) =>
        fetch(gateway.url + path, { headers: { 'x-api-key': apiKey } }).then(async (res) =>
          res.ok ? ((await res.json()) as Record<string, unknown>) : undefined,
        ),
      ),
    );
    const home = site?.home as { energyToday?: number } | undefined;
    if (home?.energyToday === 6120 && cp?.rfidTag === '04A1B2C3') break;
    if (Date.now() > deadline) throw new Error('the gateway did not serve chargepoint 3 within 10 s of publishing it');
    await sleep(50);
  }

  const cycle = setInterval(() => void publishAll(CYCLE_TOPICS).catch(() => undefined), 10_000);
  cleanups.push(async () => clearInterval(cycle));
  send({ type: 'ready', url: gateway.url, apiKey, pid: process.pid });
}

try {
  if (mode === 'bare') await startBare();
  else if (mode === 'gateway') await startGatewayServer();
  else throw new Error(`BENCH_SERVER_MODE must be gateway or bare, not ${mode}`);
} catch (error) {
  console.error('bench server failed to start:', error);
  await stop(1);
}
