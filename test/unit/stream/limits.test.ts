import { describe, expect, it } from 'vitest';
import { makePrincipal } from '../../../src/auth/principal.ts';
import { StreamLimits } from '../../../src/stream/limits.ts';

const user = (keyId: string) => makePrincipal({ kind: 'apiKey', id: keyId, userId: 'jane', name: 'jane', role: 'user', scopes: ['read'] });
const systemKey = (keyId: string) =>
  makePrincipal({ kind: 'apiKey', id: keyId, userId: null, name: keyId, role: 'admin', scopes: ['read'] });

describe('StreamLimits', () => {
  it('counts a user’s keys together, system keys each on their own, and frees a place once per release', () => {
    const limits = new StreamLimits({ perPrincipal: 2, perAddress: 100 });
    const first = limits.acquire(user('k1'), 'a');
    expect(typeof first).toBe('function');
    expect(typeof limits.acquire(user('k2'), 'b')).toBe('function');
    expect(limits.acquire(user('k3'), 'c')).toBe('principal-limit');
    expect(typeof limits.acquire(systemKey('s1'), 'a')).toBe('function');
    expect(typeof limits.acquire(systemKey('s2'), 'a')).toBe('function');
    (first as () => void)();
    (first as () => void)();
    expect(typeof limits.acquire(user('k3'), 'c')).toBe('function');
    expect(limits.acquire(user('k4'), 'c')).toBe('principal-limit');
  });

  it('limits streams per address across principals', () => {
    const limits = new StreamLimits({ perPrincipal: 10, perAddress: 2 });
    expect(typeof limits.acquire(systemKey('a'), '10.0.0.1')).toBe('function');
    expect(typeof limits.acquire(systemKey('b'), '10.0.0.1')).toBe('function');
    expect(limits.acquire(systemKey('c'), '10.0.0.1')).toBe('address-limit');
    expect(typeof limits.acquire(systemKey('c'), '10.0.0.2')).toBe('function');
  });
});
