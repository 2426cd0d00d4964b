import type { Migration } from './index.ts';
import { MARIADB_TABLE } from './ddl.ts';

/**
 * Pulse meters (versions 40–49): a meter, its pulses (one row per pulse, keyed by meter and time to the
 * millisecond, so a pulse sent again is a duplicate) and the connection losses its device reported.
 * `pulse_count` and `missed_pulses` keep the totals the meter reading needs without counting every pulse;
 * `meter_pulse_counts` (41) the pulses per 5-minute, hourly and daily UTC slot that history reads.
 */
export const METER_MIGRATIONS: readonly Migration[] = [
  {
    version: 40,
    name: 'pulse meters',
    up: {
      sqlite: [
        `CREATE TABLE meters (
           id TEXT PRIMARY KEY,
           user_id TEXT,
           name TEXT NOT NULL,
           energy_per_pulse_wh REAL NOT NULL,
           start_reading_wh REAL NOT NULL,
           pulse_count INTEGER NOT NULL DEFAULT 0,
           missed_pulses INTEGER NOT NULL DEFAULT 0,
           created_at INTEGER NOT NULL,
           updated_at INTEGER NOT NULL
         )`,
        'CREATE INDEX ix_meters_created ON meters (created_at, id)',
        'CREATE INDEX ix_meters_user ON meters (user_id, created_at, id)',
        `CREATE TABLE meter_pulses (
           meter_id TEXT NOT NULL,
           at INTEGER NOT NULL,
           PRIMARY KEY (meter_id, at)
         ) WITHOUT ROWID`,
        `CREATE TABLE meter_connection_losses (
           meter_id TEXT NOT NULL,
           ended_at INTEGER NOT NULL,
           duration_ms INTEGER NOT NULL,
           pulses_missed INTEGER NOT NULL,
           PRIMARY KEY (meter_id, ended_at)
         ) WITHOUT ROWID`,
      ],
      mariadb: [
        `CREATE TABLE meters (
           id CHAR(36) NOT NULL PRIMARY KEY,
           user_id CHAR(36) NULL,
           name VARCHAR(100) NOT NULL,
           energy_per_pulse_wh DOUBLE NOT NULL,
           start_reading_wh DOUBLE NOT NULL,
           pulse_count BIGINT NOT NULL DEFAULT 0,
           missed_pulses BIGINT NOT NULL DEFAULT 0,
           created_at BIGINT NOT NULL,
           updated_at BIGINT NOT NULL,
           KEY ix_meters_created (created_at, id),
           KEY ix_meters_user (user_id, created_at, id)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE meter_pulses (
           meter_id CHAR(36) NOT NULL,
           at BIGINT NOT NULL,
           PRIMARY KEY (meter_id, at)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE meter_connection_losses (
           meter_id CHAR(36) NOT NULL,
           ended_at BIGINT NOT NULL,
           duration_ms BIGINT NOT NULL,
           pulses_missed BIGINT NOT NULL,
           PRIMARY KEY (meter_id, ended_at)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
  {
    version: 41,
    name: 'pulse counts per 5 minutes, hour and day',
    up: {
      // What history reads instead of every pulse: pulses per UTC slot at the history rollups' resolutions.
      sqlite: [
        `CREATE TABLE meter_pulse_counts (
           meter_id TEXT NOT NULL,
           resolution_ms INTEGER NOT NULL,
           slot INTEGER NOT NULL,
           pulses INTEGER NOT NULL,
           PRIMARY KEY (meter_id, resolution_ms, slot)
         ) WITHOUT ROWID`,
        'INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) SELECT meter_id, 300000, at - (at % 300000), COUNT(*) FROM meter_pulses GROUP BY meter_id, at - (at % 300000)',
        'INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) SELECT meter_id, 3600000, at - (at % 3600000), COUNT(*) FROM meter_pulses GROUP BY meter_id, at - (at % 3600000)',
        'INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) SELECT meter_id, 86400000, at - (at % 86400000), COUNT(*) FROM meter_pulses GROUP BY meter_id, at - (at % 86400000)',
      ],
      mariadb: [
        `CREATE TABLE meter_pulse_counts (
           meter_id CHAR(36) NOT NULL,
           resolution_ms INT NOT NULL,
           slot BIGINT NOT NULL,
           pulses BIGINT NOT NULL,
           PRIMARY KEY (meter_id, resolution_ms, slot)
         ) ${MARIADB_TABLE}`,
        'INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) SELECT meter_id, 300000, at - (at % 300000), COUNT(*) FROM meter_pulses GROUP BY meter_id, at - (at % 300000)',
        'INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) SELECT meter_id, 3600000, at - (at % 3600000), COUNT(*) FROM meter_pulses GROUP BY meter_id, at - (at % 3600000)',
        'INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) SELECT meter_id, 86400000, at - (at % 86400000), COUNT(*) FROM meter_pulses GROUP BY meter_id, at - (at % 86400000)',
      ],
    },
  },
];
