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
import { sqliteTarget, type DatabaseTarget } from '../support/databases.ts';
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

  it('lets exactly one of two instances hold it, renews it, and hands it over after expiry or release', async () => {
    const a = new RedisLock(redisA, key, TTL);
    const b = new RedisLock(redisB, key, TTL);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await redisA.get(key)).toBe(a.token);

    // The holder renews: past the first expiry it still holds the lock.
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, TTL / 3));
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
    }

    // The holder dies (stops renewing): after the expiry the other instance takes over, and the old one cannot renew.
    await new Promise((resolve) => setTimeout(resolve, TTL + 100));
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);

    // A release by a non-holder does nothing; the holder's release frees the lock at once.
    await a.release();
    expect(await redisA.get(key)).toBe(b.token);
    await b.release();
    expect(await a.acquire()).toBe(true);
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
    await new Promise((resolve) => setTimeout(resolve, TTL + 100));
    expect(await tick([c])).toEqual([true]);
    const rows = await target.db.query<{ ts: number }>('SELECT ts FROM stat_samples ORDER BY ts');
    expect(rows).toHaveLength(4); // one sample per recorded tick, never two
    await c.stop();
  });
});
