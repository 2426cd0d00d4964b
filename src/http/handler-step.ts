import { Readable } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import type { OperationId } from '../api/types.ts';
import type { AuditClient } from '../audit/audit.ts';
import type { Credentials } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import type { MaybePromise } from '../maybe-async.ts';
import { writeJson } from './json-writers.ts';
import { writeStream } from './stream-writer.ts';
import type { HandlerTable } from './operation-types.ts';
import { contextOf, setGatewayHeaders } from './request-context.ts';
import { credentialsOf } from './security.ts';
import type { RequestValidator } from './request-validation.ts';
import { assertHandlersMatchSpec, type SpecOperation } from './spec-operations.ts';

interface AnyReply {
  status: number;
  contentType?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The last step of every operation: the request validated against the spec, the handler from the table
 * called with its input, and the reply written as the spec says.
 */
export function createHandlerSteps(
  operations: SpecOperation[],
  handlers: HandlerTable,
  validatorOf: (operation: SpecOperation) => RequestValidator,
): (operation: SpecOperation) => RequestHandler {
  assertHandlersMatchSpec(operations, handlers);
  return (operation) => {
    const handler = handlers[operation.operationId as OperationId] as unknown as (input: object) => MaybePromise<AnyReply>;
    const validate = validatorOf(operation);
    const write = (res: Response, reply: AnyReply) => {
      if (reply.contentType === 'application/json') return writeJson(res, reply.status, reply.body, reply.headers);
      setGatewayHeaders(res);
      if (reply.headers) res.set(reply.headers);
      if (reply.body instanceof Readable && reply.contentType !== undefined)
        return writeStream(res, reply.status, reply.contentType, reply.body);
      if (reply.contentType === undefined) res.status(reply.status).end();
      else res.status(reply.status).type(reply.contentType).send(reply.body);
    };
    return (req, res, next) => {
      const { params, query, body, headers } = validate(req);
      const reply = handler(new HandlerInput(params, query, body, headers, contextOf(res).principal, req));
      if (reply instanceof Promise) reply.then((answer) => write(res, answer)).catch(next);
      else write(res, reply);
    };
  };
}

/**
 * A handler's input: what it needs of the request, never the request itself. `client` is a getter, so only
 * the handlers that audit pay for resolving the address (destructure it; an object spread would drop it).
 */
class HandlerInput {
  readonly #request: Request;
  constructor(
    readonly params: unknown,
    readonly query: unknown,
    readonly body: unknown,
    readonly headers: unknown,
    readonly principal: Principal | undefined,
    request: Request,
  ) {
    this.#request = request;
  }

  get client(): AuditClient {
    return clientOf(this.#request);
  }

  get credentials(): Credentials | undefined {
    return credentialsOf(this.#request);
  }
}

/** The caller's address (as `trust proxy` resolves it) and user agent, for the audit log. */
function clientOf(req: Request): AuditClient {
  return { ip: req.ip ?? null, userAgent: req.header('user-agent')?.slice(0, 256) ?? null };
}
