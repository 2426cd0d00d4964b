import { Redis } from 'ioredis';
import { pino } from 'pino';
import { AuditService } from '../audit/audit-service.ts';
import { ApiKeyRepository } from '../auth/api-key-repository.ts';
import { ApiKeyService } from '../auth/api-key-service.ts';
import { createAuth, type Auth } from '../auth/index.ts';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';

/** Opens the configured database (migrated), runs `work`, and always closes it. */
export async function withDatabase<T>(work: (db: Database, apiKeys: ApiKeyService) => Promise<T>): Promise<T> {
  const db = openDatabase(loadConfig().database);
  try {
    await migrate(db);
    return await work(db, new ApiKeyService(new ApiKeyRepository(db)));
  } finally {
    await db.close();
  }
}

/**
 * Like withDatabase, with users, keys and tokens wired as in the server. With REDIS_URL set, changes
 * (revoked keys, ended sessions, a rotated signing key) are announced to running gateways at once.
 */
export async function withAuth<T>(work: (auth: Auth, db: Database, audit: AuditService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = config.redis
    ? new Redis(config.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 3_000, lazyConnect: true })
    : undefined;
  redis?.on('error', () => undefined);
  await redis
    ?.connect()
    .catch((error: Error) =>
      console.error(`warning: Redis not reachable (${error.message}); running gateways learn of changes within AUTH_CACHE_TTL_S`),
    );
  const logger = pino({ level: 'silent' });
  try {
    return await withDatabase(async (db) => {
      const audit = new AuditService(db);
      const auth = await createAuth({
        db,
        audit,
        config: config.security.auth,
        logger,
        redis: redis?.status === 'ready' && config.redis ? { client: redis, keyPrefix: config.redis.keyPrefix } : undefined,
      });
      try {
        return await work(auth, db, audit);
      } finally {
        await auth.close();
      }
    });
  } finally {
    redis?.disconnect();
  }
}
