import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { logConnectionErrors } from '../connection-errors.ts';

/**
 * What changed, so every instance drops what it cached about it. `all` is also raised locally when the
 * Redis subscription was interrupted (messages may have been missed).
 */
export type AuthChange =
  /** `revoked`: the ids of the keys revoked (absent: anything about keys may have changed). */
  | { type: 'apiKeys'; revoked?: string[] }
  | { type: 'user'; id: string }
  | { type: 'sessions'; ids: string[]; at: number }
  | { type: 'signingKeys' }
  | { type: 'all' };

export interface AuthInvalidation {
  /** Applies the change here at once, then tells the other instances. */
  publish(change: AuthChange): Promise<void>;
  subscribe(listener: (change: AuthChange) => void): void;
  close(): Promise<void>;
}

const TYPES = new Set(['apiKeys', 'user', 'sessions', 'signingKeys', 'all']);

class Listeners {
  private readonly listeners: ((change: AuthChange) => void)[] = [];
  add(listener: (change: AuthChange) => void) {
    this.listeners.push(listener);
  }
  emit(change: AuthChange) {
    for (const listener of this.listeners) listener(change);
  }
}

/** One process, no Redis: changes apply locally only. */
export function memoryInvalidation(): AuthInvalidation {
  const listeners = new Listeners();
  return {
    async publish(change) {
      listeners.emit(change);
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {},
  };
}

/**
 * Several instances: changes go out over Redis pub/sub on `channel`. The subscriber has its own connection;
 * after it reconnects every listener hears `all`, because anything published meanwhile was lost.
 */
export async function redisInvalidation(redis: Redis, channel: string, logger: Logger): Promise<AuthInvalidation> {
  const listeners = new Listeners();
  const origin = randomUUID();
  const subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: true, maxRetriesPerRequest: null });
  logConnectionErrors(subscriber, logger, 'auth invalidation subscriber: Redis', 'ready');
  let wasReady = false;
  subscriber.on('ready', () => {
    if (wasReady) listeners.emit({ type: 'all' });
    wasReady = true;
  });
  subscriber.on('message', (_channel: string, message: string) => {
    const change = parse(message, origin);
    if (change) listeners.emit(change);
  });
  await subscriber.connect().catch((error: Error) => logger.warn({ err: error.message }, 'auth invalidation: Redis not reachable yet'));
  // While Redis is away the subscription waits in the offline queue (and ioredis resubscribes after reconnects).
  const subscribed = subscriber
    .subscribe(channel)
    .catch((error: Error) => logger.warn({ err: error.message }, 'auth invalidation: subscribe failed'));
  if (subscriber.status === 'ready') await subscribed;
  return {
    async publish(change) {
      listeners.emit(change);
      try {
        await redis.publish(channel, JSON.stringify({ origin, change }));
      } catch (error) {
        // The database already holds the change; other instances pick it up when their cache entries expire.
        logger.warn({ err: (error as Error).message, change: change.type }, 'auth invalidation could not be published');
      }
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {
      subscriber.disconnect();
    },
  };
}

function parse(message: string, origin: string): AuthChange | undefined {
  try {
    const data = JSON.parse(message) as { origin?: unknown; change?: { type?: unknown } };
    if (data.origin === origin || !data.change || !TYPES.has(String(data.change.type))) return undefined;
    return data.change as AuthChange;
  } catch {
    return undefined;
  }
}
