import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { uniqueId } from '../support/services.ts';

describe('several gateway instances sharing one Redis', () => {
  let a: TestGateway;
  let b: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    const topicPrefix = `${uniqueId('shared')}/`;
    const redisKeyPrefix = `${uniqueId('shared')}:`;
    a = await startTestGateway({ topicPrefix, redisKeyPrefix });
    // Instance b listens to a broker prefix nobody publishes on: whatever it serves came through Redis.
    b = await startTestGateway({ topicPrefix: `${uniqueId('silent')}/`, redisKeyPrefix });
    publisher = await openPublisher(topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await a?.close();
    await b?.close();
  });

  it('serve the same values', async () => {
    await publisher.publish('openWB/chargepoint/4/get/power', '3680.5');
    await publisher.publish('openWB/chargepoint/4/get/plug_state', 'true');
    const fromB = await eventually(async () => {
      const res = await b.http.get('/api/v1/chargepoints/4').set('x-api-key', b.readKey);
      return res.status === 200 && res.body.plugged === true ? res.body : undefined;
    });
    const fromA = (await a.http.get('/api/v1/chargepoints/4').set('x-api-key', a.readKey).expect(200)).body;
    expect(fromB.power).toBe(3680.5);
    expect(fromB).toEqual(fromA);
  });

  it('follow deletions and later changes on every instance', async () => {
    await publisher.publish('openWB/chargepoint/4/get/plug_state', '');
    await publisher.publish('openWB/chargepoint/4/get/power', '0');
    const fromB = await eventually(async () => {
      const res = await b.http.get('/api/v1/chargepoints/4').set('x-api-key', b.readKey);
      return res.body.plugged === null && res.body.power === 0 ? res.body : undefined;
    });
    const fromA = (await a.http.get('/api/v1/chargepoints/4').set('x-api-key', a.readKey).expect(200)).body;
    expect(fromB).toEqual(fromA);
  });
});
