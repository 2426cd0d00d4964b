import type { Response } from 'express';
import type { Principal } from '../auth/principal.ts';
import type { MaybePromise } from '../maybe-async.ts';

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
  /** Set by the security step when the caller presented a stream ticket: checks the ticket's credentials again. */
  ticketReauthenticate: (() => MaybePromise<Principal | undefined>) | undefined;
  limit: LimitReading | undefined;
  /** The security headers of this response as a flat [name, value, …] list (API paths; /docs sets its own). */
  policyHeaders: readonly string[] | undefined;
}

type WithContext = Response & { locals: { gateway?: RequestContext } };

/** Starts a request's context; the first thing the gateway does with every request. */
export function beginRequest(res: Response): RequestContext {
  const context: RequestContext = {
    startedAt: performance.now(),
    operationId: undefined,
    principal: undefined,
    ticketReauthenticate: undefined,
    limit: undefined,
    policyHeaders: undefined,
  };
  (res as WithContext).locals.gateway = context;
  return context;
}

export function contextOf(res: Response): RequestContext {
  return (res as WithContext).locals.gateway ?? beginRequest(res);
}

/**
 * The headers the gateway adds to every response (security policy, rate limit), as a flat [name, value, …]
 * list. They are kept here rather than set as they are decided, so the JSON writer can hand Node the whole
 * header block in one writeHead (see writeJson); each setHeader on the way would cost a response about a
 * microsecond. Responses Express writes get them through setGatewayHeaders.
 */
export function gatewayHeaders(context: RequestContext): string[] {
  const headers = context.policyHeaders ? [...context.policyHeaders] : [];
  const limit = context.limit;
  if (limit)
    headers.push(
      'RateLimit-Limit',
      String(limit.limit),
      'RateLimit-Remaining',
      String(limit.remaining),
      'RateLimit-Reset',
      String(limit.resetSeconds),
    );
  return headers;
}

/** Sets the gateway's headers on a response that Express (or a library) will write. */
export function setGatewayHeaders(res: Response): void {
  const headers = gatewayHeaders(contextOf(res));
  for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i] as string, headers[i + 1] as string);
}
