import type { Migration } from './index.ts';
import { MARIADB_TABLE } from './ddl.ts';

/**
 * Security (versions 2–9): users, key owners, refresh tokens, signing keys, the audit log.
 * Secrets are never stored: passwords as scrypt hashes, keys and refresh tokens as SHA-256. The signing
 * keys' private halves are stored (the database is trusted, like the password hashes it holds).
 */
export const SECURITY_MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    name: 'users',
    up: {
      sqlite: [
        `CREATE TABLE users (
           id TEXT PRIMARY KEY,
           name TEXT NOT NULL UNIQUE,
           role TEXT NOT NULL,
           password_hash TEXT NOT NULL,
           chargepoints TEXT NOT NULL DEFAULT '',
           disabled_at INTEGER,
           created_at INTEGER NOT NULL,
           updated_at INTEGER NOT NULL
         )`,
      ],
      mariadb: [
        `CREATE TABLE users (
           id CHAR(36) NOT NULL PRIMARY KEY,
           name VARCHAR(64) NOT NULL,
           role VARCHAR(16) NOT NULL,
           password_hash VARCHAR(255) NOT NULL,
           chargepoints TEXT NOT NULL,
           disabled_at BIGINT NULL,
           created_at BIGINT NOT NULL,
           updated_at BIGINT NOT NULL,
           UNIQUE KEY uq_users_name (name)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 3,
    name: 'api key owners and chargepoints',
    up: {
      sqlite: [
        'ALTER TABLE api_keys ADD COLUMN user_id TEXT',
        'ALTER TABLE api_keys ADD COLUMN chargepoints TEXT',
        'CREATE INDEX ix_api_keys_user ON api_keys (user_id)',
      ],
      mariadb: [
        'ALTER TABLE api_keys ADD COLUMN user_id CHAR(36) NULL, ADD COLUMN chargepoints TEXT NULL, ADD INDEX ix_api_keys_user (user_id)',
      ],
    },
  },
  {
    version: 4,
    name: 'refresh tokens',
    up: {
      sqlite: [
        `CREATE TABLE refresh_tokens (
           id TEXT PRIMARY KEY,
           family_id TEXT NOT NULL,
           user_id TEXT NOT NULL,
           token_hash TEXT NOT NULL UNIQUE,
           created_at INTEGER NOT NULL,
           expires_at INTEGER NOT NULL,
           replaced_at INTEGER,
           revoked_at INTEGER
         )`,
        'CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id)',
        'CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id)',
        'CREATE INDEX ix_refresh_tokens_revoked ON refresh_tokens (revoked_at)',
      ],
      mariadb: [
        `CREATE TABLE refresh_tokens (
           id CHAR(36) NOT NULL PRIMARY KEY,
           family_id CHAR(36) NOT NULL,
           user_id CHAR(36) NOT NULL,
           token_hash CHAR(64) NOT NULL,
           created_at BIGINT NOT NULL,
           expires_at BIGINT NOT NULL,
           replaced_at BIGINT NULL,
           revoked_at BIGINT NULL,
           UNIQUE KEY uq_refresh_tokens_hash (token_hash),
           KEY ix_refresh_tokens_family (family_id),
           KEY ix_refresh_tokens_user (user_id),
           KEY ix_refresh_tokens_revoked (revoked_at)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 5,
    name: 'token signing keys',
    up: {
      sqlite: [
        `CREATE TABLE signing_keys (
           kid TEXT PRIMARY KEY,
           alg TEXT NOT NULL,
           public_jwk TEXT NOT NULL,
           private_jwk TEXT NOT NULL,
           created_at INTEGER NOT NULL,
           retired_at INTEGER
         )`,
      ],
      mariadb: [
        `CREATE TABLE signing_keys (
           kid CHAR(36) NOT NULL PRIMARY KEY,
           alg VARCHAR(16) NOT NULL,
           public_jwk TEXT NOT NULL,
           private_jwk TEXT NOT NULL,
           created_at BIGINT NOT NULL,
           retired_at BIGINT NULL
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 6,
    name: 'audit log',
    up: {
      sqlite: [
        `CREATE TABLE audit_log (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           at INTEGER NOT NULL,
           action TEXT NOT NULL,
           outcome TEXT NOT NULL,
           actor_type TEXT NOT NULL,
           actor_id TEXT,
           actor_name TEXT,
           target_type TEXT,
           target_id TEXT,
           ip TEXT,
           user_agent TEXT,
           detail TEXT
         )`,
        'CREATE INDEX ix_audit_log_at ON audit_log (at)',
        'CREATE INDEX ix_audit_log_action ON audit_log (action, id)',
        'CREATE INDEX ix_audit_log_actor_id ON audit_log (actor_id, id)',
        'CREATE INDEX ix_audit_log_actor_name ON audit_log (actor_name, id)',
      ],
      mariadb: [
        `CREATE TABLE audit_log (
           id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
           at BIGINT NOT NULL,
           action VARCHAR(64) NOT NULL,
           outcome VARCHAR(16) NOT NULL,
           actor_type VARCHAR(16) NOT NULL,
           actor_id VARCHAR(64) NULL,
           actor_name VARCHAR(100) NULL,
           target_type VARCHAR(32) NULL,
           target_id VARCHAR(64) NULL,
           ip VARCHAR(64) NULL,
           user_agent VARCHAR(256) NULL,
           detail TEXT NULL,
           KEY ix_audit_log_at (at),
           KEY ix_audit_log_action (action, id),
           KEY ix_audit_log_actor_id (actor_id, id),
           KEY ix_audit_log_actor_name (actor_name, id)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 7,
    name: 'api key device bindings',
    up: {
      // A key bound to one device (a pulse meter, a measurement series) reaches only that device's operations.
      sqlite: [
        'ALTER TABLE api_keys ADD COLUMN bound_kind TEXT',
        'ALTER TABLE api_keys ADD COLUMN bound_id TEXT',
        'CREATE INDEX ix_api_keys_bound ON api_keys (bound_kind, bound_id)',
      ],
      mariadb: [
        'ALTER TABLE api_keys ADD COLUMN bound_kind VARCHAR(16) NULL, ADD COLUMN bound_id VARCHAR(64) NULL, ADD INDEX ix_api_keys_bound (bound_kind, bound_id)',
      ],
    },
  },
];
