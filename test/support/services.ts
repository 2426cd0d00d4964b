/**
 * Where the real test services are, and helpers that give each test file its own slice of them
 * (MQTT topic prefix, Redis key prefix, MariaDB database) so files can run in parallel.
 *
 * The services themselves are started by `bash scripts/ensure-services.sh` (npm's pretest);
 * `test/support/global-setup.ts` fails the whole run when one of them does not answer.
 */
import { randomBytes } from 'node:crypto';
import * as mariadb from 'mariadb';

export const services = {
  mqttUrl: process.env.TEST_MQTT_URL || 'mqtt://127.0.0.1:1883',
  redisUrl: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379',
  mariadbUrl: process.env.TEST_MARIADB_URL || 'mariadb://owg_test:owg_test@127.0.0.1:3306/owg_test',
} as const;

/** The hint every "service missing" message ends with. */
export const ENSURE_SERVICES_HINT = 'run: bash scripts/ensure-services.sh';

/** Characters allowed in `uniqueId` values: safe as an MQTT topic segment, a Redis key prefix
 * and part of a MariaDB database name (no quoting needed). */
export const UNIQUE_ID_PATTERN = /^[a-z0-9_]+$/;

let counter = 0;

/**
 * A process-wide unique id, e.g. `mqtt_bridge_k3x9_m3f1a2b_0_9f2c1a`, made of `[a-z0-9_]` only.
 * The label is lower-cased, other characters become `_`, and it is cut to 20 characters so the
 * result stays short enough for a MariaDB database name (64 characters at most).
 */
export function uniqueId(label: string): string {
  const safeLabel =
    label
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 20) || 'id';
  const random = randomBytes(4).toString('hex');
  return `${safeLabel}_${process.pid.toString(36)}_${Date.now().toString(36)}_${(counter++).toString(36)}_${random}`;
}

/** A fresh database name `owg_test_<unique>` that the test account may create and drop. */
export function uniqueDbName(label = 'db'): string {
  return `owg_test_${uniqueId(label)}`.slice(0, 64);
}

/** Connection options for the `mariadb` package from a `mariadb://user:pass@host:port/db` URL. */
export function mariaDbConfig(url: string = services.mariadbUrl): mariadb.ConnectionConfig {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    ...(database ? { database } : {}),
    connectTimeout: 5000,
  };
}

export interface TestDatabase {
  /** `mariadb://user:pass@host:port/<name>`: same server and credentials as TEST_MARIADB_URL. */
  url: string;
  name: string;
  /** Drops the database; safe to call more than once. */
  drop(): Promise<void>;
}

async function withAdminConnection<T>(fn: (conn: mariadb.Connection) => Promise<T>): Promise<T> {
  const config = mariaDbConfig(services.mariadbUrl);
  delete config.database;
  const conn = await mariadb.createConnection(config);
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** Creates a fresh, empty database `owg_test_<unique>` and returns its URL and a `drop()`. */
export async function createMariaDbDatabase(label = 'db'): Promise<TestDatabase> {
  const name = uniqueDbName(label);
  await withAdminConnection((conn) => conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`));
  const url = new URL(services.mariadbUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdminConnection((conn) => conn.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
  };
}
