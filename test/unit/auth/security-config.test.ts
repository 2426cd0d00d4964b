import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';

describe('security configuration', () => {
  it('has safe defaults', () => {
    const { security } = loadConfig({});
    expect(security.auth).toMatchObject({ accessTokenTtlMs: 900_000, refreshTokenTtlMs: 30 * 86_400_000, scryptLogN: 17 });
    expect(security.auth.login).toMatchObject({
      freeFailures: 3,
      maxFailuresPerUser: 10,
      maxFailuresPerIp: 50,
      lockoutSeconds: 900,
      kdfConcurrency: 1,
    });
    expect(security.rateLimits).toEqual({ ipPerMinute: 1200, keyPerMinute: 600, keyPerDay: 100_000 });
    expect(security.cors.origins).toEqual([]);
    expect(security.trustProxy).toBe(false);
  });

  it('reads CORS origins and the trusted proxy', () => {
    const { security } = loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173', TRUST_PROXY: '1' });
    expect(security.cors.origins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(security.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).security.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({ TRUST_PROXY: 'false' }).security.trustProxy).toBe(false);
  });

  it('rejects wildcards, paths, trust-everything and inconsistent limits, all at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ CORS_ORIGINS: '*,https://x.example/path', TRUST_PROXY: 'true', PASSWORD_SCRYPT_LOG_N: '12', ACCESS_TOKEN_TTL_S: '5' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = error!.problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(expect.arrayContaining(['CORS_ORIGINS', 'TRUST_PROXY', 'PASSWORD_SCRYPT_LOG_N', 'ACCESS_TOKEN_TTL_S']));
    expect(() => loadConfig({ LOGIN_FREE_FAILURES: '10', LOGIN_MAX_FAILURES_PER_USER: '5' })).toThrow(/LOGIN_FREE_FAILURES/);
  });
});
