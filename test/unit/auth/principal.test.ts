import { describe, expect, it } from 'vitest';
import { effectiveChargepoints, effectiveScopes, makePrincipal } from '../../../src/auth/principal.ts';

describe('principals', () => {
  it('cuts scopes down to what the role allows', () => {
    expect(effectiveScopes('user', ['read', 'control', 'admin'])).toEqual(['read', 'control']);
    expect(effectiveScopes('admin', ['admin'])).toEqual(['admin']);
    expect(effectiveScopes('user', ['admin'])).toEqual([]);
    // A user's energsync key would see every session of its chargepoints, more than the user: admins only.
    expect(effectiveScopes('user', ['read', 'energsync'])).toEqual(['read']);
    expect(effectiveScopes('admin', ['energsync'])).toEqual(['energsync']);
  });

  it('gives admins every chargepoint and users only theirs; a key narrows but never widens', () => {
    expect(effectiveChargepoints('admin', ['1'], null)).toBeNull();
    expect(effectiveChargepoints('admin', [], ['3'])).toEqual(new Set(['3']));
    expect(effectiveChargepoints('user', ['1', '3'], null)).toEqual(new Set(['1', '3']));
    expect(effectiveChargepoints('user', ['1', '3'], ['3', '7'])).toEqual(new Set(['3']));
    expect(effectiveChargepoints('user', [], null)).toEqual(new Set());
  });

  it('answers canAccessChargepoint from the effective set', () => {
    const user = makePrincipal({
      kind: 'token',
      id: 's',
      userId: 'u',
      name: 'bob',
      role: 'user',
      scopes: ['read', 'control', 'admin'],
      userChargepoints: ['3'],
    });
    expect(user.scopes).toEqual(['read', 'control']);
    expect(user.canAccessChargepoint('3')).toBe(true);
    expect(user.canAccessChargepoint('4')).toBe(false);
    const admin = makePrincipal({ kind: 'apiKey', id: 'k', userId: null, name: 'cli', role: 'admin', scopes: ['read'] });
    expect(admin.canAccessChargepoint('anything')).toBe(true);
    expect(admin.keyId).toBe('k');
    expect(Object.isFrozen(admin)).toBe(true);
  });
});

describe('device-bound principals', () => {
  const base = { kind: 'apiKey' as const, id: 'k', userId: 'u', name: 'esp', role: 'user' as const };

  it('keeps only the device scope on a bound key and reaches no chargepoint', () => {
    const bound = makePrincipal({
      ...base,
      scopes: ['device', 'read', 'control'],
      userChargepoints: ['3'],
      device: { kind: 'meter', id: 'm1' },
    });
    expect(bound.scopes).toEqual(['device']);
    expect(bound.device).toEqual({ kind: 'meter', id: 'm1' });
    expect(bound.canAccessChargepoint('3')).toBe(false);
  });

  it('drops the device scope from a key without a binding', () => {
    const unbound = makePrincipal({ ...base, scopes: ['device', 'read'], userChargepoints: ['3'] });
    expect(unbound.scopes).toEqual(['read']);
    expect(unbound.device).toBeUndefined();
    expect(unbound.canAccessChargepoint('3')).toBe(true);
  });
});
