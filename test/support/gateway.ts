import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { loadConfig } from '../../src/config.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { PrivateRedis } from './redis-server.ts';
import { contractClient, type ContractClient } from './response-contract.ts';
import { services, uniqueId } from './services.ts';

export interface TestGatewayOptions {
  /** Use the real Redis (default) or the in-memory live store. */
  store?: 'redis' | 'memory';
  /** Default: a fresh SQLite file. */
  databaseUrl?: string;
  topicPrefix?: string;
  redisKeyPrefix?: string;
  env?: Record<string, string>;
}

export interface TestGateway {
  gateway: Gateway;
  /** Validates every response against openapi.yaml (test/support/response-contract.ts). */
  http: ContractClient;
  topicPrefix: string;
  redisKeyPrefix: string;
  adminKey: string;
  readKey: string;
  close(): Promise<void>;
}

/** A whole gateway on loopback against the real broker (and Redis), every response checked against openapi.yaml. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const topicPrefix = options.topicPrefix ?? `${uniqueId('gw')}/`;
  const redisKeyPrefix = options.redisKeyPrefix ?? `${uniqueId('owg')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'owg-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    OPENWB_MQTT_URL: services.mqttUrl,
    OPENWB_TOPIC_PREFIX: topicPrefix,
    DATABASE_URL: options.databaseUrl ?? `sqlite:${join(dir, 'gateway.db')}`,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    RECORDER_SPOOL_FILE: join(dir, 'recorder-spool.jsonl'),
    // Every operation of the spec is served, so suites that iterate it reach the EnergSync ones too.
    ENERGSYNC_ENABLED: 'true',
    // The smartmeter's paths too, under the prefix the spec writes.
    PULSE_METER_COMPAT_ENABLED: 'true',
    PULSE_METER_COMPAT_BASE_PATH: '/pulse-meter',
    TIMESERIES_API_ENABLED: 'true',
    ...((options.store ?? 'redis') === 'redis' ? { REDIS_URL: services.redisUrl } : {}),
    ...options.env,
  });
  const gateway = await startGateway(config);
  const adminKey = (await gateway.apiKeys.create({ name: 'test-admin', scopes: ['admin'] })).key;
  const readKey = (await gateway.apiKeys.create({ name: 'test-read', scopes: ['read'] })).key;
  return {
    gateway,
    http: contractClient(gateway.url),
    topicPrefix,
    redisKeyPrefix,
    adminKey,
    readKey,
    close: async () => {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A publisher on the real broker that remembers what it retained and clears it on close. */
export async function openPublisher(prefix: string): Promise<{
  client: MqttClient;
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  close(): Promise<void>;
}> {
  const client = await mqtt.connectAsync(services.mqttUrl, { reconnectPeriod: 0 });
  const retained = new Set<string>();
  return {
    client,
    async publish(topic, payload, retain = true) {
      if (retain) retained.add(prefix + topic);
      await client.publishAsync(prefix + topic, payload, { retain, qos: 1 });
    },
    async close() {
      for (const topic of retained) await client.publishAsync(topic, '', { retain: true, qos: 1 });
      await client.endAsync();
    },
  };
}

export type Publisher = Awaited<ReturnType<typeof openPublisher>>;

/**
 * A gateway (recorder off) on a Redis of its own, for tests that stop or pause that Redis, once chargepoint 3
 * (power 10) can be read. `close` starts the Redis again if a test left it stopped, so the gateway closes cleanly.
 */
export async function gatewayOnOwnRedis(): Promise<{ redis: PrivateRedis; gw: TestGateway; publisher: Publisher; close(): Promise<void> }> {
  const redis = await PrivateRedis.start();
  const gw = await startTestGateway({ env: { REDIS_URL: redis.url, RECORDER_ENABLED: 'false' } }).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  const publisher = await openPublisher(gw.topicPrefix);
  const close = async () => {
    await publisher.close();
    await redis.start();
    await gw.close();
    await redis.stop();
  };
  await publisher.publish('openWB/chargepoint/3/get/power', '10');
  await eventually(async () => (await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey)).status === 200 || undefined);
  return { redis, gw, publisher, close };
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
