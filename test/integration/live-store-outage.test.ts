import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../fixtures/openwb-v2-charging.ts';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { PrivateRedis } from '../support/redis-server.ts';

interface Seen {
  path: string;
  status: number;
  problem: string | undefined;
}

/** What makes a live read wrong during an outage: anything but 200, or a 200 without the data known before. */
function problemWith(path: string, status: number, body: Record<string, unknown>): string | undefined {
  if (status !== 200) return `status ${status}`;
  if (path === '/api/v1/chargepoints') return Array.isArray(body.items) && body.items.length === 1 ? undefined : 'no items';
  if (path === '/api/v1/chargepoints/3')
    return typeof body.power === 'number' && typeof body.energyImported === 'number' ? undefined : 'no values';
  const site = body as { home?: { power?: unknown }; grid?: { power?: unknown } };
  return typeof site.home?.power === 'number' && typeof site.grid?.power === 'number' ? undefined : 'null site values';
}

describe('when the Redis of an ingesting gateway goes away and restarts empty', () => {
  let redis: PrivateRedis;
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    gw = await startTestGateway({ env: { REDIS_URL: redis.url } });
    publisher = await openPublisher(gw.topicPrefix);
    for (const [topic, value] of MESSAGES) await publisher.publish(topic, JSON.stringify(value));
    await eventually(async () => {
      const res = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey);
      return res.body?.home?.energyToday === 6120 ? true : undefined;
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
    await redis?.stop();
  });

  it('answers every live read with 200 and the values throughout, keeps ingesting, and writes its state back', async () => {
    const seen: Seen[] = [];
    let polling = true;
    const poll = (async () => {
      const paths = ['/api/v1/chargepoints/3', '/api/v1/chargepoints', '/api/v1/site'];
      for (let i = 0; polling; i++) {
        const path = paths[i % paths.length] as string;
        const res = await gw.http.get(path).set('x-api-key', gw.readKey);
        seen.push({ path, status: res.status, problem: problemWith(path, res.status, res.body) });
      }
    })();
    const readsSoFar = async (more: number) => {
      const target = seen.length + more;
      await eventually(async () => (seen.length >= target ? true : undefined), 5_000, `${more} more reads`);
    };

    await readsSoFar(10);
    await redis.stop();
    await eventually(async () => ((await gw.http.get('/health/ready')).body.checks?.liveStore.ok === false ? true : undefined));
    await readsSoFar(30);

    // Ingest keeps the replica current while Redis is away: a new value is served at once, not stale.
    await publisher.publish('openWB/chargepoint/3/get/power', '7000.0');
    const during = await eventually(async () => {
      const res = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey);
      return res.status === 200 && res.body.power === 7000 ? res : undefined;
    });
    expect(during.body.stale).toBe(false);
    await readsSoFar(30);

    await redis.start();
    const direct = new Redis(redis.url);
    try {
      const written = await eventually(
        async () => {
          const hash = await direct.hgetall(`${gw.redisKeyPrefix}live:chargepoint:3`);
          return hash.power && hash.energyImported ? hash : undefined;
        },
        15_000,
        'the replica written back',
      );
      expect(JSON.parse(written.power as string)[0]).toBe(7000);
      expect(await direct.smembers(`${gw.redisKeyPrefix}live:index:chargepoint`)).toEqual(['3']);
    } finally {
      direct.disconnect();
    }
    await eventually(async () => ((await gw.http.get('/health/ready')).status === 200 ? true : undefined), 15_000, 'ready again');
    await readsSoFar(30);
    polling = false;
    await poll;

    expect(seen.filter((s) => s.problem)).toEqual([]);
    expect(seen.length).toBeGreaterThanOrEqual(100);
    const metrics = await gw.http.get('/metrics').set('x-api-key', gw.adminKey);
    expect(metrics.text).toMatch(/^live_store_written_back_total [1-9]/m);
    expect(metrics.text).toMatch(/^live_store_degraded 0/m);
    expect(metrics.text).toMatch(/^live_store_writeback_pending 0/m);
  });
});
