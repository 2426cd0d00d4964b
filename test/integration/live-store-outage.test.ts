import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { PrivateRedis } from '../support/redis-server.ts';

describe('when Redis goes away', () => {
  let redis: PrivateRedis;
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    gw = await startTestGateway({ env: { REDIS_URL: redis.url } });
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish('openWB/chargepoint/3/get/power', '7360.0');
    await eventually(async () =>
      (await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey)).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
    await redis?.stop();
  });

  it('answers 503 problem+json with Retry-After, keeps ingesting, and recovers by itself', async () => {
    await redis.stop();
    const down = await eventually(
      async () => {
        const res = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey);
        return res.status === 503 ? res : undefined;
      },
      5_000,
      '503',
    );
    expect(down.headers['content-type']).toContain('application/problem+json');
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    expect(down.body).toMatchObject({ type: '/problems/unavailable', status: 503 });
    const ready = await gw.http.get('/health/ready').expect(503);
    expect(ready.body.checks.liveStore.ok).toBe(false);

    // A message while Redis is down must not crash ingest; Redis restarts empty.
    await publisher.publish('openWB/chargepoint/3/get/imported', '1000.5');
    await redis.start();

    const back = await eventually(
      async () => {
        const res = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey);
        return res.status === 200 && res.body.energyImported === 1000.5 && res.body.power === 7360 ? res : undefined;
      },
      15_000,
      'recovery with both values',
    );
    expect(back.body.stale).toBe(false);
    await gw.http.get('/health/ready').expect(200);
  });
});
