/**
 * Tells a row the database refuses for its content (retrying it can never succeed) from a failure of the
 * connection or the server (retrying the whole batch later will). Unknown errors count as the latter: a
 * row is quarantined only when the database said something about the row.
 */

/** MariaDB server errors that are about the moment, not the row: lock waits, deadlocks, shutdown, read-only. */
const TRANSIENT_MARIADB = new Set([1040, 1053, 1152, 1158, 1159, 1160, 1161, 1205, 1213, 1290, 1614, 1836, 1927, 2006, 2013]);

const CONTENT_SQLITE = ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE'];

/** Thrown for a row that breaks the recorder's own rules before it reaches SQL. */
export class RowRejectedError extends Error {}

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

export function isContentError(error: unknown): boolean {
  if (error instanceof RowRejectedError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const errno = field(error, 'errno');
  const sqlState = field(error, 'sqlState');
  if (typeof errno === 'number' && typeof sqlState === 'string') {
    if (field(error, 'fatal') === true || TRANSIENT_MARIADB.has(errno)) return false;
    // 1xxx and 3xxx-4xxx are the server's answers about a statement; 45xxx are the driver's own connection errors.
    return (errno >= 1000 && errno < 2000) || (errno >= 3000 && errno < 5000);
  }
  const code = field(error, 'code');
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return CONTENT_SQLITE.some((prefix) => code.startsWith(prefix));
  // better-sqlite3 refuses a value it cannot bind with a TypeError or RangeError before running anything.
  return (error instanceof TypeError || error instanceof RangeError) && !/connection is not open/i.test(error.message);
}

export function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 500);
  const code = field(error, 'code');
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`.slice(0, 500);
}
