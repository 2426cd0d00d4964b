import { ApiKeyRepository } from '../auth/api-key-repository.ts';
import { ApiKeyService } from '../auth/api-key-service.ts';
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
