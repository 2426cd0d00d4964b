import type { Redis } from 'ioredis';
import type { TicketStore } from './tickets.ts';

/** Stream tickets in Redis, seen by every instance: SET with PX for the lifetime, GETDEL so a ticket is taken once, atomically. */
export class RedisTicketStore implements TicketStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (id: string) => string,
  ) {}

  async put(id: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.keyOf(id), value, 'PX', ttlMs);
  }

  async take(id: string): Promise<string | undefined> {
    return (await this.redis.getdel(this.keyOf(id))) ?? undefined;
  }
}
