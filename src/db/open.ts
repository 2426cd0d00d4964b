import type { DatabaseTarget } from '../config.ts';
import type { Database } from './database.ts';
import { openMariaDb } from './mariadb.ts';
import { openSqlite } from './sqlite.ts';

export function openDatabase(target: DatabaseTarget): Database {
  return target.kind === 'sqlite' ? openSqlite(target.path) : openMariaDb(target.url, { connectTimeoutMs: target.connectTimeoutMs });
}
