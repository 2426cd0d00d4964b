/**
 * Serialises read-modify-write per control target (e.g. `chargepoint:3`): in this process with a promise
 * chain, across instances with a Redis key taken by SET NX PX (expiring, so a crashed holder frees it) and
 * released only by its holder. The lock covers reading the template, publishing and noting the pending
 * template; confirmation is awaited outside it (see PendingTemplates).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { UnavailableError } from '../errors.ts';

export interface CommandLock {
  run<T>(target: string, work: () => Promise<T>): Promise<T>;
}

export class MemoryCommandLock implements CommandLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(target: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(target) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    const tail = current.catch(() => undefined);
    this.tails.set(target, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(target) === tail) this.tails.delete(target);
    }
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisCommandLock implements CommandLock {
  private readonly local = new MemoryCommandLock();

  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (target: string) => string,
    private readonly options: { ttlMs: number; waitMs: number },
  ) {}

  run<T>(target: string, work: () => Promise<T>): Promise<T> {
    // Callers in this process queue locally, so only one of them at a time polls Redis.
    return this.local.run(target, async () => {
      const key = this.keyOf(target);
      const token = randomUUID();
      const deadline = Date.now() + this.options.waitMs;
      let delay = 2;
      for (;;) {
        let taken: string | null;
        try {
          taken = await this.redis.set(key, token, 'PX', this.options.ttlMs, 'NX');
        } catch (error) {
          throw new UnavailableError(`The command lock cannot be taken: Redis is unreachable (${(error as Error).message})`);
        }
        if (taken === 'OK') break;
        if (Date.now() >= deadline)
          throw new UnavailableError(`Another command on ${target.replace(':', ' ')} is being sent right now; try again`, 1);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 50);
      }
      try {
        return await work();
      } finally {
        await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      }
    });
  }
}
