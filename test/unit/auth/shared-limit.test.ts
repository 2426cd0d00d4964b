import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it, vi } from 'vitest';
import { SharedLimit } from '../../../src/auth/limiters.ts';

const store = (points: number, duration = 60) => new RateLimiterMemory({ points, duration });

describe('shared limits with leases', () => {
  it('takes leases of 10 for large limits and reports what is left overall', async () => {
    const counter = store(1000);
    const limit = new SharedLimit(counter, 1000, true);
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await limit.consume('k'));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(results.map((r) => r.remaining)).toEqual(Array.from({ length: 25 }, (_v, i) => 999 - i));
    expect((await counter.get('k'))?.consumedPoints).toBe(30);
  });

  it('counts one by one near the limit: exactly the limit is allowed', async () => {
    const limit = new SharedLimit(store(1000), 1000, true);
    let allowed = 0;
    for (let i = 0; i < 1100; i++) if ((await limit.consume('k')).allowed) allowed++;
    expect(allowed).toBe(1000);
  });

  it('never lets two instances together exceed the limit', async () => {
    const counter = store(1000);
    const [a, b] = [new SharedLimit(counter, 1000, true), new SharedLimit(counter, 1000, true)];
    let allowed = 0;
    for (let i = 0; i < 600; i++) {
      for (const instance of [a, b, b]) if ((await instance.consume('k')).allowed) allowed++;
    }
    expect(allowed).toBeLessThanOrEqual(1000);
    expect(allowed).toBeGreaterThanOrEqual(990);
  });

  it('stays exact for small limits and without a shared store', async () => {
    for (const [points, shared] of [
      [50, true],
      [5000, false],
    ] as const) {
      const counter = store(points);
      const limit = new SharedLimit(counter, points, shared);
      await limit.consume('k');
      expect((await counter.get('k'))?.consumedPoints).toBe(1);
    }
  });

  it('serves concurrent requests of one key from one refill (and the prefetch of the next lease)', async () => {
    const counter = store(1000);
    const limit = new SharedLimit(counter, 1000, true);
    const results = await Promise.all(Array.from({ length: 10 }, () => limit.consume('k')));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect((await counter.get('k'))?.consumedPoints).toBe(20);
  });

  it('fetches the next lease in the background, so a steady stream never waits for the store', async () => {
    const counter = store(100_000);
    const limit = new SharedLimit(counter, 100_000, true);
    await limit.consume('k');
    let waited = 0;
    for (let i = 0; i < 500; i++) {
      if (limit.consume('k') instanceof Promise) waited++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(waited).toBe(0);
    expect((await counter.get('k'))?.consumedPoints).toBeGreaterThanOrEqual(501);
    expect((await counter.get('k'))?.consumedPoints).toBeLessThanOrEqual(501 + 2 * 50);
  });

  it('drops a lease when its window ends', async () => {
    vi.useFakeTimers();
    try {
      const counter = store(1000, 1);
      const limit = new SharedLimit(counter, 1000, true, Date.now);
      expect((await limit.consume('k')).remaining).toBe(999);
      expect((await limit.consume('k')).remaining).toBe(998);
      await vi.advanceTimersByTimeAsync(2_000);
      const after = await limit.consume('k');
      expect(after.remaining).toBe(999);
    } finally {
      vi.useRealTimers();
    }
  });
});
