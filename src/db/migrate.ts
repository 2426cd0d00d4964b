import type { Database } from './database.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

const CREATE_LEDGER = {
  sqlite: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  mariadb:
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB',
};

/**
 * Applies every pending migration in order and returns the versions applied. Safe to call from several
 * gateway instances at once: MariaDB serialises them with a named lock, SQLite with BEGIN IMMEDIATE.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.execute(CREATE_LEDGER[db.dialect]);
  return db.transaction(async (tx) => {
    if (tx.dialect === 'mariadb') await tx.query("SELECT GET_LOCK('openwb_gateway_migrations', 60)");
    try {
      const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        for (const statement of migration.up[tx.dialect]) await tx.execute(statement);
        await tx.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
        applied.push(migration.version);
      }
      return applied;
    } finally {
      if (tx.dialect === 'mariadb') await tx.query("SELECT RELEASE_LOCK('openwb_gateway_migrations')");
    }
  });
}
