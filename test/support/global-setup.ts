/**
 * vitest globalSetup: the suites talk to real Mosquitto, Redis and MariaDB. Before any test runs,
 * check that all three answer; if one does not, fail the whole run with ONE error naming every
 * unreachable service, so a missing service is never mistaken for a pass or silently skipped.
 */
import * as mariadb from 'mariadb';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { ENSURE_SERVICES_HINT, mariaDbConfig, services } from './services.ts';

const TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms (${what})`)), TIMEOUT_MS + 500);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkMqtt(url: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { connectTimeout: TIMEOUT_MS, reconnectPeriod: 0 });
  await client.endAsync();
}

async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    disconnectTimeout: 200, // ioredis otherwise keeps a closed socket's 2 s timer alive
  });
  // ioredis reports the cause (ECONNREFUSED, ...) only as an 'error' event; connect() itself then
  // rejects with a bare "Connection is closed.". Keep the cause for the message.
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  // A peer that accepts but never answers keeps connect() (ready check) pending, and disconnect()
  // only half-closes the socket: destroy it so neither the check nor the process hangs.
  const hardClose = () => {
    if (redis.status !== 'end') redis.disconnect();
    redis.stream?.destroy();
  };
  const timer = setTimeout(() => {
    lastError = new Error(`no answer within ${TIMEOUT_MS} ms`);
    hardClose();
  }, TIMEOUT_MS);
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}`);
  } catch (err) {
    throw lastError ?? err;
  } finally {
    clearTimeout(timer);
    hardClose();
  }
}

async function checkMariaDb(url: string): Promise<void> {
  const conn = await mariadb.createConnection({ ...mariaDbConfig(url), connectTimeout: TIMEOUT_MS });
  try {
    await conn.query('SELECT 1');
  } finally {
    await conn.end();
  }
}

/** Redacts the password of a URL for messages (the test password is not secret, a custom one may be). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export default async function setup(): Promise<void> {
  const checks = [
    { name: 'Mosquitto (TEST_MQTT_URL)', url: services.mqttUrl, check: checkMqtt },
    { name: 'Redis (TEST_REDIS_URL)', url: services.redisUrl, check: checkRedis },
    { name: 'MariaDB (TEST_MARIADB_URL)', url: services.mariadbUrl, check: checkMariaDb },
  ];
  const results = await Promise.allSettled(checks.map((c) => withTimeout(c.check(c.url), c.name)));
  const failures = results.flatMap((result, i) => {
    const c = checks[i]!;
    if (result.status === 'fulfilled') return [];
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    return [`  - ${c.name} at ${redact(c.url)}: ${reason || 'connection failed'}`];
  });
  if (failures.length > 0) {
    throw new Error(
      `Real test services are not reachable (tests need real Mosquitto, Redis and MariaDB):\n` +
        `${failures.join('\n')}\n` +
        `${ENSURE_SERVICES_HINT}  (or point TEST_MQTT_URL / TEST_REDIS_URL / TEST_MARIADB_URL at running services)`,
    );
  }
}
