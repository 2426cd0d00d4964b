import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { logConnectionErrors } from '../connection-errors.ts';
import { EVENT_TYPES, LocalListeners, type EventBus, type GatewayEvent } from './gateway-events.ts';

/**
 * Events of every instance over Redis pub/sub on `channel`: an event reaches this instance's listeners at
 * once (also while Redis is away), then the other instances'. The subscriber has its own connection; an
 * event published while it was away is missed (the stream's events are notifications, the REST reads
 * hold the state): once it is subscribed again, `onResubscribed` listeners are told, so the stream can
 * send its clients a fresh snapshot.
 */
export async function redisEventBus(redis: Redis, channel: string, logger: Logger): Promise<EventBus> {
  const listeners = new LocalListeners();
  const origin = randomUUID();
  const onError = (error: Error) => logger.error({ err: error.message }, 'a gateway event listener failed');
  const subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: true, maxRetriesPerRequest: null });
  logConnectionErrors(subscriber, logger, 'gateway events subscriber: Redis', 'ready');
  subscriber.on('message', (_channel: string, message: string) => {
    const event = parse(message, origin);
    if (event) listeners.emit(event, 'remote', onError);
  });
  await subscriber.connect().catch((error: Error) => logger.warn({ err: error.message }, 'gateway events: Redis not reachable yet'));
  const subscribed = subscriber
    .subscribe(channel)
    .catch((error: Error) => logger.warn({ err: error.message }, 'gateway events: subscribe failed'));
  if (subscriber.status === 'ready') await subscribed;
  const resubscribed = new Set<() => void>();
  // Every later `ready` is a reconnect (or the first connection after a start without Redis). ioredis
  // subscribes again by itself; this SUBSCRIBE, answered after that one, tells when the channel is heard again.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        logger.info('gateway events: subscribed again; events of other instances in between were missed');
        for (const listener of resubscribed) {
          try {
            listener();
          } catch (error) {
            onError(error as Error);
          }
        }
      },
      (error: Error) => logger.warn({ err: error.message }, 'gateway events: subscribe failed'),
    );
  });
  return {
    publish(event) {
      listeners.emit(event, 'local', onError);
      redis
        .publish(channel, JSON.stringify({ origin, event }))
        .catch((error: Error) => logger.warn({ err: error.message, event: event.type }, 'a gateway event reached this instance only'));
    },
    subscribe: (listener) => listeners.add(listener),
    onResubscribed(listener) {
      resubscribed.add(listener);
      return () => resubscribed.delete(listener);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}

function parse(message: string, origin: string): GatewayEvent | undefined {
  try {
    const data = JSON.parse(message) as { origin?: unknown; event?: { type?: unknown } };
    if (data.origin === origin || !data.event || !EVENT_TYPES.includes(data.event.type as GatewayEvent['type'])) return undefined;
    return data.event as GatewayEvent;
  } catch {
    return undefined;
  }
}
