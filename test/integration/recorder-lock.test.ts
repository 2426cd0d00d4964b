import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveService } from '../../src/live/live-service.ts';
import { MemoryLiveStore } from '../../src/live/memory-store.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { RedisLock } from '../../src/recorder/lock.ts';
import { createRecorderMetrics } from '../../src/recorder/metrics.ts';
import { Recorder } from '../../src/recorder/recorder.ts';
import { NO_TARIFF } from '../../src/sessions/tariff.ts';
import { createRedis } from '../../src/gateway.ts';
import { sqliteTarget, type DatabaseTarget } from '../support/databases.ts';
import { eventually } from '../support/gateway.ts';
import { INTERVAL, liveWorld, makeRecorder } from '../support/recorder-world.ts';
import { PrivateRedis } from '../support/redis-server.ts';
import { services, uniqueId } from '../support/services.ts';

const TTL = 600;

describe('recorder lock on the real Redis', () => {
  let redisA: Redis;
  let redisB: Redis;
  let target: DatabaseTarget;
  const key = redisKeys(`${uniqueId('lock')}:`).recorderLock;

  beforeAll(async () => {
    redisA = new Redis(services.redisUrl);
    redisB = new Redis(services.redisUrl);
    target = await sqliteTarget('lock');
  });
  afterAll(async () => {
    await redisA?.del(key);
    redisA?.disconnect();
    redisB?.disconnect();
    await target?.dispose();
  });

  /** Waits until Redis has expired the lock (nobody renews it). */
  const expired = () => eventually(async () => ((await redisA.exists(key)) === 0 ? true : undefined), TTL * 3, 'the lock to expire');

  it('lets exactly one of two instances hold it, renews it, and hands it over after expiry or release', async () => {
    const a = new RedisLock(redisA, key, TTL);
    const b = new RedisLock(redisB, key, TTL);
    expect((await a.acquire()).state).toBe('held');
    expect((await b.acquire()).state).toBe('other');
    expect(await redisA.get(key)).toBe(a.token);

    // The holder renews whenever a third of the lock's time has gone: past the first expiry it still holds it.
    const firstExpiry = Date.now() + TTL;
    while (Date.now() < firstExpiry + TTL / 3) {
      await eventually(async () => ((await redisA.pttl(key)) < (TTL * 2) / 3 ? true : undefined));
      expect((await a.acquire()).state).toBe('held');
      expect((await b.acquire()).state).toBe('other');
    }

    // The holder dies (stops renewing): once Redis expires the lock the other instance takes over, and the old one cannot renew.
    await expired();
    expect((await b.acquire()).state).toBe('held');
    expect((await a.acquire()).state).toBe('other');

    // A release by a non-holder does nothing; the holder's release frees the lock at once.
    await a.release();
    expect(await redisA.get(key)).toBe(b.token);
    await b.release();
    expect((await a.acquire()).state).toBe('held');
    await a.release();
  });

  it('records on one instance only; the other takes over when the first stops', async () => {
    const store = new MemoryLiveStore();
    let now = Date.parse('2026-05-20T10:00:00Z');
    const live = new LiveService(store, { staleAfterMs: 60_000, now: () => now });
    const make = (redis: Redis) =>
      new Recorder({
        live,
        db: target.db,
        lock: new RedisLock(redis, key, TTL),
        metrics: createRecorderMetrics(new Registry()),
        logger: pino({ level: 'silent' }),
        options: { intervalMs: 10_000, rawRetentionMs: 86_400_000, bufferSize: 1000, tariff: NO_TARIFF },
        now: () => now,
      });
    const a = make(redisA);
    const b = make(redisB);
    const tick = async (recorders = [a, b]) => {
      now += 10_000;
      await store.apply([{ kind: 'site', id: 'home', field: 'power', value: 400, receivedAt: now }]);
      const results: boolean[] = [];
      for (const recorder of recorders) results.push(await recorder.sampleOnce());
      await Promise.all(recorders.map((r) => r.flush()));
      return results;
    };
    expect(await tick()).toEqual([true, false]);
    expect(await tick()).toEqual([true, false]);
    expect([a.status().active, b.status().active]).toEqual([true, false]);
    await a.stop(); // releases the lock
    expect(await tick([b])).toEqual([true]);
    expect(b.status().active).toBe(true);
    // b dies without releasing: a new instance is refused until the lock expires, then takes over.
    const c = make(redisA);
    expect(await tick([c])).toEqual([false]);
    await expired();
    expect(await tick([c])).toEqual([true]);
    const rows = await target.db.query<{ ts: number }>('SELECT ts FROM stat_samples ORDER BY ts');
    expect(rows).toHaveLength(4); // one sample per recorded tick, never two
    await c.stop();
  });

  it('lets a restarted instance take over its own lock at once, while another instance still waits', async () => {
    const ownKey = `${key}:own`;
    try {
      const before = new RedisLock(redisA, ownKey, 30_000, 'gw-1');
      expect(await before.acquire()).toEqual({ state: 'held' });
      // gw-1 crashes without releasing and starts again: a new incarnation with the same identity.
      const after = new RedisLock(redisB, ownKey, 30_000, 'gw-1');
      expect(await after.acquire()).toEqual({ state: 'held', tookOverOwn: true });
      expect(await redisA.get(ownKey)).toBe(after.token);
      expect(await before.acquire()).toEqual({ state: 'other', holder: after.token });
      expect(await new RedisLock(redisA, ownKey, 30_000, 'gw-2').acquire()).toEqual({ state: 'other', holder: after.token });

      // The recorder of the restarted instance records at its first tick and says why.
      const world = liveWorld();
      await world.set('site', 'home', { power: 400 });
      const restarted = makeRecorder(target.db, world, { lock: new RedisLock(redisB, ownKey, 30_000, 'gw-1') });
      world.clock.now += INTERVAL;
      expect(await restarted.recorder.sampleOnce()).toBe(true);
      expect(restarted.logs.map((l) => l.msg)).toContain(
        "recorder lock taken (this instance's previous lock, taken over at once): this instance records statistics",
      );
    } finally {
      await redisA.del(ownKey);
    }
  });

  it('keeps recording while Redis is away, says so truthfully, and re-asserts the lock when Redis returns', async () => {
    const privateRedis = await PrivateRedis.start();
    const client = await createRedis(privateRedis.url);
    client.on('error', () => undefined);
    const outageTarget = await sqliteTarget('lock-outage');
    try {
      const lockKey = redisKeys('outage:').recorderLock;
      const lock = new RedisLock(client, lockKey, 2_000, 'gw-1');
      const world = liveWorld();
      const h = makeRecorder(outageTarget.db, world, { lock });
      const tick = async () => {
        world.clock.now += INTERVAL;
        await world.set('site', 'home', { power: 400 });
        const recorded = await h.recorder.sampleOnce();
        await h.recorder.flush();
        return recorded;
      };
      await expect.poll(() => client.status, { timeout: 10_000 }).toBe('ready');
      expect(await tick()).toBe(true);

      await privateRedis.stop();
      for (let i = 0; i < 3; i++) expect(await tick()).toBe(true);
      expect(h.recorder.status().active).toBe(true);
      const messages = () => h.logs.map((l) => l.msg);
      expect(messages().filter((m) => m.startsWith('Redis cannot be reached: this instance keeps recording'))).toHaveLength(1);
      expect(messages().some((m) => m.includes('another instance'))).toBe(false);

      await privateRedis.start(); // empty, like a Redis without persistence
      await expect.poll(() => client.status, { timeout: 10_000 }).toBe('ready');
      expect(await tick()).toBe(true);
      expect(messages()).toContain('Redis answers again: recorder lock re-asserted');
      expect(await client.get(lockKey)).toBe(lock.token);

      const [row] = await outageTarget.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples');
      expect(Number(row?.n)).toBe(5);
      expect(await h.metric('recorder_sample_gaps_total')).toBe(0);
      await h.recorder.stop();
    } finally {
      client.disconnect();
      await privateRedis.stop();
      await outageTarget.dispose();
    }
  });
});
