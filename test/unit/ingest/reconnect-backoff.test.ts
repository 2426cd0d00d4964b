import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectBroker, RECONNECT_MAX_MS, RECONNECT_MIN_MS, ReconnectBackoff } from '../../../src/ingest/mqtt-client.ts';
import { freePort } from '../../support/redis-server.ts';

describe('broker reconnect back-off', () => {
  it('doubles from 250 ms to a 3 s ceiling, jittered in the upper half, and starts over after a connection', () => {
    const lowest = new ReconnectBackoff(() => 0);
    expect(Array.from({ length: 8 }, () => lowest.next())).toEqual([125, 250, 500, 1000, 1500, 1500, 1500, 1500]);
    const highest = new ReconnectBackoff(() => 1);
    expect(Array.from({ length: 8 }, () => highest.next())).toEqual([250, 500, 1000, 2000, 3000, 3000, 3000, 3000]);
    highest.reset();
    expect(highest.next()).toBe(RECONNECT_MIN_MS);
  });

  it('spreads the delays of many gateways', () => {
    const delays = new Set(Array.from({ length: 50 }, () => new ReconnectBackoff().next()));
    expect(delays.size).toBeGreaterThan(10);
  });

  describe('in the MQTT client', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('retries an absent broker on that schedule, never waiting more than 3 s', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
      const client = connectBroker({ url: `mqtt://127.0.0.1:${await freePort()}` }, pino({ level: 'silent' }));
      try {
        const waits: number[] = [];
        let reconnects = 0;
        client.on('reconnect', () => reconnects++);
        for (let attempt = 0; attempt < 8; attempt++) {
          await new Promise<void>((resolve) => client.once('close', () => resolve()));
          const wait = client.options.reconnectPeriod ?? 0;
          waits.push(wait);
          await vi.advanceTimersByTimeAsync(wait - 1);
          expect(reconnects).toBe(attempt);
          await vi.advanceTimersByTimeAsync(1);
          expect(reconnects).toBe(attempt + 1);
        }
        const ceilings = [250, 500, 1000, 2000, 3000, 3000, 3000, 3000];
        waits.forEach((wait, index) => {
          expect(wait).toBeGreaterThanOrEqual(ceilings[index]! / 2);
          expect(wait).toBeLessThanOrEqual(ceilings[index]!);
        });
        expect(Math.max(...waits)).toBeLessThanOrEqual(RECONNECT_MAX_MS);
      } finally {
        await client.endAsync(true);
      }
    });
  });
});
