import type { Migration } from './index.ts';
import { MARIADB_TABLE } from './ddl.ts';

/**
 * Measurement series (versions 30–39): the other devices of the house (a thermometer, a battery monitor) that
 * post their own points. Ids are integers (the timeseries-api wire mode shows them as bare integers; the
 * `/api/v1/series` API shows the same number as a string). A point keeps its fields as the JSON object the
 * device sent (numbers only); `measurement_rollups` holds per field and UTC hour the count, sum, min, max and
 * the latest value, and `measurement_day_rollups` the same per local day of the series' `day_zone` (the gateway's
 * TIME_ZONE when the series was made), both kept up to date on every write: a year per day in that zone reads 365
 * rows per field, in another zone its hours grouped into that zone's days, never every point. `point_count`, `first_ts` and `last_ts` on the series are kept with them.
 */
export const MEASUREMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 30,
    name: 'measurement series, points and hourly rollups',
    up: {
      sqlite: [
        `CREATE TABLE measurement_series (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           owner_id TEXT,
           description TEXT NOT NULL,
           device_id TEXT NOT NULL,
           device_description TEXT NOT NULL,
           units TEXT NOT NULL,
           day_zone TEXT NOT NULL,
           retention_days INTEGER,
           created_at INTEGER NOT NULL,
           point_count INTEGER NOT NULL DEFAULT 0,
           first_ts INTEGER,
           last_ts INTEGER
         )`,
        'CREATE INDEX ix_measurement_series_owner ON measurement_series (owner_id, id)',
        `CREATE TABLE measurement_points (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           series_id INTEGER NOT NULL,
           ts INTEGER NOT NULL,
           fields TEXT NOT NULL
         )`,
        'CREATE INDEX ix_measurement_points_series_ts ON measurement_points (series_id, ts, id)',
        `CREATE TABLE measurement_rollups (
           series_id INTEGER NOT NULL,
           field TEXT NOT NULL,
           bucket_start INTEGER NOT NULL,
           n INTEGER NOT NULL,
           sum_value REAL NOT NULL,
           min_value REAL NOT NULL,
           max_value REAL NOT NULL,
           last_ts INTEGER NOT NULL,
           last_value REAL NOT NULL,
           PRIMARY KEY (series_id, bucket_start, field)
         ) WITHOUT ROWID`,
        `CREATE TABLE measurement_day_rollups (
           series_id INTEGER NOT NULL,
           field TEXT NOT NULL,
           bucket_start INTEGER NOT NULL,
           n INTEGER NOT NULL,
           sum_value REAL NOT NULL,
           min_value REAL NOT NULL,
           max_value REAL NOT NULL,
           last_ts INTEGER NOT NULL,
           last_value REAL NOT NULL,
           PRIMARY KEY (series_id, bucket_start, field)
         ) WITHOUT ROWID`,
      ],
      mariadb: [
        `CREATE TABLE measurement_series (
           id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
           owner_id VARCHAR(64) NULL,
           description VARCHAR(200) NOT NULL,
           device_id VARCHAR(100) NOT NULL,
           device_description VARCHAR(200) NOT NULL,
           units TEXT NOT NULL,
           day_zone VARCHAR(64) NOT NULL,
           retention_days INT NULL,
           created_at BIGINT NOT NULL,
           point_count BIGINT NOT NULL DEFAULT 0,
           first_ts BIGINT NULL,
           last_ts BIGINT NULL,
           KEY ix_measurement_series_owner (owner_id, id)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE measurement_points (
           id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
           series_id BIGINT NOT NULL,
           ts BIGINT NOT NULL,
           fields TEXT NOT NULL,
           KEY ix_measurement_points_series_ts (series_id, ts, id)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE measurement_rollups (
           series_id BIGINT NOT NULL,
           field VARCHAR(64) NOT NULL,
           bucket_start BIGINT NOT NULL,
           n INT NOT NULL,
           sum_value DOUBLE NOT NULL,
           min_value DOUBLE NOT NULL,
           max_value DOUBLE NOT NULL,
           last_ts BIGINT NOT NULL,
           last_value DOUBLE NOT NULL,
           PRIMARY KEY (series_id, bucket_start, field)
         ) ${MARIADB_TABLE}`,
        `CREATE TABLE measurement_day_rollups (
           series_id BIGINT NOT NULL,
           field VARCHAR(64) NOT NULL,
           bucket_start BIGINT NOT NULL,
           n INT NOT NULL,
           sum_value DOUBLE NOT NULL,
           min_value DOUBLE NOT NULL,
           max_value DOUBLE NOT NULL,
           last_ts BIGINT NOT NULL,
           last_value DOUBLE NOT NULL,
           PRIMARY KEY (series_id, bucket_start, field)
         ) ${MARIADB_TABLE}`,
      ],
    },
  },
];
