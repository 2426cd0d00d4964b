import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { ProblemDto } from '../api/types.ts';
import { isDatabaseUnreachable } from '../db/unreachable.ts';
import { DomainError, TooManyAttemptsError, UnavailableError } from '../errors.ts';
import { MethodNotAllowedError } from './dispatcher.ts';
import { PROBLEM_OF_CLIENT_STATUS, PROBLEM_OF_ERROR, PROBLEMS, type ProblemType } from './problem-types.ts';
import { setGatewayHeaders } from './request-context.ts';
import { truncated } from '../bounded-text.ts';

/** Both accepted credentials (RFC 9110 allows several challenges in one header). */
export const WWW_AUTHENTICATE = 'Bearer realm="openwb-gateway", ApiKey header="x-api-key"';

export function sendProblem(res: Response, problem: ProblemDto, headers: Record<string, string> = {}): void {
  setGatewayHeaders(res);
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}

/** The Problem schema's bounds, tighter where a value may echo the request (paths, messages naming values). */
const LIMITS = { detail: 1000, instance: 200, errors: 100, errorPath: 200, errorMessage: 500, errorCode: 100 } as const;

/** A problem+json body of one type from the catalogue, every field within the spec's Problem schema. */
export function problemOf(problem: ProblemType, detail: string, instance: string | undefined, errors?: ProblemDto['errors']): ProblemDto {
  const bounded = errors?.slice(0, LIMITS.errors).map((e) => ({
    ...(e.path === undefined ? {} : { path: truncated(e.path, LIMITS.errorPath) }),
    message: truncated(e.message, LIMITS.errorMessage),
    ...(e.errorCode === undefined ? {} : { errorCode: truncated(e.errorCode, LIMITS.errorCode) }),
  }));
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: truncated(detail, LIMITS.detail),
    instance: instance === undefined ? undefined : truncated(instance, LIMITS.instance),
    ...(bounded ? { errors: bounded } : {}),
  };
}

/** The request's path without its query, as `instance` names it. */
export const instanceOf = (originalUrl: string): string | undefined => originalUrl.split('?')[0];

interface ValidatorError {
  status?: number;
  statusCode?: number;
  message?: string;
  errors?: { path?: string; message?: string; errorCode?: string }[];
}

/**
 * Renders every error as RFC 9457 problem+json. Errors from the OpenAPI validator (400 with `errors`,
 * 401/403 from security, 404/405 for unknown routes) and body-parser (413, 400 for broken JSON) keep
 * their status; anything unexpected becomes a 500 without internals in the body.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const instance = instanceOf(req.originalUrl);
    if (error instanceof DomainError) {
      const problem = PROBLEM_OF_ERROR[error.name];
      const headers: Record<string, string> = {};
      if (error instanceof UnavailableError || error instanceof TooManyAttemptsError)
        headers['Retry-After'] = String(error.retryAfterSeconds);
      if (problem === PROBLEMS.unauthorized) headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
      sendProblem(res, problemOf(problem, error.message, instance), headers);
      return;
    }
    if (error instanceof MethodNotAllowedError) {
      sendProblem(res, problemOf(PROBLEMS.methodNotAllowed, error.message, instance), { Allow: error.allowed.join(', ') });
      return;
    }
    const e = (error ?? {}) as ValidatorError;
    const status = e.status ?? e.statusCode ?? 500;
    const known = PROBLEM_OF_CLIENT_STATUS.get(status);
    if (known) {
      const errors = e.errors?.map((item) => ({
        ...(item.path ? { path: item.path } : {}),
        message: item.message ?? 'invalid',
        ...(item.errorCode ? { errorCode: item.errorCode } : {}),
      }));
      const headers: Record<string, string> = known === PROBLEMS.unauthorized ? { 'WWW-Authenticate': WWW_AUTHENTICATE } : {};
      const problem = known === PROBLEMS.badRequest && errors?.length ? PROBLEMS.validation : known;
      sendProblem(res, problemOf(problem, e.message ?? known.title, instance, errors?.length ? errors : undefined), headers);
      return;
    }
    if (isDatabaseUnreachable(error)) {
      logger.warn({ err: (error as Error).message, path: instance }, 'database unreachable');
      sendProblem(res, problemOf(PROBLEMS.unavailable, 'The database cannot be reached right now', instance), { 'Retry-After': '2' });
      return;
    }
    if (status === PROBLEMS.unavailable.status) {
      sendProblem(res, problemOf(PROBLEMS.unavailable, e.message ?? 'Unavailable', instance), { 'Retry-After': '5' });
      return;
    }
    logger.error({ err: error, path: instance }, 'unhandled error');
    sendProblem(res, problemOf(PROBLEMS.internal, 'An unexpected error occurred; it has been logged.', instance));
  };
}
