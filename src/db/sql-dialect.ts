/**
 * Every difference between the SQL of SQLite and MariaDB outside the migrations, in one place.
 * Repositories write each statement once against this vocabulary (see `perDialect`) and never
 * branch on the dialect themselves.
 */
import type { Dialect } from './database.ts';

export interface SqlDialect {
  /** Starts an INSERT that skips rows whose unique key exists. */
  readonly insertIgnore: string;
  /**
   * The clause after `INSERT … VALUES …` that updates a row whose `key` exists instead: `set` gives each
   * column's new value from the inserted value's expression (a bare column name is the stored value).
   */
  onConflictUpdate(key: readonly string[], set: Readonly<Record<string, (inserted: string) => string>>): string;
  /** Ends a SELECT whose rows stay locked until the transaction ends (SQLite's transactions are serial anyway). */
  readonly forUpdate: string;
  /** The smaller and the larger of two values. */
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
  /** A SELECT of the id (as `id`) the last row inserted into an auto-increment table got, on this connection. */
  readonly lastInsertId: string;
}

const assignments = (set: Readonly<Record<string, (inserted: string) => string>>, inserted: (column: string) => string) =>
  Object.entries(set)
    .map(([column, value]) => `${column} = ${value(inserted(column))}`)
    .join(', ');

const DIALECTS: Record<Dialect, SqlDialect> = {
  sqlite: {
    insertIgnore: 'INSERT OR IGNORE',
    onConflictUpdate: (key, set) => `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${assignments(set, (c) => `excluded.${c}`)}`,
    forUpdate: '',
    least: (a, b) => `MIN(${a}, ${b})`,
    greatest: (a, b) => `MAX(${a}, ${b})`,
    lastInsertId: 'SELECT last_insert_rowid() AS id',
  },
  mariadb: {
    insertIgnore: 'INSERT IGNORE',
    onConflictUpdate: (_key, set) => `ON DUPLICATE KEY UPDATE ${assignments(set, (c) => `VALUES(${c})`)}`,
    forUpdate: ' FOR UPDATE',
    least: (a, b) => `LEAST(${a}, ${b})`,
    greatest: (a, b) => `GREATEST(${a}, ${b})`,
    lastInsertId: 'SELECT LAST_INSERT_ID() AS id',
  },
};

/** Builds `build`'s statement (or statement factory) once per dialect; the result picks the one for a database. */
export function perDialect<T>(build: (sql: SqlDialect) => T): (db: { readonly dialect: Dialect }) => T {
  const built: Record<Dialect, T> = { sqlite: build(DIALECTS.sqlite), mariadb: build(DIALECTS.mariadb) };
  return (db) => built[db.dialect];
}

/** The new value is the inserted one. */
export const inserted = (value: string) => value;
