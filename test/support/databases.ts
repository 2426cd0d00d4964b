/** Both SQL back ends for describe.each: a fresh, migrated database per suite, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../src/db/database.ts';
import { openMariaDb } from '../../src/db/mariadb.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openSqlite } from '../../src/db/sqlite.ts';
import { createMariaDbDatabase } from './services.ts';

export interface DatabaseTarget {
  /** The DATABASE_URL of the target (for a gateway or a CLI run against the same database). */
  url: string;
  db: Database;
  /** Opens another connection (pool) to the same database. */
  reopen(): Database;
  dispose(): Promise<void>;
}

export type TargetFactory = (label: string) => Promise<DatabaseTarget>;

export const sqliteTarget: TargetFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-stat-'));
  const path = join(dir, 'test.db');
  const db = openSqlite(path);
  await migrate(db);
  const extra: Database[] = [];
  return {
    url: `sqlite:${path}`,
    db,
    reopen: () => {
      const other = openSqlite(path);
      extra.push(other);
      return other;
    },
    dispose: async () => {
      for (const d of [db, ...extra]) await d.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const mariadbTarget: TargetFactory = async (label) => {
  const database = await createMariaDbDatabase(label);
  const db = openMariaDb(database.url);
  await migrate(db);
  const extra: Database[] = [];
  return {
    url: database.url,
    db,
    reopen: () => {
      const other = openMariaDb(database.url);
      extra.push(other);
      return other;
    },
    dispose: async () => {
      for (const d of [db, ...extra]) await d.close().catch(() => undefined);
      await database.drop();
    },
  };
};

export const BOTH_DATABASES: [string, TargetFactory][] = [
  ['SQLite', sqliteTarget],
  ['MariaDB', mariadbTarget],
];
