/** mariadb connector errors that mean no connection could be had or kept (client-side codes 45xxx). */
const CONNECTION_ERRNOS = new Set([45001, 45009, 45012, 45013, 45019, 45026, 45028, 45039, 45061]);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'SQLITE_BUSY']);

/** True when an operation failed because the database could not be reached (or was busy), not because of the operation. */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { errno, code } = error as { errno?: unknown; code?: unknown };
  return (typeof errno === 'number' && CONNECTION_ERRNOS.has(errno)) || (typeof code === 'string' && SOCKET_CODES.has(code));
}
