import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, SqlParam } from './database.ts';

type Param = Exclude<SqlParam, boolean> | 0 | 1;
const bind = (params: readonly SqlParam[]): Param[] => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

function statementCache(make: (sql: string) => BetterSqlite3.Statement) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const get = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = make(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return Object.assign(get, { clear: () => statements.clear() });
}

export function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

  // better-sqlite3 is synchronous; statements are cached because the hot paths repeat a few of them. A
  // statement returns arrays (raw) or objects for all its uses, so each way has its own cache.
  const prepare = statementCache((sql) => db.prepare(sql));
  const prepareArrays = statementCache((sql) => db.prepare(sql).raw(true));

  const run = {
    query: async <Row>(sql: string, params: readonly SqlParam[] = []) => prepare(sql).all(...bind(params)) as Row[],
    execute: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: prepare(sql).run(...bind(params)).changes }),
  };
  // One connection: while a transaction awaits between its statements, everything else waits for it, so no
  // unrelated statement lands inside it (and is rolled back with it) and transactions never nest.
  let current: Promise<unknown> = Promise.resolve();
  const afterTransactions = async () => {
    for (let seen = current; ; seen = current) {
      await seen.catch(() => undefined);
      if (seen === current) return;
    }
  };
  const query = async <Row>(sql: string, params?: readonly SqlParam[]) => {
    await afterTransactions();
    return run.query<Row>(sql, params);
  };
  const queryArrays = async <Values extends readonly unknown[]>(sql: string, params: readonly SqlParam[] = []) => {
    await afterTransactions();
    return prepareArrays(sql).all(...bind(params)) as Values[];
  };
  const execute = async (sql: string, params?: readonly SqlParam[]) => {
    await afterTransactions();
    return run.execute(sql, params);
  };

  const adapter: Database = {
    dialect: 'sqlite',
    query,
    queryArrays,
    execute,
    transaction(work) {
      const transaction = current
        .catch(() => undefined)
        .then(async () => {
          db.exec('BEGIN IMMEDIATE');
          try {
            const result = await work({ dialect: 'sqlite', query: run.query, execute: run.execute });
            db.exec('COMMIT');
            return result;
          } catch (error) {
            db.exec('ROLLBACK');
            throw error;
          }
        });
      current = transaction;
      return transaction;
    },
    async ping() {
      prepare('SELECT 1').get();
    },
    async close() {
      prepare.clear();
      prepareArrays.clear();
      db.close();
    },
  };
  return adapter;
}
