/**
 * Logs the first error of an outage, and one line when the connection is back with how many errors it saw:
 * clients that retry every few hundred milliseconds (Redis, MQTT) would otherwise log every attempt.
 */
export function logConnectionErrors(
  client: { on(event: 'error', listener: (error: Error) => void): unknown; on(event: 'ready' | 'connect', listener: () => void): unknown },
  logger: { warn(fields: object, message: string): void; info(fields: object, message: string): void },
  what: string,
  connectedEvent: 'ready' | 'connect',
  now: () => number = Date.now,
): void {
  let errors = 0;
  let since = 0;
  client.on('error', (error: Error) => {
    if (errors++ > 0) return;
    since = now();
    logger.warn({ err: error.message }, `${what} error (repeats are counted until it is connected again)`);
  });
  client.on(connectedEvent, () => {
    if (errors > 0) logger.info({ errors, seconds: Math.round((now() - since) / 1000) }, `${what} connected again`);
    errors = 0;
  });
}
