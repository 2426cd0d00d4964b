import type { NextFunction, Request, RequestHandler, Response } from 'express';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { InvalidInputError } from '../errors.ts';
import { contextOf, setGatewayHeaders } from './request-context.ts';
import type { SpecOperation } from './spec-operations.ts';
import { quotedPath } from '../bounded-text.ts';

/** A path the spec has, asked with a method it does not have: 405 with `Allow`. */
export class MethodNotAllowedError extends Error {
  constructor(readonly allowed: readonly string[]) {
    super(`This path answers ${allowed.join(', ')} only`);
  }
}

interface Route {
  operation: SpecOperation;
  steps: readonly RequestHandler[];
}

/**
 * Routes every request once. find-my-way (Fastify's radix-tree router) finds the spec operation by method
 * and path; the operation's own steps then run in order (security → limits → body → validation → handler),
 * each an Express middleware. Nothing else looks at the path again, which is what keeps the API within
 * reach of a bare Express route (bench/http.ts). A method the path does not have answers 405 with `Allow`,
 * a path that is not validly percent-encoded 400; other paths go on to the next middleware.
 * The request's context names the operation for the request metrics.
 */
export function createDispatcher(
  operations: readonly SpecOperation[],
  stepsOf: (operation: SpecOperation) => RequestHandler[],
): RequestHandler {
  // maxParamLength: find-my-way's default (100) made a longer path parameter "no route" (404); the schema's
  // maxLength judges it instead (400). Node's header limit (16 KiB) bounds the whole URL anyway.
  const router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 16_384 });
  const methods = new Set<HTTPMethod>();
  for (const operation of operations) {
    const method = operation.method.toUpperCase() as HTTPMethod;
    methods.add(method);
    const route: Route = { operation, steps: stepsOf(operation) };
    router.on(method, operation.expressPath, () => undefined, route);
  }

  const unroutable = (path: string) => {
    if (!decodable(path)) return new InvalidInputError(`The path ${quotedPath(path)} is not validly percent-encoded`);
    const allowed = [...methods].filter((method) => router.find(method, path) !== null);
    if (allowed.includes('GET')) allowed.push('HEAD');
    return allowed.length > 0 ? new MethodNotAllowedError(allowed) : undefined;
  };

  return (req, res, next) => {
    const path = req.path;
    // HEAD is GET without the body (RFC 9110): Node's response drops the body of a HEAD by itself.
    const found = router.find((req.method === 'HEAD' ? 'GET' : req.method) as HTTPMethod, path);
    if (!found) {
      // Not an operation (the spec, the docs, an unknown path): Express writes the response.
      setGatewayHeaders(res);
      return next(unroutable(path));
    }
    const { operation, steps } = found.store as Route;
    contextOf(res).operationId = operation.operationId;
    req.params = found.params as Record<string, string>;
    runSteps(steps, req, res, next);
  };
}

/** Several middlewares as one, without an Express router layer (and its path matching) for each. */
export function series(steps: readonly RequestHandler[]): RequestHandler {
  return (req, res, next) => runSteps(steps, req, res, next);
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Express's own contract for a middleware chain: next() goes on, next(error) stops, a rejected promise is an error. */
function runSteps(steps: readonly RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const next: NextFunction = (error?: unknown) => {
    if (error !== undefined && error !== null) return done(error);
    const step = steps[index++];
    if (!step) return done();
    try {
      const result: unknown = step(req, res, next);
      if (result instanceof Promise) result.catch(done);
    } catch (error) {
      done(error);
    }
  };
  next();
}
