import type { Response } from 'express';
import type { Principal } from '../auth/principal.ts';

/** The rate limit a response reports in its RateLimit-* headers: the one closest to exhaustion. */
export interface LimitReading {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * What the gateway keeps about a request while it runs, in one object under `res.locals`. Properties added
 * to Node's request and response objects themselves would make V8 copy their property storage on every
 * request (they already hold dozens); this object has a fixed shape.
 */
export interface RequestContext {
  startedAt: number;
  /** The spec operation the dispatcher matched (request metrics label it by this). */
  operationId: string | undefined;
  /** Set by the security step when the caller presented valid credentials. */
  principal: Principal | undefined;
  limit: LimitReading | undefined;
}

type WithContext = Response & { locals: { gateway?: RequestContext } };

/** Starts a request's context; the first thing the gateway does with every request. */
export function beginRequest(res: Response): RequestContext {
  const context: RequestContext = { startedAt: performance.now(), operationId: undefined, principal: undefined, limit: undefined };
  (res as WithContext).locals.gateway = context;
  return context;
}

export function contextOf(res: Response): RequestContext {
  return (res as WithContext).locals.gateway ?? beginRequest(res);
}
