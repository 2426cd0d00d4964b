import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mariadb from 'mariadb';
import type { Database } from '../../src/db/database.ts';
import { openMariaDb } from '../../src/db/mariadb.ts';
import { openSqlite } from '../../src/db/sqlite.ts';

/** The MariaDB server a bench uses: BENCH_MARIADB_URL, else the test suites' TEST_MARIADB_URL, else the local test account. */
export const BENCH_MARIADB_URL =
  process.env.BENCH_MARIADB_URL || process.env.TEST_MARIADB_URL || 'mariadb://owg_test:owg_test@127.0.0.1:3306/owg_test';

/** A database of the bench's own, made for one run and dropped after it. */
export interface BenchDatabase {
  name: 'SQLite' | 'MariaDB';
  /** What a gateway process is given as DATABASE_URL. */
  url: string;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

/** A SQLite file in a fresh temporary folder. */
export function sqliteBenchDatabase(label: string): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), `owg-bench-${label}-`));
  const path = join(dir, 'bench.db');
  return {
    name: 'SQLite',
    url: `sqlite:${path}`,
    open: async () => openSqlite(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A database of its own on the bench's MariaDB server, created by `open()` and dropped by `cleanup()`. */
export function mariaDbBenchDatabase(label: string): BenchDatabase {
  const server = new URL(BENCH_MARIADB_URL);
  const name = `owg_test_bench_${label}_${process.pid}_${Date.now().toString(36)}`;
  const connectToServer = () =>
    mariadb.createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    });
  const own = new URL(server);
  own.pathname = `/${name}`;
  return {
    name: 'MariaDB',
    url: own.toString(),
    open: async () => {
      const conn = await connectToServer();
      await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
      await conn.end();
      return openMariaDb(own.toString());
    },
    cleanup: async () => {
      const conn = await connectToServer();
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}
