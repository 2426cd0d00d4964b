import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { ProblemDto } from './api-types.ts';
import { isDatabaseUnreachable } from '../db/unreachable.ts';
import { DomainError, MethodNotAllowedError, TooManyRequestsError, UnavailableError } from './errors.ts';
import { setGatewayHeaders } from './request-context.ts';

const TITLES: Record<number, [code: string, title: string]> = {
  400: ['bad-request', 'Bad Request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not Found'],
  405: ['method-not-allowed', 'Method Not Allowed'],
  413: ['payload-too-large', 'Payload Too Large'],
  415: ['unsupported-media-type', 'Unsupported Media Type'],
  503: ['unavailable', 'Service Unavailable'],
};

/** Both accepted credentials (RFC 9110 allows several challenges in one header). */
export const WWW_AUTHENTICATE = 'Bearer realm="openwb-gateway", ApiKey header="x-api-key"';

export function sendProblem(res: Response, problem: ProblemDto, headers: Record<string, string> = {}): void {
  setGatewayHeaders(res);
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}

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
    const instance = req.originalUrl.split('?')[0];
    if (error instanceof DomainError) {
      const headers: Record<string, string> = {};
      if (error instanceof UnavailableError || error instanceof TooManyRequestsError)
        headers['Retry-After'] = String(error.retryAfterSeconds);
      if (error.status === 401) headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
      if (error instanceof MethodNotAllowedError) headers.Allow = error.allowed.join(', ');
      sendProblem(
        res,
        { type: `/problems/${error.code}`, title: error.title, status: error.status, detail: error.message, instance },
        headers,
      );
      return;
    }
    const e = (error ?? {}) as ValidatorError;
    const status = e.status ?? e.statusCode ?? 500;
    const known = TITLES[status];
    if (status >= 400 && status < 500 && known) {
      const errors = e.errors?.map((item) => ({
        ...(item.path ? { path: item.path } : {}),
        message: item.message ?? 'invalid',
        ...(item.errorCode ? { errorCode: item.errorCode } : {}),
      }));
      const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': WWW_AUTHENTICATE } : {};
      sendProblem(
        res,
        {
          type: `/problems/${status === 400 && errors?.length ? 'validation' : known[0]}`,
          title: known[1],
          status,
          detail: e.message ?? known[1],
          instance,
          ...(errors?.length ? { errors: errors.slice(0, 100) } : {}),
        },
        headers,
      );
      return;
    }
    if (isDatabaseUnreachable(error)) {
      logger.warn({ err: (error as Error).message, path: instance }, 'database unreachable');
      sendProblem(
        res,
        {
          type: '/problems/unavailable',
          title: 'Service Unavailable',
          status: 503,
          detail: 'The database cannot be reached right now',
          instance,
        },
        { 'Retry-After': '2' },
      );
      return;
    }
    if (status === 503) {
      sendProblem(
        res,
        { type: '/problems/unavailable', title: 'Service Unavailable', status, detail: e.message ?? 'Unavailable', instance },
        { 'Retry-After': '5' },
      );
      return;
    }
    logger.error({ err: error, path: instance }, 'unhandled error');
    sendProblem(res, {
      type: '/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance,
    });
  };
}
