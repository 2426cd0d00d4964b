import type { Migration } from './index.ts';
import { MARIADB_TABLE } from './ddl.ts';

/**
 * Control and RFID profiles (versions 20–29): commands sent to openWB and their outcome, what the gateway
 * remembers per chargepoint between commands, RFID profiles with their tags, and the RFID scans seen.
 * Profiles belong to a user and go with them (ON DELETE CASCADE); commands and RFID events are history and
 * keep the user id of their time.
 */
export const CONTROL_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: 'control commands',
    up: {
      sqlite: [
        `CREATE TABLE commands (
           id TEXT PRIMARY KEY,
           action TEXT NOT NULL,
           target_type TEXT NOT NULL,
           target_id TEXT NOT NULL,
           status TEXT NOT NULL,
           via TEXT NOT NULL,
           user_id TEXT,
           actor_type TEXT NOT NULL,
           actor_id TEXT,
           actor_name TEXT,
           request TEXT NOT NULL,
           topics TEXT NOT NULL,
           detail TEXT,
           created_at INTEGER NOT NULL,
           expires_at INTEGER NOT NULL,
           completed_at INTEGER
         )`,
        'CREATE INDEX ix_commands_created ON commands (created_at)',
        'CREATE INDEX ix_commands_status ON commands (status, expires_at)',
        `CREATE TABLE control_memory (
           chargepoint_id TEXT NOT NULL,
           name TEXT NOT NULL,
           value TEXT NOT NULL,
           updated_at INTEGER NOT NULL,
           PRIMARY KEY (chargepoint_id, name)
         )`,
      ],
      mariadb: [
        `CREATE TABLE commands (
           id CHAR(36) NOT NULL PRIMARY KEY,
           action VARCHAR(32) NOT NULL,
           target_type VARCHAR(16) NOT NULL,
           target_id VARCHAR(32) NOT NULL,
           status VARCHAR(16) NOT NULL,
           via VARCHAR(8) NOT NULL,
           user_id VARCHAR(64) NULL,
           actor_type VARCHAR(16) NOT NULL,
           actor_id VARCHAR(64) NULL,
           actor_name VARCHAR(100) NULL,
           request TEXT NOT NULL,
           topics TEXT NOT NULL,
           detail VARCHAR(500) NULL,
           created_at BIGINT NOT NULL,
           expires_at BIGINT NOT NULL,
           completed_at BIGINT NULL,
           KEY ix_commands_created (created_at),
           KEY ix_commands_status (status, expires_at)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE control_memory (
           chargepoint_id VARCHAR(32) NOT NULL,
           name VARCHAR(32) NOT NULL,
           value VARCHAR(200) NOT NULL,
           updated_at BIGINT NOT NULL,
           PRIMARY KEY (chargepoint_id, name)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 21,
    name: 'rfid profiles and their tags',
    up: {
      sqlite: [
        `CREATE TABLE rfid_profiles (
           id TEXT PRIMARY KEY,
           user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
           name TEXT NOT NULL,
           chargepoints TEXT NOT NULL,
           preset TEXT NOT NULL,
           created_at INTEGER NOT NULL,
           updated_at INTEGER NOT NULL
         )`,
        'CREATE INDEX ix_rfid_profiles_user ON rfid_profiles (user_id)',
        `CREATE TABLE rfid_profile_tags (
           tag_key TEXT PRIMARY KEY,
           tag TEXT NOT NULL,
           profile_id TEXT NOT NULL REFERENCES rfid_profiles (id) ON DELETE CASCADE,
           position INTEGER NOT NULL
         )`,
        'CREATE INDEX ix_rfid_profile_tags_profile ON rfid_profile_tags (profile_id)',
      ],
      mariadb: [
        `CREATE TABLE rfid_profiles (
           id CHAR(36) NOT NULL PRIMARY KEY,
           user_id CHAR(36) NOT NULL,
           name VARCHAR(100) NOT NULL,
           chargepoints TEXT NOT NULL,
           preset TEXT NOT NULL,
           created_at BIGINT NOT NULL,
           updated_at BIGINT NOT NULL,
           KEY ix_rfid_profiles_user (user_id),
           CONSTRAINT fk_rfid_profiles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE rfid_profile_tags (
           tag_key VARCHAR(64) NOT NULL PRIMARY KEY,
           tag VARCHAR(64) NOT NULL,
           profile_id CHAR(36) NOT NULL,
           position INT NOT NULL,
           KEY ix_rfid_profile_tags_profile (profile_id),
           CONSTRAINT fk_rfid_profile_tags_profile FOREIGN KEY (profile_id) REFERENCES rfid_profiles (id) ON DELETE CASCADE
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 22,
    name: 'rfid events and tag state',
    up: {
      sqlite: [
        `CREATE TABLE rfid_events (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           at INTEGER NOT NULL,
           chargepoint_id TEXT NOT NULL,
           tag TEXT NOT NULL,
           source TEXT NOT NULL,
           outcome TEXT NOT NULL,
           detail TEXT,
           profile_id TEXT,
           user_id TEXT,
           command_ids TEXT NOT NULL,
           session_id TEXT,
           attribution TEXT NOT NULL
         )`,
        'CREATE INDEX ix_rfid_events_user ON rfid_events (user_id, id)',
        'CREATE INDEX ix_rfid_events_cp ON rfid_events (chargepoint_id, id)',
        'CREATE INDEX ix_rfid_events_attribution ON rfid_events (attribution, at)',
        'CREATE INDEX ix_rfid_events_at ON rfid_events (at)',
        `CREATE TABLE rfid_tag_state (
           chargepoint_id TEXT PRIMARY KEY,
           bound_tag TEXT,
           bound_at INTEGER,
           scan_tag TEXT,
           scan_at INTEGER
         )`,
      ],
      mariadb: [
        `CREATE TABLE rfid_events (
           id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
           at BIGINT NOT NULL,
           chargepoint_id VARCHAR(32) NOT NULL,
           tag VARCHAR(200) NOT NULL,
           source VARCHAR(8) NOT NULL,
           outcome VARCHAR(16) NOT NULL,
           detail VARCHAR(500) NULL,
           profile_id CHAR(36) NULL,
           user_id VARCHAR(64) NULL,
           command_ids VARCHAR(400) NOT NULL,
           session_id CHAR(36) NULL,
           attribution VARCHAR(8) NOT NULL,
           KEY ix_rfid_events_user (user_id, id),
           KEY ix_rfid_events_cp (chargepoint_id, id),
           KEY ix_rfid_events_attribution (attribution, at),
           KEY ix_rfid_events_at (at)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE rfid_tag_state (
           chargepoint_id VARCHAR(32) NOT NULL PRIMARY KEY,
           bound_tag VARCHAR(200) NULL,
           bound_at BIGINT NULL,
           scan_tag VARCHAR(200) NULL,
           scan_at BIGINT NULL
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
];
