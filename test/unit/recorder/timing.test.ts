import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../../src/db/database.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openSqlite } from '../../../src/db/sqlite.ts';
import { LiveService } from '../../../src/live/live-service.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import { LocalLock, RedisLock } from '../../../src/recorder/lock.ts';
import { createRecorderMetrics } from '../../../src/recorder/metrics.ts';
import { Recorder } from '../../../src/recorder/recorder.ts';
import { NO_TARIFF } from '../../../src/sessions/tariff.ts';

const T0 = Date.parse('2026-05-20T10:00:00Z');
const INTERVAL = 10_000;

async function setup(db?: (real: Database) => Database) {
  const real = openSqlite(':memory:');
  await migrate(real);
  const store = new MemoryLiveStore();
  const live = new LiveService(store, { staleAfterMs: 600_000 });
  await store.apply([{ kind: 'site', id: 'home', field: 'power', value: 400, receivedAt: Date.now() }]);
  const registry = new Registry();
  const dir = mkdtempSync(join(tmpdir(), 'owg-timing-'));
  const recorder = new Recorder({
    live,
    db: db ? db(real) : real,
    lock: new LocalLock(),
    metrics: createRecorderMetrics(registry),
    logger: pino({ level: 'silent' }),
    options: {
      intervalMs: INTERVAL,
      rawRetentionMs: 86_400_000,
      bufferSize: 1000,
      tariff: NO_TARIFF,
      spoolFile: join(dir, 'spool.jsonl'),
      shutdownFlushMs: 3_000,
    },
  });
  const gaps = async (reason: string) =>
    (await registry.getSingleMetric('recorder_sample_gaps_total')?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  const dispose = async () => {
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { recorder, real, gaps, dir, dispose };
}

describe('recorder timing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts the ticks a held-up process missed as gaps of every expected series', async () => {
    const { recorder, gaps, dispose } = await setup();
    recorder.start();
    await vi.advanceTimersByTimeAsync(INTERVAL); // the tick at T0 + 10 s
    expect(recorder.status().lastWriteAt).toBe(T0 + INTERVAL);
    // The process is frozen for 35 s: the timer of T0 + 20 s fires at T0 + 55 s; 30 s, 40 s and 50 s never ran.
    vi.setSystemTime(Date.now() + 35_000);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(await gaps('missed-tick')).toBe(3);
    await recorder.stop();
    await dispose();
  });

  it('samples the latest boundary when the first timer fires late, and counts the skipped ones as not-recording', async () => {
    const { recorder, real, gaps, dispose } = await setup();
    await recorder.sampleOnce(T0);
    await recorder.flush();
    await recorder.stop();
    recorder.start();
    // The timer of T0 + 10 s fires at T0 + 45 s (a slow start): it samples T0 + 40 s; 10 s, 20 s and 30 s were not recorded.
    vi.setSystemTime(Date.now() + 35_000);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await recorder.flush();
    expect(await gaps('not-recording')).toBe(3);
    expect(await gaps('missed-tick')).toBe(0);
    const rows = await real.query<{ ts: number }>('SELECT ts FROM stat_samples ORDER BY ts');
    expect(rows.map((r) => Number(r.ts))).toEqual([T0, T0 + 4 * INTERVAL]);
    await recorder.stop();
    await dispose();
  });

  it('reports stalled after three intervals without a completed write, and not before', async () => {
    const { recorder, dispose } = await setup((real) => ({ ...real, transaction: () => new Promise<never>(() => undefined) }));
    recorder.start();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(recorder.status().stalledForMs).toBeUndefined(); // active since the first tick at T0 + 10 s
    await vi.advanceTimersByTimeAsync(INTERVAL + 1);
    expect(recorder.status()).toMatchObject({ active: true, stalledForMs: 3 * INTERVAL + 1, lastWriteAt: undefined });
    const stopping = recorder.stop();
    await vi.advanceTimersByTimeAsync(2_999);
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false); // the shutdown flush still has its deadline
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(recorder.status().bufferedSamples).toBe(0);
    await dispose();
  });

  it('spools at the flush deadline when the database hangs at shutdown', async () => {
    const { recorder, dir, dispose } = await setup((real) => ({ ...real, transaction: () => new Promise<never>(() => undefined) }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await recorder.sampleOnce(T0 + INTERVAL);
    await recorder.sampleOnce(T0 + 2 * INTERVAL);
    const stopping = recorder.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    await stopping;
    const lines = readFileSync(join(dir, 'spool.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { sample: { series: 'home.power', ts: T0 + INTERVAL, value: 400 } },
      { sample: { series: 'home.power', ts: T0 + 2 * INTERVAL, value: 400 } },
    ]);
    await dispose();
  });

  it('stops at the deadline even when a tick hangs on the database, spooling what it took', async () => {
    const { recorder, dir, dispose } = await setup((real) => ({ ...real, query: () => new Promise<never>(() => undefined) }));
    void recorder.sampleOnce(T0); // samples taken, then the open sessions never load
    await vi.advanceTimersByTimeAsync(0);
    const stopping = recorder.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    await stopping;
    expect(readFileSync(join(dir, 'spool.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    await dispose();
  });

  it('keeps a held lock when Redis does not answer within its deadline', async () => {
    let answer: 'renew' | 'hang' = 'renew';
    const redis = {
      eval: () => (answer === 'renew' ? Promise.resolve([2, '']) : new Promise(() => undefined)),
    } as unknown as Redis;
    const lock = new RedisLock(redis, 'lock', 4_000, 'gw-1');
    expect(await lock.acquire()).toEqual({ state: 'held' });
    answer = 'hang';
    const pending = lock.acquire();
    await vi.advanceTimersByTimeAsync(1_000); // ttl / 4
    expect(await pending).toEqual({ state: 'held-offline', error: 'Redis did not answer within 1000 ms' });
    const stranger = new RedisLock(redis, 'lock', 4_000, 'gw-2');
    const refused = stranger.acquire();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await refused).state).toBe('unreachable');
  });
});
