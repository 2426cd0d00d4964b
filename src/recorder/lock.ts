/**
 * Exactly one recorder among gateway instances sharing Redis: a lock key with an expiry, taken with
 * SET NX PX and renewed on every tick by its holder only. When the holder dies, the key expires and the
 * next instance that tries takes over; an instance restarted with the same identity takes its own
 * predecessor's lock at once. While Redis cannot be reached, the holder keeps recording (no other
 * instance can take the lock then either) and re-asserts the lock when Redis answers again.
 * Without Redis the single instance always records.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LockState =
  /** Confirmed by Redis just now. */
  | 'held'
  /** Redis cannot be reached; this instance held the lock when it last could, and keeps recording. */
  | 'held-offline'
  /** Another instance holds it (`holder`). */
  | 'other'
  /** Redis cannot be reached and this instance did not hold the lock. */
  | 'unreachable';

export interface LockStatus {
  state: LockState;
  /** The holder's token when another instance holds the lock. */
  holder?: string;
  /** Taken from this instance's own previous incarnation (a restart), without waiting for the expiry. */
  tookOverOwn?: boolean;
  /** Why Redis could not be asked. */
  error?: string;
}

export interface RecorderLock {
  /** Takes, renews or re-asserts the lock. Never throws. */
  acquire(): Promise<LockStatus>;
  release(): Promise<void>;
}

export class LocalLock implements RecorderLock {
  async acquire(): Promise<LockStatus> {
    return { state: 'held' };
  }

  async release(): Promise<void> {}
}

/**
 * Returns {1} renewed, {2, ''} taken, {3, previous} taken over from a token with our instance prefix (ARGV[3],
 * empty = never), {0, holder} refused.
 */
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return {1, current} end
if not current then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return {2, ''} end
if ARGV[3] ~= '' and string.sub(current, 1, string.len(ARGV[3])) == ARGV[3] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return {3, current} end
return {0, current}`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLock implements RecorderLock {
  /** `<instance id>/<random>`: the instance part survives restarts, the random part tells incarnations apart. */
  readonly token: string;
  private held = false;
  /** Only the first answer may take over a predecessor's lock: later, a token with our prefix is a live twin. */
  private firstAnswer = true;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly instanceId: string = randomUUID(),
  ) {
    this.token = `${instanceId}/${randomUUID()}`;
  }

  async acquire(): Promise<LockStatus> {
    let reply: unknown;
    try {
      const ownPrefix = this.firstAnswer ? `${this.instanceId}/` : '';
      reply = await withDeadline(this.redis.eval(ACQUIRE, 1, this.key, this.token, this.ttlMs, ownPrefix), this.deadlineMs());
    } catch (error) {
      const message = (error as Error).message;
      return this.held ? { state: 'held-offline', error: message } : { state: 'unreachable', error: message };
    }
    const [code, value] = reply as [number, string];
    this.firstAnswer = false;
    this.held = Number(code) !== 0;
    if (!this.held) return { state: 'other', holder: String(value) };
    return Number(code) === 3 ? { state: 'held', tookOverOwn: true } : { state: 'held' };
  }

  async release(): Promise<void> {
    this.held = false;
    try {
      await withDeadline(this.redis.eval(RELEASE, 1, this.key, this.token), this.deadlineMs());
    } catch {
      // The key expires by itself.
    }
  }

  /** A half-open connection must not hold up a tick: give up well within the lock's expiry. */
  private deadlineMs(): number {
    return Math.min(2_000, Math.max(100, this.ttlMs / 4));
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
