import { describe, expect, it } from 'vitest';
import { generateApiKey, grants, hashApiKey, isWellFormedApiKey, parseScopes } from '../../../src/auth/api-key.ts';
import { parseExpiry } from '../../../src/cli/keys.ts';

describe('API keys', () => {
  it('generates distinct well-formed keys whose hash is what is stored', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(isWellFormedApiKey(a.key)).toBe(true);
    expect(a.key.startsWith(`${a.prefix}_`)).toBe(true);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects malformed keys without a lookup', () => {
    expect(isWellFormedApiKey('')).toBe(false);
    expect(isWellFormedApiKey('owg_short_x')).toBe(false);
    expect(isWellFormedApiKey(`owg_ABCDEFGH_${'a'.repeat(43)}`)).toBe(false);
  });

  it('grants a scope to keys holding it or admin', () => {
    expect(grants(['read'], 'read')).toBe(true);
    expect(grants(['control'], 'read')).toBe(false);
    expect(grants(['read'], 'control')).toBe(false);
    expect(grants(['admin'], 'control')).toBe(true);
  });

  it('parses scope lists strictly', () => {
    expect(parseScopes('read, control,read')).toEqual(['read', 'control']);
    expect(() => parseScopes('read,root')).toThrow(/unknown: root/);
    expect(() => parseScopes('')).toThrow();
  });

  it('parses expiries as durations or future ISO dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseExpiry('90d', now)).toBe(now + 90 * 86_400_000);
    expect(parseExpiry('2027-01-01T00:00:00Z', now)).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(() => parseExpiry('2020-01-01', now)).toThrow(/past/);
    expect(() => parseExpiry('soon', now)).toThrow();
  });
});
