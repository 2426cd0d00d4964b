import type { Migration } from './index.ts';
import { MARIADB_TABLE } from './ddl.ts';

/**
 * Statistics (versions 10–19): recorded series, raw samples, rollups and charging sessions.
 * Samples and rollups are keyed by an integer series id so the hot tables stay narrow; `stat_series`
 * also holds each series' last sample (the idempotency watermark of the batch writer) and, for counters,
 * the meter-counter state that decides which readings are trusted. Rollups count the readings held back
 * as implausible and the meter resets in each bucket: the bucket's quality in history responses.
 * `recorder_quarantine` keeps the rows the recorder could not store (refused by validation or by the
 * database), with the reason, so none is lost silently. Sessions carry the quality of their energy (the
 * same meter-counter verdicts as the rollups) and a user's correction next to the recorded values.
 */
export const STATISTICS_MIGRATIONS: readonly Migration[] = [
  {
    version: 10,
    name: 'statistics series, samples and rollups',
    up: {
      sqlite: [
        `CREATE TABLE stat_series (
           id INTEGER PRIMARY KEY,
           series_key TEXT NOT NULL UNIQUE,
           kind TEXT NOT NULL,
           first_ts INTEGER,
           last_ts INTEGER,
           last_value REAL
         )`,
        `CREATE TABLE stat_samples (
           series_id INTEGER NOT NULL,
           ts INTEGER NOT NULL,
           value REAL NOT NULL,
           PRIMARY KEY (series_id, ts)
         ) WITHOUT ROWID`,
        `CREATE TABLE stat_rollups (
           resolution_ms INTEGER NOT NULL,
           series_id INTEGER NOT NULL,
           bucket_start INTEGER NOT NULL,
           n INTEGER NOT NULL,
           sum_value REAL NOT NULL,
           min_value REAL NOT NULL,
           max_value REAL NOT NULL,
           energy REAL NOT NULL,
           PRIMARY KEY (resolution_ms, series_id, bucket_start)
         ) WITHOUT ROWID`,
      ],
      mariadb: [
        `CREATE TABLE stat_series (
           id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
           series_key VARCHAR(80) NOT NULL,
           kind VARCHAR(16) NOT NULL,
           first_ts BIGINT NULL,
           last_ts BIGINT NULL,
           last_value DOUBLE NULL,
           UNIQUE KEY uq_stat_series_key (series_key)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE stat_samples (
           series_id INT NOT NULL,
           ts BIGINT NOT NULL,
           value DOUBLE NOT NULL,
           PRIMARY KEY (series_id, ts)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE stat_rollups (
           resolution_ms INT NOT NULL,
           series_id INT NOT NULL,
           bucket_start BIGINT NOT NULL,
           n INT NOT NULL,
           sum_value DOUBLE NOT NULL,
           min_value DOUBLE NOT NULL,
           max_value DOUBLE NOT NULL,
           energy DOUBLE NOT NULL,
           PRIMARY KEY (resolution_ms, series_id, bucket_start)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 11,
    name: 'charging sessions',
    up: {
      sqlite: [
        `CREATE TABLE charging_sessions (
           id TEXT PRIMARY KEY,
           chargepoint_id TEXT NOT NULL,
           start_ms INTEGER NOT NULL,
           end_ms INTEGER,
           energy_wh REAL NOT NULL,
           charging_time_s INTEGER NOT NULL,
           mean_power_w REAL,
           peak_power_w REAL,
           soc_start REAL,
           soc_end REAL,
           charge_modes TEXT NOT NULL,
           rfid_tag TEXT,
           vehicle_id TEXT,
           vehicle_name TEXT,
           user_id TEXT,
           cost REAL,
           meter_start_wh REAL,
           meter_end_wh REAL,
           source TEXT NOT NULL,
           external_key TEXT UNIQUE,
           state TEXT,
           updated_at INTEGER NOT NULL
         )`,
        'CREATE INDEX ix_sessions_start ON charging_sessions (start_ms, id)',
        'CREATE INDEX ix_sessions_cp_start ON charging_sessions (chargepoint_id, start_ms)',
        'CREATE INDEX ix_sessions_vehicle_start ON charging_sessions (vehicle_id, start_ms)',
        'CREATE INDEX ix_sessions_tag_start ON charging_sessions (rfid_tag, start_ms)',
        'CREATE INDEX ix_sessions_energy ON charging_sessions (energy_wh, id)',
        'CREATE INDEX ix_sessions_open ON charging_sessions (end_ms)',
      ],
      mariadb: [
        `CREATE TABLE charging_sessions (
           id CHAR(36) NOT NULL PRIMARY KEY,
           chargepoint_id VARCHAR(32) NOT NULL,
           start_ms BIGINT NOT NULL,
           end_ms BIGINT NULL,
           energy_wh DOUBLE NOT NULL,
           charging_time_s INT NOT NULL,
           mean_power_w DOUBLE NULL,
           peak_power_w DOUBLE NULL,
           soc_start DOUBLE NULL,
           soc_end DOUBLE NULL,
           charge_modes VARCHAR(200) NOT NULL,
           rfid_tag VARCHAR(200) NULL,
           vehicle_id VARCHAR(32) NULL,
           vehicle_name VARCHAR(200) NULL,
           user_id VARCHAR(64) NULL,
           cost DOUBLE NULL,
           meter_start_wh DOUBLE NULL,
           meter_end_wh DOUBLE NULL,
           source VARCHAR(16) NOT NULL,
           external_key VARCHAR(120) NULL,
           state TEXT NULL,
           updated_at BIGINT NOT NULL,
           UNIQUE KEY uq_sessions_external_key (external_key),
           KEY ix_sessions_start (start_ms, id),
           KEY ix_sessions_cp_start (chargepoint_id, start_ms),
           KEY ix_sessions_vehicle_start (vehicle_id, start_ms),
           KEY ix_sessions_tag_start (rfid_tag, start_ms),
           KEY ix_sessions_energy (energy_wh, id),
           KEY ix_sessions_open (end_ms)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 12,
    name: 'meter counter state and bucket quality',
    up: {
      sqlite: [
        'ALTER TABLE stat_series ADD COLUMN counter_state TEXT',
        'ALTER TABLE stat_rollups ADD COLUMN suspect_readings INTEGER NOT NULL DEFAULT 0',
        'ALTER TABLE stat_rollups ADD COLUMN meter_resets INTEGER NOT NULL DEFAULT 0',
      ],
      mariadb: [
        'ALTER TABLE stat_series ADD COLUMN counter_state TEXT NULL',
        'ALTER TABLE stat_rollups ADD COLUMN suspect_readings INT NOT NULL DEFAULT 0, ADD COLUMN meter_resets INT NOT NULL DEFAULT 0',
      ],
    },
  },
  {
    version: 13,
    name: 'recorder quarantine',
    up: {
      sqlite: [
        `CREATE TABLE recorder_quarantine (
           id INTEGER PRIMARY KEY,
           kind TEXT NOT NULL,
           reason TEXT NOT NULL,
           detail TEXT NOT NULL,
           row_json TEXT NOT NULL,
           created_at INTEGER NOT NULL
         )`,
        'CREATE INDEX ix_recorder_quarantine_created ON recorder_quarantine (created_at)',
      ],
      mariadb: [
        `CREATE TABLE recorder_quarantine (
           id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
           kind VARCHAR(16) NOT NULL,
           reason VARCHAR(40) NOT NULL,
           detail VARCHAR(500) NOT NULL,
           row_json MEDIUMTEXT NOT NULL,
           created_at BIGINT NOT NULL,
           KEY ix_recorder_quarantine_created (created_at)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 14,
    name: 'session quality and corrections',
    up: {
      sqlite: [
        'ALTER TABLE charging_sessions ADD COLUMN quality TEXT',
        'ALTER TABLE charging_sessions ADD COLUMN correction_vehicle_id TEXT',
        'ALTER TABLE charging_sessions ADD COLUMN correction_vehicle_name TEXT',
        'ALTER TABLE charging_sessions ADD COLUMN correction_note TEXT',
        'ALTER TABLE charging_sessions ADD COLUMN corrected_at INTEGER',
        'ALTER TABLE charging_sessions ADD COLUMN corrected_by_type TEXT',
        'ALTER TABLE charging_sessions ADD COLUMN corrected_by_id TEXT',
        'ALTER TABLE charging_sessions ADD COLUMN corrected_by_name TEXT',
        'CREATE INDEX ix_sessions_corrected_vehicle_start ON charging_sessions (correction_vehicle_id, start_ms)',
      ],
      mariadb: [
        `ALTER TABLE charging_sessions
           ADD COLUMN quality VARCHAR(16) NULL,
           ADD COLUMN correction_vehicle_id VARCHAR(32) NULL,
           ADD COLUMN correction_vehicle_name VARCHAR(200) NULL,
           ADD COLUMN correction_note VARCHAR(500) NULL,
           ADD COLUMN corrected_at BIGINT NULL,
           ADD COLUMN corrected_by_type VARCHAR(16) NULL,
           ADD COLUMN corrected_by_id VARCHAR(64) NULL,
           ADD COLUMN corrected_by_name VARCHAR(200) NULL,
           ADD KEY ix_sessions_corrected_vehicle_start (correction_vehicle_id, start_ms)`,
      ],
    },
  },
];
