import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/gateway.ts';
import type { EventBus, EventOrigin, GatewayEvent } from '../../src/events/gateway-events.ts';
import { redisEventBus } from '../../src/events/redis-event-bus.ts';
import { eventually } from '../support/gateway.ts';
import { PrivateRedis } from '../support/redis-server.ts';

const logger = pino({ level: 'silent' });
const connection = (connected: boolean): GatewayEvent => ({ type: 'connection', connected, at: new Date().toISOString() });

/** Two instances' buses on a private Redis that the test stops: each hears its own events at once and the other's through Redis. */
describe('the gateway event bus over Redis pub/sub', () => {
  let redis: PrivateRedis;
  let redisRunning = false;
  const buses: EventBus[] = [];
  const clients: { disconnect(): void }[] = [];
  const heard: [string, GatewayEvent, EventOrigin][] = [];

  const bus = async (name: string) => {
    const client = await createRedis(redis.url);
    client.on('error', () => undefined);
    clients.push(client);
    const created = await redisEventBus(client, 'test:events', logger);
    created.subscribe((event, origin) => heard.push([name, event, origin]));
    buses.push(created);
    return created;
  };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    redisRunning = true;
  });

  afterAll(async () => {
    for (const created of buses) await created.close();
    for (const client of clients) client.disconnect();
    // PrivateRedis.stop() waits for an exit: only once.
    if (redisRunning) await redis.stop();
  });

  it("delivers an instance's event to its own listeners at once and once to the other's, also while Redis is away", async () => {
    const [a] = [await bus('a'), await bus('b')];
    const lost = connection(false);
    a!.publish(lost);
    expect(heard).toEqual([['a', lost, 'local']]);
    await eventually(async () => (heard.length === 2 ? true : undefined));
    expect(heard[1]).toEqual(['b', lost, 'remote']);

    await redis.stop();
    redisRunning = false;
    const back = connection(true);
    a!.publish(back);
    expect(heard.slice(2)).toEqual([['a', back, 'local']]);
  });

  it('tells each bus once it hears the others again after Redis came back, and delivers again from then on', async () => {
    const [a, b] = buses;
    const told: string[] = [];
    a!.onResubscribed(() => told.push('a'));
    b!.onResubscribed(() => told.push('b'));
    await redis.start();
    redisRunning = true;
    await eventually(async () => (told.length === 2 ? true : undefined), 15_000, 'both buses to subscribe again');
    expect(told.sort()).toEqual(['a', 'b']);
    heard.length = 0;
    const again = connection(true);
    b!.publish(again);
    await eventually(async () => (heard.length === 2 ? true : undefined));
    expect(heard).toEqual([
      ['b', again, 'local'],
      ['a', again, 'remote'],
    ]);
  });
});
