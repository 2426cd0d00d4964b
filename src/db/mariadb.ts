import * as mariadb from 'mariadb';
import type { Database, SqlParam } from './database.ts';

type Executor = Pick<mariadb.Pool, 'query'>;

function bindTo(executor: Executor): Pick<Database, 'dialect' | 'query' | 'execute'> {
  return {
    dialect: 'mariadb',
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      const rows = (await executor.query({ sql, bigIntAsNumber: true, insertIdAsNumber: true }, [...params])) as Row[];
      return Array.from(rows);
    },
    async execute(sql: string, params: readonly SqlParam[] = []) {
      const result = (await executor.query({ sql, bigIntAsNumber: true, insertIdAsNumber: true }, [...params])) as mariadb.UpsertResult;
      return { changes: Number(result.affectedRows) };
    },
  };
}

/**
 * `connectTimeoutMs` bounds both connecting and waiting for a pooled connection: while the database is
 * unreachable an operation fails after about that long (the API answers 503) instead of holding the request.
 */
export function openMariaDb(url: string, options: { connectTimeoutMs?: number } = {}): Database {
  const timeout = options.connectTimeoutMs ?? 1_000;
  const pool = mariadb.createPool({
    ...parseMariaDbUrl(url),
    connectionLimit: 8,
    acquireTimeout: timeout,
    connectTimeout: timeout,
    timezone: 'Z',
  });
  const direct = bindTo(pool);
  return {
    ...direct,
    async queryArrays<Values extends readonly unknown[]>(sql: string, params: readonly SqlParam[] = []) {
      return Array.from((await pool.query({ sql, rowsAsArray: true, bigIntAsNumber: true }, [...params])) as Values[]);
    },
    async transaction(work) {
      const connection = await pool.getConnection();
      try {
        await connection.beginTransaction();
        const result = await work(bindTo(connection));
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        throw error;
      } finally {
        await connection.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

export function parseMariaDbUrl(url: string): mariadb.PoolConfig {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL: a MariaDB URL needs a database name, e.g. mariadb://user:pass@host:3306/openwb');
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}
