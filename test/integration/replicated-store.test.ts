import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FieldUpdate } from '../../src/live/model.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { RedisLiveStore } from '../../src/live/redis-store.ts';
import { ReplicatedLiveStore } from '../../src/live/replicated-store.ts';
import { eventually } from '../support/gateway.ts';
import { PrivateRedis } from '../support/redis-server.ts';
import { services, uniqueId } from '../support/services.ts';

const logger = pino({ level: 'silent' });
const connect = (url: string) => {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
};
const ready = async (redis: Redis) => {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
};
const update = (field: string, value: FieldUpdate['value'], receivedAt: number): FieldUpdate => ({
  kind: 'chargepoint',
  id: '3',
  field,
  value,
  receivedAt,
});

describe('the replicated live store', () => {
  const opened: { close(): Promise<void> }[] = [];
  const replicaOn = async (url: string, prefix: string) => {
    const redis = connect(url);
    const store = new ReplicatedLiveStore(new RedisLiveStore(redis, prefix), redis, connect(url), redisKeys(prefix).liveChanges, logger);
    opened.push(store);
    expect(await store.whenSynced()).toBe(true);
    return store;
  };
  const writerOn = async (url: string, prefix: string) => {
    const store = new RedisLiveStore(await ready(connect(url)), prefix);
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it('loads the snapshot, then follows another instance’s writes and deletions', async () => {
    const prefix = `${uniqueId('replica')}:`;
    const writer = await writerOn(services.redisUrl, prefix);
    await writer.apply([update('power', 100, 1_000), update('plugged', true, 1_000)]);
    const replica = await replicaOn(services.redisUrl, prefix);
    expect((await replica.get([{ kind: 'chargepoint', id: '3' }]))[0]).toEqual({
      power: { value: 100, receivedAt: 1_000 },
      plugged: { value: true, receivedAt: 1_000 },
    });

    await writer.apply([update('power', 200, 2_000), update('plugged', undefined, 2_000)]);
    await eventually(async () => {
      const [fields] = await replica.get([{ kind: 'chargepoint', id: '3' }]);
      return fields?.power?.value === 200 && fields.plugged === undefined ? true : undefined;
    });
    expect(replica.isSynced).toBe(true);
  });

  it('keeps the newest value per field whatever order copies arrive in', async () => {
    const prefix = `${uniqueId('replica')}:`;
    const replica = await replicaOn(services.redisUrl, prefix);
    const publisher = await ready(connect(services.redisUrl));
    await publisher.publish(redisKeys(prefix).liveChanges, JSON.stringify([update('power', 300, 3_000)]));
    await publisher.publish(redisKeys(prefix).liveChanges, JSON.stringify([update('power', 250, 2_500)]));
    await publisher.publish(redisKeys(prefix).liveChanges, 'not json');
    await eventually(async () => ((await replica.get([{ kind: 'chargepoint', id: '3' }]))[0]?.power ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await replica.get([{ kind: 'chargepoint', id: '3' }]))[0]?.power).toEqual({ value: 300, receivedAt: 3_000 });
    publisher.disconnect();
  });

  describe('when Redis restarts empty', () => {
    let redis: PrivateRedis;
    afterAll(async () => redis?.stop());

    it('fails reads while Redis is away, then serves only what Redis holds again', async () => {
      redis = await PrivateRedis.start();
      const prefix = 'owg:';
      const writer = await writerOn(redis.url, prefix);
      await writer.apply([update('power', 100, 1_000)]);
      const replica = await replicaOn(redis.url, prefix);

      await redis.stop();
      await eventually(async () => (replica.isSynced ? undefined : true), 5_000, 'the replica to notice');
      await expect(replica.get([{ kind: 'chargepoint', id: '3' }])).rejects.toThrow();

      await redis.start();
      expect(await replica.whenSynced(15_000)).toBe(true);
      expect(await replica.get([{ kind: 'chargepoint', id: '3' }])).toEqual([{}]);
    });
  });
});
