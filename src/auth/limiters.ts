import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LimiterSpec {
  points: number;
  /** Window, seconds. */
  duration: number;
  /** Seconds a key stays blocked once it went over `points` (0: until the window ends). */
  blockDuration?: number;
}

export interface LimiterStore {
  /** Shared counters across instances; without it each process counts alone. */
  redis?: Redis;
  /** Full key prefix for limiter `name`, from redis-keys.ts. */
  keyPrefix: (name: string) => string;
}

/**
 * A limiter over Redis, falling back to an in-process one while Redis is unreachable (rate-limiter-flexible's
 * insurance limiter): limits stay in force during an outage, counted per instance.
 */
export function createLimiter(store: LimiterStore, name: string, spec: LimiterSpec): RateLimiterAbstract {
  const options = {
    points: spec.points,
    duration: spec.duration,
    blockDuration: spec.blockDuration ?? 0,
    keyPrefix: store.keyPrefix(name),
  };
  const memory = new RateLimiterMemory(options);
  if (!store.redis) return memory;
  return new RateLimiterRedis({ ...options, storeClient: store.redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

/** Consumes points; a refusal comes back as a result with `allowed: false`, a store error is thrown. */
export async function consume(limiter: RateLimiterAbstract, key: string, points = 1): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  try {
    return { allowed: true, res: await limiter.consume(key, points) };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { allowed: false, res: rejection };
    throw rejection;
  }
}

export interface LimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  msBeforeNext: number;
}

/** Largest lease: a 100,000-a-day quota overshoots by at most 50 per instance (0.05 %). */
const MAX_LEASE = 50;

interface Lease {
  left: number;
  sharedRemaining: number;
  windowEndsAt: number;
}

/**
 * A shared limit that does not cost a Redis round trip on every request: each instance takes a lease of
 * 1 % of the limit (at most 50 points) at once (Kong's `sync_rate` idea) and hands them out locally until
 * the lease or the window ends. When half a lease is used, the next one is fetched in the background, so
 * a steady stream of requests never waits for Redis. Close to the limit, and for limits below 200, it
 * counts one point at a time, so small limits stay exact and large ones overshoot by at most two leases
 * per instance.
 */
export class SharedLimit {
  private readonly leases = new Map<string, Lease>();
  private readonly refills = new Map<string, Promise<unknown>>();
  private readonly leaseSize: number;

  constructor(
    private readonly limiter: RateLimiterAbstract,
    readonly points: number,
    shared: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.leaseSize = shared ? Math.max(1, Math.min(MAX_LEASE, Math.floor(points / 100))) : 1;
  }

  /** Synchronous while the lease lasts (most requests), so the hot path creates no promise. */
  consume(key: string): LimitResult | Promise<LimitResult> {
    return this.fromLease(key) ?? this.consumeShared(key);
  }

  private fromLease(key: string): LimitResult | undefined {
    const lease = this.leases.get(key);
    if (!lease || lease.left <= 0) return undefined;
    const now = this.now();
    if (lease.windowEndsAt <= now) return undefined;
    lease.left--;
    if (lease.left < this.leaseSize / 2 && lease.sharedRemaining >= this.leaseSize * 10 && !this.refills.has(key))
      this.prefetch(key, lease);
    return { allowed: true, limit: this.points, remaining: lease.sharedRemaining + lease.left, msBeforeNext: lease.windowEndsAt - now };
  }

  /** Adds the next lease to the current one; refused (the limit is close) or failed, it leaves the lease to run out. */
  private prefetch(key: string, lease: Lease): void {
    const take = this.leaseSize;
    const next = consume(this.limiter, key, take)
      .then(async ({ allowed, res }) => {
        if (!allowed) return this.limiter.reward(key, take);
        lease.left += take;
        lease.sharedRemaining = res.remainingPoints;
        lease.windowEndsAt = this.now() + res.msBeforeNext;
      })
      .catch(() => undefined)
      .finally(() => this.refills.delete(key));
    this.refills.set(key, next);
  }

  private async consumeShared(key: string): Promise<LimitResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const leased = this.fromLease(key);
      if (leased) return leased;
      const pending = this.refills.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const refill = this.refill(key, this.leases.get(key)).finally(() => this.refills.delete(key));
      this.refills.set(key, refill);
      return refill;
    }
    return this.refill(key, undefined, 1);
  }

  /** Takes points for a new lease; the calling request uses one of them. */
  private async refill(key: string, previous: Lease | undefined, size?: number): Promise<LimitResult> {
    const take = size ?? (previous && previous.sharedRemaining < this.leaseSize * 10 ? 1 : this.leaseSize);
    let { allowed, res } = await consume(this.limiter, key, take);
    if (!allowed && take > 1 && res.consumedPoints - take < this.points) {
      // The lease did not fit but a single point might: give the lease back, count one.
      await this.limiter.reward(key, take);
      ({ allowed, res } = await consume(this.limiter, key, 1));
      return this.settle(key, allowed, res, 1);
    }
    return this.settle(key, allowed, res, take);
  }

  private settle(key: string, allowed: boolean, res: RateLimiterRes, taken: number): LimitResult {
    if (this.leaseSize > 1) {
      const now = this.now();
      if (this.leases.size >= 10_000) this.prune(now);
      this.leases.set(key, { left: allowed ? taken - 1 : 0, sharedRemaining: res.remainingPoints, windowEndsAt: now + res.msBeforeNext });
    }
    return {
      allowed,
      limit: this.points,
      remaining: Math.max(0, res.remainingPoints + (allowed ? taken - 1 : 0)),
      msBeforeNext: res.msBeforeNext,
    };
  }

  private prune(now: number): void {
    for (const [key, lease] of this.leases) if (lease.windowEndsAt <= now) this.leases.delete(key);
    if (this.leases.size >= 10_000) this.leases.clear();
  }
}
