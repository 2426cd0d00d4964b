import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AuditService } from '../audit/audit-service.ts';
import type { Database } from '../db/database.ts';
import { redisKeys } from '../redis-keys.ts';
import { ApiKeyRepository } from './api-key-repository.ts';
import { ApiKeyService } from './api-key-service.ts';
import { AuthService } from './auth-service.ts';
import { Authenticator } from './authenticator.ts';
import { memoryInvalidation, redisInvalidation, type AuthInvalidation } from './invalidation.ts';
import { KdfGate } from './kdf-gate.ts';
import { KeyManagement } from './key-management.ts';
import type { LimiterStore } from './limiters.ts';
import { LoginGuard, type LoginLimits } from './login-guard.ts';
import { PasswordHasher } from './password.ts';
import { RefreshTokenRepository } from './refresh-token-repository.ts';
import { SessionRevocations } from './session-revocations.ts';
import { Keyring } from './signing-keys.ts';
import { TokenService } from './token-service.ts';
import { UserService } from './user-service.ts';

export interface AuthConfig {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** Backstop for cached keys and users; changes are pushed to every instance at once. */
  cacheTtlMs: number;
  /** How long known keys and users are still accepted while the database cannot be reached. */
  cacheMaxStaleMs: number;
  scryptLogN: number;
  login: LoginLimits & { kdfConcurrency: number; kdfQueue: number };
}

export interface Auth {
  invalidation: AuthInvalidation;
  limiterStore: LimiterStore;
  apiKeys: ApiKeyService;
  users: UserService;
  tokens: TokenService;
  keyring: Keyring;
  authenticator: Authenticator;
  service: AuthService;
  /** Budgets of failed authentications per username and per address (logins, the stream's upgrade). */
  guard: LoginGuard;
  keys: KeyManagement;
  close(): Promise<void>;
}

export interface AuthDeps {
  db: Database;
  audit: AuditService;
  config: AuthConfig;
  logger: Logger;
  /** Shared state for several instances (invalidation, limiter counters); absent: this process only. */
  redis?: { client: Redis; keyPrefix: string };
  /** Where the credential cache counts what it served from the last known state. */
  registry?: Registry;
  now?: () => number;
}

/** Wires users, keys, tokens, limits and the authenticator. Starts the keyring (creates the first signing key). */
export async function createAuth(deps: AuthDeps): Promise<Auth> {
  const { db, config, logger } = deps;
  const keys = redisKeys(deps.redis?.keyPrefix ?? 'owg:');
  const invalidation = deps.redis ? await redisInvalidation(deps.redis.client, keys.authInvalidation, logger) : memoryInvalidation();
  const limiterStore: LimiterStore = { redis: deps.redis?.client, keyPrefix: keys.rateLimit };
  const hasher = new PasswordHasher({ logN: config.scryptLogN });
  const refreshTokens = new RefreshTokenRepository(db);
  const revocations = new SessionRevocations(refreshTokens, invalidation, config.accessTokenTtlMs, deps.now);
  // A retired key verifies as long as a token it signed (before other instances noticed the rotation) can live.
  const keyring = new Keyring(db, { verifyRetiredForMs: config.accessTokenTtlMs + 120_000, now: deps.now });
  const staleServed = new Counter({
    name: 'auth_cache_stale_served_total',
    help: 'Credential checks answered from the last known state because the database could not be reached',
    labelNames: ['cache'] as const,
    registers: deps.registry ? [deps.registry] : [],
  });
  const apiKeys = new ApiKeyService(new ApiKeyRepository(db), {
    cacheTtlMs: config.cacheTtlMs,
    cacheMaxStaleMs: config.cacheMaxStaleMs,
    onStaleServed: () => staleServed.inc({ cache: 'apiKeys' }),
    invalidation,
    now: deps.now,
  });
  const users: UserService = new UserService({
    db,
    hasher,
    invalidation,
    cacheTtlMs: config.cacheTtlMs,
    cacheMaxStaleMs: config.cacheMaxStaleMs,
    onStaleServed: () => staleServed.inc({ cache: 'users' }),
    endAllSessions: (userId) => tokens.endAllSessions(userId),
    revokeKeys: (userId) => apiKeys.revokeByOwner(userId),
    now: deps.now,
  });
  const tokens: TokenService = new TokenService(db, keyring, refreshTokens, revocations, {
    accessTokenTtlMs: config.accessTokenTtlMs,
    refreshTokenTtlMs: config.refreshTokenTtlMs,
    userActive: (userId) => users.isActive(userId),
    now: deps.now,
  });
  invalidation.subscribe((change) => {
    if (change.type === 'signingKeys' || change.type === 'all') void keyring.reload().catch(() => undefined);
  });

  await Promise.all([keyring.start(), revocations.load()]);
  const prune = setInterval(() => void tokens.pruneExpired().catch(() => undefined), 3_600_000);
  prune.unref();

  const guard = new LoginGuard(limiterStore, config.login);
  const gate = new KdfGate(config.login.kdfConcurrency, config.login.kdfQueue);
  const service = new AuthService({ users, tokens, hasher, gate, guard, audit: deps.audit, logger });
  return {
    invalidation,
    limiterStore,
    apiKeys,
    users,
    tokens,
    keyring,
    authenticator: new Authenticator(apiKeys, tokens, users),
    service,
    guard,
    keys: new KeyManagement(apiKeys, deps.audit, deps.now),
    async close() {
      clearInterval(prune);
      keyring.stop();
      await invalidation.close();
    },
  };
}
