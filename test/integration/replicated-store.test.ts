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
    // Copies arrive in the order they were published: once the last is applied, so are the others.
    await publisher.publish(redisKeys(prefix).liveChanges, JSON.stringify([update('plugged', true, 1_000)]));
    await eventually(async () => ((await replica.get([{ kind: 'chargepoint', id: '3' }]))[0]?.plugged ? true : undefined));
    expect((await replica.get([{ kind: 'chargepoint', id: '3' }]))[0]?.power).toEqual({ value: 300, receivedAt: 3_000 });
    publisher.disconnect();
  });

  describe('when Redis goes away and restarts empty', () => {
    let redis: PrivateRedis;
    afterAll(async () => redis?.stop());

    it('keeps serving every replica, and the ingesting one writes back what the others then follow', async () => {
      redis = await PrivateRedis.start();
      const prefix = 'owg:';
      const ingesting = await replicaOn(redis.url, prefix);
      await ingesting.apply([update('power', 100, 1_000), update('plugged', true, 1_000)]);
      const reader = await replicaOn(redis.url, prefix);
      const cp3 = [{ kind: 'chargepoint' as const, id: '3' }];

      await redis.stop();
      await eventually(async () => (ingesting.isSynced || reader.isSynced ? undefined : true), 5_000, 'the replicas to notice');
      await ingesting.apply([update('power', 200, 2_000)]);
      expect((await ingesting.get(cp3))[0]?.power).toEqual({ value: 200, receivedAt: 2_000 });
      expect((await reader.get(cp3))[0]?.power).toEqual({ value: 100, receivedAt: 1_000 });

      await redis.start();
      const readerSaw: unknown[] = [];
      await eventually(
        async () => {
          const [fields] = await reader.get(cp3);
          readerSaw.push(fields?.power?.value);
          return fields?.power?.value === 200 && reader.isSynced && ingesting.isSynced ? true : undefined;
        },
        15_000,
        'the reader to follow the written-back value',
      );
      expect(readerSaw.every((value) => value === 100 || value === 200)).toBe(true);
      expect((await reader.get(cp3))[0]?.plugged).toEqual({ value: true, receivedAt: 1_000 });

      const direct = await ready(connect(redis.url));
      expect(JSON.parse((await direct.hget('owg:live:chargepoint:3', 'power')) as string)).toEqual([200, 2_000]);
      direct.disconnect();
    });

    it('writes back newest-wins: a value Redis holds that is newer than the replica’s stays', async () => {
      const prefix = `${uniqueId('replica')}:`;
      const writer = await writerOn(services.redisUrl, prefix);
      await writer.apply([update('power', 300, 3_000)]);
      await writer.writeBack([update('power', 250, 2_500), update('energyImported', 5, 2_500)]);
      expect((await writer.get([{ kind: 'chargepoint', id: '3' }]))[0]).toEqual({
        power: { value: 300, receivedAt: 3_000 },
        energyImported: { value: 5, receivedAt: 2_500 },
      });
    });
  });
});
