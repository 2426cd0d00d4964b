import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createLimiter, SharedLimit, type LimiterStore, type LimitResult } from '../auth/limiters.ts';
import { UNAUTHENTICATED_ADMIN } from '../auth/principal.ts';
import { sendProblem } from './problem.ts';
import { contextOf, type LimitReading } from './request-context.ts';

export interface RateLimitConfig {
  ipPerMinute: number;
  keyPerMinute: number;
  /** The daily quota of each key (and each user's access tokens), a rolling window from the first request. */
  keyPerDay: number;
}

type Reading = LimitReading;

const reading = (result: LimitResult): Reading => ({
  limit: result.limit,
  remaining: result.remaining,
  resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
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
  const minute = new SharedLimit(createLimiter(store, 'key-minute', { points: config.keyPerMinute, duration: 60 }), config.keyPerMinute, shared);
  const day = new SharedLimit(createLimiter(store, 'key-day', { points: config.keyPerDay, duration: 86_400 }), config.keyPerDay, shared);

  const byClient: RequestHandler = (req, res, next) => {
    limit(req, res, next, [[ip, req.ip ?? 'unknown']]);
  };

  const byPrincipal: RequestHandler = (req, res, next) => {
    const principal = contextOf(res).principal;
    if (!principal || principal === UNAUTHENTICATED_ADMIN) return next();
    // Access tokens count per user (all their sessions together), keys per key.
    const key = principal.kind === 'token' ? `user:${principal.userId}` : `key:${principal.id}`;
    limit(req, res, next, [
      [minute, key],
      [day, key],
    ]);
  };
  return { byClient, byPrincipal };
}

/** Runs on every request: synchronous while every limit is served from its lease, and free of needless allocation. */
function limit(req: Request, res: Response, next: NextFunction, limits: [SharedLimit, string][]): void {
  const pending: (LimitResult | Promise<LimitResult>)[] = limits.map(([shared, key]) => shared.consume(key));
  if (pending.every((r): r is LimitResult => !(r instanceof Promise))) {
    apply(req, res, next, pending);
    return;
  }
  Promise.all(pending).then((results) => apply(req, res, next, results), next);
}

function apply(req: Request, res: Response, next: NextFunction, results: LimitResult[]): void {
  const context = contextOf(res);
  let shown = context.limit;
  let refused: Reading | undefined;
  for (const result of results) {
    const current = reading(result);
    if (!result.allowed) {
      if (!refused || current.resetSeconds > refused.resetSeconds) refused = current;
    } else if (!shown || closestToExhaustion(current, shown) < 0) {
      shown = current;
    }
  }
  shown = refused ?? shown;
  // Written with the response (request-context.ts).
  context.limit = shown;
  if (!refused) return next();
  sendProblem(
    res,
    {
      type: '/problems/too-many-requests',
      title: 'Too Many Requests',
      status: 429,
      detail: `Rate limit of ${refused.limit} requests exceeded; retry after ${refused.resetSeconds} s`,
      instance: req.originalUrl.split('?')[0],
    },
    { 'Retry-After': String(refused.resetSeconds) },
  );
}

const closestToExhaustion = (a: Reading, b: Reading) => a.remaining - b.remaining || b.resetSeconds - a.resetSeconds;
