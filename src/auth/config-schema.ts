/**
 * The security part of the configuration (users, tokens, login lock-out, rate limits, CORS, proxy),
 * merged into src/config.ts. Every key is documented in README.md (Security) and SECURITY.md.
 */
import { z } from 'zod';
import type { AuthConfig } from './index.ts';

export const SECURITY_CONFIG_KEYS = [
  'ACCESS_TOKEN_TTL_S',
  'REFRESH_TOKEN_TTL_S',
  'AUTH_CACHE_TTL_S',
  'AUTH_CACHE_MAX_STALE_S',
  'PASSWORD_SCRYPT_LOG_N',
  'LOGIN_FREE_FAILURES',
  'LOGIN_MAX_FAILURES_PER_USER',
  'LOGIN_MAX_FAILURES_PER_IP',
  'LOGIN_LOCKOUT_S',
  'LOGIN_MAX_DELAY_MS',
  'LOGIN_KDF_CONCURRENCY',
  'LOGIN_KDF_QUEUE',
  'RATE_LIMIT_IP_PER_MIN',
  'RATE_LIMIT_KEY_PER_MIN',
  'RATE_LIMIT_KEY_PER_DAY',
  'CORS_ORIGINS',
  'TRUST_PROXY',
] as const;

/** Express `trust proxy`: `false`, a hop count, or addresses / CIDR ranges / loopback, linklocal, uniquelocal. */
export type TrustProxy = false | number | string[];

export interface SecurityConfig {
  auth: AuthConfig;
  rateLimits: { ipPerMinute: number; keyPerMinute: number; keyPerDay: number };
  cors: { origins: string[] };
  trustProxy: TrustProxy;
}

const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const PROXY_ADDRESS = /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/;

const origins = z.string().transform((value, ctx) => {
  const list = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (!ORIGIN.test(origin))
      ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://app.example.com (no path, no wildcard)` });
  }
  return list;
});

const trustProxy = z.string().transform((value, ctx): TrustProxy => {
  const v = value.trim();
  if (v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === 'true') {
    // Trusting every hop lets any client choose its address in X-Forwarded-For and dodge the per-address limits.
    ctx.addIssue({
      code: 'custom',
      message: 'name the proxy instead of "true": a hop count (1 behind one nginx) or its addresses/CIDR ranges',
    });
    return z.NEVER;
  }
  const list = v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of list) {
    if (!PROXY_NAMES.has(entry) && !PROXY_ADDRESS.test(entry))
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not an address, CIDR range, hop count or loopback/linklocal/uniquelocal` });
  }
  return list;
});

export const securitySchemaShape = {
  ACCESS_TOKEN_TTL_S: int(60, 3600).default(900),
  REFRESH_TOKEN_TTL_S: int(3600, 31_536_000).default(2_592_000),
  AUTH_CACHE_TTL_S: int(1, 3600).default(60),
  AUTH_CACHE_MAX_STALE_S: int(0, 86_400).default(900),
  PASSWORD_SCRYPT_LOG_N: int(15, 20).default(17),
  LOGIN_FREE_FAILURES: int(0, 1000).default(3),
  LOGIN_MAX_FAILURES_PER_USER: int(1, 1000).default(10),
  LOGIN_MAX_FAILURES_PER_IP: int(1, 1_000_000).default(50),
  LOGIN_LOCKOUT_S: int(1, 86_400).default(900),
  LOGIN_MAX_DELAY_MS: int(0, 60_000).default(8000),
  LOGIN_KDF_CONCURRENCY: int(1, 64).default(1),
  LOGIN_KDF_QUEUE: int(0, 10_000).default(8),
  RATE_LIMIT_IP_PER_MIN: int(1, 1_000_000_000).default(1200),
  RATE_LIMIT_KEY_PER_MIN: int(1, 1_000_000_000).default(600),
  RATE_LIMIT_KEY_PER_DAY: int(1, 1_000_000_000).default(100_000),
  CORS_ORIGINS: origins.default([]),
  TRUST_PROXY: trustProxy.default(false),
};

type Parsed = { [K in keyof typeof securitySchemaShape]: z.output<(typeof securitySchemaShape)[K]> };

/** Maps the parsed keys; cross-key problems are added to `problems`. */
export function securityConfig(c: Parsed, problems: string[]): SecurityConfig {
  if (c.LOGIN_FREE_FAILURES >= c.LOGIN_MAX_FAILURES_PER_USER) {
    problems.push('LOGIN_FREE_FAILURES: must be below LOGIN_MAX_FAILURES_PER_USER (the slow-down comes before the lock-out)');
  }
  return {
    auth: {
      accessTokenTtlMs: c.ACCESS_TOKEN_TTL_S * 1000,
      refreshTokenTtlMs: c.REFRESH_TOKEN_TTL_S * 1000,
      cacheTtlMs: c.AUTH_CACHE_TTL_S * 1000,
      cacheMaxStaleMs: c.AUTH_CACHE_MAX_STALE_S * 1000,
      scryptLogN: c.PASSWORD_SCRYPT_LOG_N,
      login: {
        freeFailures: c.LOGIN_FREE_FAILURES,
        maxFailuresPerUser: c.LOGIN_MAX_FAILURES_PER_USER,
        maxFailuresPerIp: c.LOGIN_MAX_FAILURES_PER_IP,
        lockoutSeconds: c.LOGIN_LOCKOUT_S,
        maxDelayMs: c.LOGIN_MAX_DELAY_MS,
        kdfConcurrency: c.LOGIN_KDF_CONCURRENCY,
        kdfQueue: c.LOGIN_KDF_QUEUE,
      },
    },
    rateLimits: { ipPerMinute: c.RATE_LIMIT_IP_PER_MIN, keyPerMinute: c.RATE_LIMIT_KEY_PER_MIN, keyPerDay: c.RATE_LIMIT_KEY_PER_DAY },
    cors: { origins: c.CORS_ORIGINS },
    trustProxy: c.TRUST_PROXY,
  };
}
