import type { Dialect } from '../database.ts';
import { CONTROL_MIGRATIONS } from './control.ts';
import { METER_MIGRATIONS } from './meters.ts';
import { SECURITY_MIGRATIONS } from './security.ts';
import { STATISTICS_MIGRATIONS } from './statistics.ts';
import { MARIADB_TABLE } from './ddl.ts';
import { MEASUREMENT_MIGRATIONS } from './measurements.ts';

export interface Migration {
  version: number;
  name: string;
  up: Record<Dialect, string[]>;
}

/** Append only: a released migration is never edited, a change is a new version. Times are ms since the epoch (UTC). */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'api keys',
    up: {
      sqlite: [
        `CREATE TABLE api_keys (
           id TEXT PRIMARY KEY,
           name TEXT NOT NULL,
           prefix TEXT NOT NULL,
           key_hash TEXT NOT NULL UNIQUE,
           scopes TEXT NOT NULL,
           created_at INTEGER NOT NULL,
           expires_at INTEGER,
           revoked_at INTEGER,
           last_used_at INTEGER
         )`,
      ],
      mariadb: [
        `CREATE TABLE api_keys (
           id CHAR(36) NOT NULL PRIMARY KEY,
           name VARCHAR(100) NOT NULL,
           prefix VARCHAR(32) NOT NULL,
           key_hash CHAR(64) NOT NULL,
           scopes VARCHAR(100) NOT NULL,
           created_at BIGINT NOT NULL,
           expires_at BIGINT NULL,
           revoked_at BIGINT NULL,
           last_used_at BIGINT NULL,
           UNIQUE KEY uq_api_keys_key_hash (key_hash)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  ...SECURITY_MIGRATIONS,
  ...STATISTICS_MIGRATIONS,
  ...CONTROL_MIGRATIONS,
  ...MEASUREMENT_MIGRATIONS,
  ...METER_MIGRATIONS,
];
