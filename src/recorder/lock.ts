/**
 * Exactly one recorder among gateway instances sharing Redis: a lock key with an expiry, taken with
 * SET NX PX and renewed on every tick by its holder only. When the holder dies, the key expires and the
 * next instance that tries takes over. Without Redis the single instance always records.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RecorderLock {
  /** Takes or renews the lock; true while this instance holds it. Never throws (unreachable Redis = not held). */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export class LocalLock implements RecorderLock {
  async acquire(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLock implements RecorderLock {
  readonly token = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  async acquire(): Promise<boolean> {
    try {
      if (Number(await this.redis.eval(RENEW, 1, this.key, this.token, this.ttlMs)) === 1) return true;
      return (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
    } catch (error) {
      this.onError(error as Error);
      return false;
    }
  }

  async release(): Promise<void> {
    try {
      await this.redis.eval(RELEASE, 1, this.key, this.token);
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
