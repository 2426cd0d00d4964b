import { describe, expect, it } from 'vitest';
import { generatePassword, PasswordHasher, passwordProblem } from '../../../src/auth/password.ts';

describe('password hashing (scrypt)', () => {
  const hasher = new PasswordHasher({ logN: 15 });

  it('stores a salted PHC string that verifies the right password only', async () => {
    const [a, b] = await Promise.all([hasher.hash('correct horse battery'), hasher.hash('correct horse battery')]);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
    expect(await hasher.verify('correct horse battery', a)).toBe(true);
    expect(await hasher.verify('correct horse batterY', a)).toBe(false);
    expect(await hasher.verify('', a)).toBe(false);
  });

  it('normalises Unicode so the same password typed differently verifies', async () => {
    const stored = await hasher.hash('Ångström-passwort');
    expect(await hasher.verify('A\u030Angstro\u0308m-passwort', stored)).toBe(true);
  });

  it('refuses malformed or hostile stored values instead of throwing or burning memory', async () => {
    expect(await hasher.verify('x', 'plain-text')).toBe(false);
    expect(await hasher.verify('x', '$scrypt$ln=30,r=8,p=1$AAAA$AAAA')).toBe(false);
  });

  it('asks for a re-hash when the configured cost grew', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(hasher.needsRehash(stored)).toBe(false);
    expect(new PasswordHasher({ logN: 16 }).needsRehash(stored)).toBe(true);
    expect(() => new PasswordHasher({ logN: 12 })).toThrow();
  });

  it('keeps one dummy hash for unknown users, which no password matches', async () => {
    const dummy = await hasher.dummyHash();
    expect(await hasher.dummyHash()).toBe(dummy);
    expect(await hasher.verify('', dummy)).toBe(false);
  });

  it('generates long random passwords and checks only length', () => {
    const a = generatePassword();
    expect(a).toHaveLength(24);
    expect(a).not.toBe(generatePassword());
    expect(passwordProblem(a)).toBeUndefined();
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
    expect(passwordProblem('no rules at all')).toBeUndefined();
  });
});
