import { describe, expect, it } from 'vitest';
import { LoginGuard, type LoginLimits } from '../../../src/auth/login-guard.ts';

const limits: LoginLimits = { freeFailures: 2, maxFailuresPerUser: 5, maxFailuresPerIp: 8, lockoutSeconds: 60, maxDelayMs: 1000 };
let n = 0;
const guard = (overrides: Partial<LoginLimits> = {}) =>
  new LoginGuard({ keyPrefix: (name) => `unit${n++}:${name}` }, { ...limits, ...overrides });

describe('login guard (in memory)', () => {
  it('lets the free attempts through, then slows down with doubling delays, then locks out', async () => {
    const g = guard();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await g.admit('alice', '10.0.0.1'));
    expect(results.map((r) => (r.admitted ? r.delayMs : 'locked'))).toEqual([0, 0, 250, 500, 1000, 'locked']);
    const locked = results[5]!;
    expect(locked.admitted).toBe(false);
    if (!locked.admitted) {
      expect(locked.retryAfterSeconds).toBeGreaterThanOrEqual(59);
      expect(locked.lockStarted).toBe(true);
    }
    const again = await g.admit('alice', '10.0.0.2');
    expect(again.admitted).toBe(false);
    if (!again.admitted) expect(again.lockStarted).toBe(false);
  });

  it('counts unknown and known usernames alike, and a success clears the username', async () => {
    const g = guard();
    await g.admit('bob', '10.0.0.1');
    await g.admit('bob', '10.0.0.1');
    await g.succeeded('bob', '10.0.0.1');
    expect(await g.admit('bob', '10.0.0.1')).toEqual({ admitted: true, delayMs: 0 });
  });

  it('locks out one address that tries many usernames', async () => {
    const g = guard();
    const results = [];
    for (let i = 0; i < 9; i++) results.push(await g.admit(`user${i}`, '10.9.9.9'));
    expect(results.slice(0, 8).every((r) => r.admitted)).toBe(true);
    expect(results[8]!.admitted).toBe(false);
    expect((await g.admit('someone-else', '10.1.1.1')).admitted).toBe(true);
  });

  it('admits no more than the budget from a parallel burst (counted before any hashing)', async () => {
    const g = guard();
    const results = await Promise.all(Array.from({ length: 50 }, () => g.admit('carol', '10.0.0.5')));
    expect(results.filter((r) => r.admitted)).toHaveLength(5);
  });
});
