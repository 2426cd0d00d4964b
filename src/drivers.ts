import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import type * as MariaDb from 'mariadb';

const load = createRequire(import.meta.url);

/**
 * The Redis and MariaDB clients, loaded on first use: a gateway configured without them (demo mode,
 * SQLite, no Redis) does not carry their code (~25 MB resident; bench/memory.ts).
 */
export const drivers = {
  ioredis: (): typeof IoRedis => load('ioredis') as typeof IoRedis,
  mariadb: (): typeof MariaDb => load('mariadb') as typeof MariaDb,
};
