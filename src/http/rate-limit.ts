import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createLimiter, SharedLimit, type LimiterStore, type LimitResult } from '../auth/limiters.ts';
import type { MaybePromise } from '../maybe-async.ts';
import { UNAUTHENTICATED_ADMIN } from '../auth/principal.ts';
import { instanceOf, problemOf, sendProblem } from './problem.ts';
import { PROBLEMS } from './problem-types.ts';
import { contextOf, type LimitReading } from './request-context.ts';

export interface RateLimitConfig {
  ipPerMinute: number;
  keyPerMinute: number;
  /** The daily quota of each key (and each user's access tokens), a rolling window from the first request. */
  keyPerDay: number;
}

const resetSecondsOf = (result: LimitResult) => Math.max(1, Math.ceil(result.msBeforeNext / 1000));
const reading = (result: LimitResult): LimitReading => ({
  limit: result.limit,
  remaining: result.remaining,
  resetSeconds: resetSecondsOf(result),
});

/**
 * Request limits shared by every instance through Redis (per process without it; large limits are synced
 * in leases, see SharedLimit). One limiter per client address runs before authentication (so floods of
 * bad credentials and logins are cut off before any work); per key a per-minute limit and a daily quota
 * run after it. Every response carries the IETF
 * draft headers RateLimit-Limit / -Remaining / -Reset of the limit closest to exhaustion; a refusal is
 * 429 problem+json with Retry-After.
 */
export function createRateLimits(store: LimiterStore, config: RateLimitConfig): { byClient: RequestHandler; byPrincipal: RequestHandler } {
  const shared = store.redis !== undefined;
  const ip = new SharedLimit(createLimiter(store, 'ip', { points: config.ipPerMinute, duration: 60 }), config.ipPerMinute, shared);
  const minute = new SharedLimit(
    createLimiter(store, 'key-minute', { points: config.keyPerMinute, duration: 60 }),
    config.keyPerMinute,
    shared,
  );
  const day = new SharedLimit(createLimiter(store, 'key-day', { points: config.keyPerDay, duration: 86_400 }), config.keyPerDay, shared);

  const byClient: RequestHandler = (req, res, next) => settle(req, res, next, ip.consume(req.ip ?? 'unknown'), undefined);

  const byPrincipal: RequestHandler = (req, res, next) => {
    const principal = contextOf(res).principal;
    if (!principal || principal === UNAUTHENTICATED_ADMIN) return next();
    // Access tokens count per user (all their sessions together), keys per key.
    const key = principal.kind === 'token' ? `user:${principal.userId}` : `key:${principal.id}`;
    settle(req, res, next, minute.consume(key), day.consume(key));
  };
  return { byClient, byPrincipal };
}

/** Runs on every request (one or two limits): synchronous while every limit is served from its lease, and free of needless allocation. */
function settle(
  req: Request,
  res: Response,
  next: NextFunction,
  a: MaybePromise<LimitResult>,
  b: MaybePromise<LimitResult> | undefined,
): void {
  if (a instanceof Promise || b instanceof Promise) {
    Promise.all([a, b]).then(([x, y]) => apply(req, res, next, x, y), next);
    return;
  }
  apply(req, res, next, a, b);
}

function apply(req: Request, res: Response, next: NextFunction, a: LimitResult, b: LimitResult | undefined): void {
  const context = contextOf(res);
  const refused = !a.allowed && (!b || b.allowed || a.msBeforeNext >= b.msBeforeNext) ? a : b && !b.allowed ? b : undefined;
  if (refused) {
    const shown = (context.limit = reading(refused));
    const detail = `Rate limit of ${shown.limit} requests exceeded; retry after ${shown.resetSeconds} s`;
    sendProblem(res, problemOf(PROBLEMS.tooManyRequests, detail, instanceOf(req.originalUrl)), {
      'Retry-After': String(shown.resetSeconds),
    });
    return;
  }
  // The limit closest to exhaustion is the one the response reports (written with it, request-context.ts).
  if (!context.limit || closer(a, context.limit)) context.limit = reading(a);
  if (b && closer(b, context.limit)) context.limit = reading(b);
  next();
}

/** Fewer requests left, or as many for longer. */
const closer = (result: LimitResult, shown: LimitReading) =>
  (result.remaining - shown.remaining || shown.resetSeconds - resetSecondsOf(result)) < 0;
