import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/redis-keys.ts';
import { gatewayOnOwnRedis, type Publisher, type TestGateway } from '../support/gateway.ts';
import type { PrivateRedis } from '../support/redis-server.ts';
import { openStream } from '../support/stream-client.ts';

const powerOf = (m: Record<string, unknown>) => (m.fields as { power?: { value: number } } | undefined)?.power?.value;

/**
 * The ingest tells its listeners (the stream, command confirmation) once a batch is in this instance's
 * replica, not after the write to Redis: a Redis whose writes are held back (CLIENT PAUSE … WRITE on a
 * private Redis) delays neither the stream's delta nor the listeners, and the value still reaches Redis.
 */
describe('the ingest with a slow Redis write', () => {
  let admin: Redis;
  let gw: TestGateway;
  let publisher: Publisher;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let redis: PrivateRedis;
    ({ redis, gw, publisher, close } = await gatewayOnOwnRedis());
    admin = new Redis(redis.url);
  });

  afterAll(async () => {
    await admin?.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin?.disconnect();
    await close?.();
  });

  it('streams the delta and tells the listeners while the Redis write is still held back', async () => {
    const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await client.next((m) => m.type === 'snapshot');
    const heard: unknown[] = [];
    const unsubscribe = gw.gateway.ingest.onApplied((updates) => {
      for (const u of updates) if (u.kind === 'chargepoint' && u.field === 'power') heard.push(u.value);
    });
    const entity = redisKeys(gw.redisKeyPrefix).entity('chargepoint', '3');
    try {
      await admin.call('CLIENT', 'PAUSE', '3000', 'WRITE');
      await publisher.publish('openWB/chargepoint/3/get/power', '4321');
      await client.next((m) => m.type === 'changed' && powerOf(m) === 4321, 2_500);
      expect(heard).toContain(4321);
      // Reads pass a WRITE pause: Redis still holds the old value, so the delta did not wait for the write.
      expect(JSON.parse((await admin.hget(entity, 'power')) ?? 'null')).toEqual([10, expect.any(Number)]);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      unsubscribe();
    }
    await gw.gateway.ingest.drained();
    expect(JSON.parse((await admin.hget(entity, 'power')) ?? 'null')).toEqual([4321, expect.any(Number)]);
    expect(client.violations).toEqual([]);
    client.ws.terminate();
  });
});
