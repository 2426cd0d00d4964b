import { createHash } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { consume, createLimiter, type LimiterStore } from './limiters.ts';

export interface LoginLimits {
  /** Failed attempts per username before each further attempt is slowed down. */
  freeFailures: number;
  maxFailuresPerUser: number;
  maxFailuresPerIp: number;
  /** Window in which failures count, and how long a lock-out lasts, seconds. */
  lockoutSeconds: number;
  /** Upper bound of the slow-down delay, ms. */
  maxDelayMs: number;
}

export type LoginAdmission = { admitted: true; delayMs: number } | { admitted: false; retryAfterSeconds: number; lockStarted: boolean };

/**
 * Brute-force protection for /auth/login, checked before the password hash runs. Every attempt takes a
 * point from the username's and the address's budget at once (atomic in Redis, so a parallel burst
 * cannot slip past); a success gives them back. Past `freeFailures` attempts wait longer and longer
 * (the wait is a timer, not CPU); past the budget the username or address is locked out. Unknown
 * usernames are counted the same way, so the answers reveal nothing about which users exist.
 */
export class LoginGuard {
  private readonly users: RateLimiterAbstract;
  private readonly ips: RateLimiterAbstract;

  constructor(
    store: LimiterStore,
    private readonly limits: LoginLimits,
  ) {
    const window = { duration: limits.lockoutSeconds, blockDuration: limits.lockoutSeconds };
    this.users = createLimiter(store, 'login-user', { points: limits.maxFailuresPerUser, ...window });
    this.ips = createLimiter(store, 'login-ip', { points: limits.maxFailuresPerIp, ...window });
  }

  async admit(username: string, ip: string): Promise<LoginAdmission> {
    const [user, address] = await Promise.all([consume(this.users, userKey(username)), consume(this.ips, ip)]);
    const refused = [user, address].filter((r) => !r.allowed);
    if (refused.length > 0) {
      return {
        admitted: false,
        retryAfterSeconds: Math.max(1, ...refused.map((r) => Math.ceil(r.res.msBeforeNext / 1000))),
        lockStarted:
          (!user.allowed && user.res.consumedPoints === this.limits.maxFailuresPerUser + 1) ||
          (!address.allowed && address.res.consumedPoints === this.limits.maxFailuresPerIp + 1),
      };
    }
    const delayMs = Math.max(
      this.delayFor(user.res.consumedPoints, this.limits.freeFailures),
      this.delayFor(address.res.consumedPoints, Math.floor(this.limits.maxFailuresPerIp / 2)),
    );
    return { admitted: true, delayMs };
  }

  /** The attempt succeeded: it was not a failure after all. */
  async succeeded(username: string, ip: string): Promise<void> {
    await Promise.all([this.users.delete(userKey(username)), this.ips.reward(ip, 1)]);
  }

  /**
   * For authentications without a username (the stream's upgrade: a key, token or ticket): when the address
   * has used up its budget of failures (shared with failed logins), the seconds until it may try again.
   * Only failures are counted (`failedWithoutUsername`), so opening many streams at once costs nothing.
   */
  async addressBlocked(ip: string): Promise<number | undefined> {
    const res = await this.ips.get(ip);
    if (!res || res.consumedPoints < this.limits.maxFailuresPerIp) return undefined;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  async failedWithoutUsername(ip: string): Promise<void> {
    await consume(this.ips, ip);
  }

  /** 250 ms for the first attempt past the free ones, doubling each time, capped. */
  private delayFor(attempt: number, free: number): number {
    if (attempt <= free) return 0;
    return Math.min(250 * 2 ** (attempt - free - 1), this.limits.maxDelayMs);
  }
}

/** Usernames are free text here (unknown ones too): hash them into a fixed-size key. */
const userKey = (username: string) => createHash('sha256').update(username).digest('base64url');
