import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../../src/auth/credential-cache.ts';

/** A loader whose database is up or down, counting the queries it makes. */
function setup(options: { ttlMs?: number; maxStaleMs?: number } = {}) {
  const state = { now: 0, up: true, queries: 0, stale: 0, version: 1 };
  const cache = new CredentialCache(
    async (key: string) => {
      state.queries++;
      if (!state.up) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return `${key}@v${state.version}`;
    },
    {
      ttlMs: options.ttlMs ?? 1_000,
      maxStaleMs: options.maxStaleMs ?? 60_000,
      retryAfterFailureMs: 5_000,
      now: () => state.now,
      onStaleServed: () => state.stale++,
    },
  );
  return { state, cache };
}

describe('the credential cache', () => {
  it('answers fresh entries synchronously and shares one query between concurrent look-ups', async () => {
    const { state, cache } = setup();
    expect(await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')])).toEqual(['a@v1', 'a@v1', 'a@v1']);
    expect(state.queries).toBe(1);
    state.now = 1_000;
    expect(cache.get('a')).toBe('a@v1');
    state.now = 1_001;
    state.version = 2;
    expect(await cache.get('a')).toBe('a@v2');
    expect(state.queries).toBe(2);
  });

  it('serves the last known value while the database is unreachable, without waiting for it again, up to the maximum age', async () => {
    const { state, cache } = setup();
    await cache.get('a');
    state.up = false;
    state.now = 2_000;
    expect(await cache.get('a')).toBe('a@v1');
    expect(state.stale).toBe(1);
    expect(state.queries).toBe(2);

    // Within the retry interval: answered at once, while a background query keeps trying.
    state.now = 3_000;
    expect(cache.get('a')).toBe('a@v1');
    expect(state.queries).toBe(3);
    expect(state.stale).toBe(2);

    state.now = 60_001;
    await expect(cache.get('a')).rejects.toThrow('ECONNREFUSED');
    await expect(cache.get('never-seen')).rejects.toThrow('ECONNREFUSED');
  });

  it('refuses a deleted entry during an outage, and serves a pushed change at once', async () => {
    const { state, cache } = setup();
    await cache.get('a');
    await cache.get('b');
    state.up = false;
    cache.delete('a');
    cache.update((value) => (value === 'b@v1' ? 'b@revoked' : undefined));
    state.now = 2_000;
    await expect(cache.get('a')).rejects.toThrow('ECONNREFUSED');
    expect(await cache.get('b')).toBe('b@revoked');
  });

  it('revalidates entries marked due before their TTL, keeping them as the last known value', async () => {
    const { state, cache } = setup({ ttlMs: 60_000 });
    await cache.get('a');
    cache.markDue();
    state.version = 2;
    expect(await cache.get('a')).toBe('a@v2');
    cache.markDue();
    state.up = false;
    expect(await cache.get('a')).toBe('a@v2');
    expect(state.stale).toBe(1);
  });

  it('does not remember a value loaded across an invalidation', async () => {
    const { state, cache } = setup();
    const loading = cache.get('a');
    cache.delete('a');
    expect(await loading).toBe('a@v1');
    state.version = 2;
    expect(await cache.get('a')).toBe('a@v2');
  });
});
