import type { RequestHandler, Response } from 'express';
import { SCOPES, type Scope } from '../auth/api-key.ts';
import type { MaybePromise } from '../maybe-async.ts';
import type { HandlerTable, OperationId } from './operation-types.ts';
import { contextOf } from './request-context.ts';
import type { RequestValidator } from './request-validation.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

/** `optional`: the operation also accepts anonymous callers (`security: [{}, ...]`); the handler decides. */
export type Authentication = 'required' | 'optional' | 'none';

export interface SpecOperation {
  operationId: string;
  method: Method;
  path: string;
  expressPath: string;
  authentication: Authentication;
  requiredScope: Scope | undefined;
  /** The operation takes a request body (parsed only for these). */
  hasRequestBody: boolean;
}

type SecurityRequirements = Record<string, string[]>[];

export interface OpenApiDocument {
  security?: SecurityRequirements;
  paths: Record<string, Partial<Record<Method, { operationId?: string; security?: SecurityRequirements; 'x-required-scope'?: string; requestBody?: unknown }>>>;
}

function authenticationOf(security: SecurityRequirements | undefined): Authentication {
  if (!security || security.length === 0) return 'none';
  return security.some((requirement) => Object.keys(requirement).length === 0) ? 'optional' : 'required';
}

export function listOperations(spec: OpenApiDocument): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (!operation.operationId) throw new Error(`openapi.yaml: ${method.toUpperCase()} ${path} has no operationId`);
      const authentication = authenticationOf(operation.security ?? spec.security);
      const requiredScope = operation['x-required-scope'];
      if (authentication !== 'none' && !(SCOPES as readonly string[]).includes(requiredScope ?? '')) {
        throw new Error(`openapi.yaml: ${operation.operationId} needs credentials but names no valid x-required-scope`);
      }
      operations.push({
        operationId: operation.operationId,
        method,
        path,
        expressPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        authentication,
        requiredScope: requiredScope as Scope | undefined,
        hasRequestBody: operation.requestBody !== undefined,
      });
    }
  }
  return operations;
}

/** Refuses to start when the spec and the handler table disagree, naming every mismatch. */
export function assertHandlersMatchSpec(operations: SpecOperation[], handlers: object): void {
  const inSpec = new Set(operations.map((o) => o.operationId));
  const missing = [...inSpec].filter((id) => typeof (handlers as Record<string, unknown>)[id] !== 'function');
  const unknown = Object.keys(handlers).filter((id) => !inSpec.has(id));
  if (missing.length || unknown.length) {
    const lines = [
      ...missing.map((id) => `operation ${id} in openapi.yaml has no handler`),
      ...unknown.map((id) => `handler ${id} has no operation in openapi.yaml`),
    ];
    throw new Error(`The handler table does not match openapi.yaml:\n  - ${lines.join('\n  - ')}`);
  }
}

/** How a JSON reply is written: Express's res.json, or the direct writer (see writeJson). */
export type JsonWriter = (res: Response, status: number, body: unknown) => void;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The JSON of frozen bodies (memoised read models): they cannot change, so each is serialised once. */
const frozenJson = new WeakMap<object, string>();

function jsonText(body: unknown): string {
  if (body === null || typeof body !== 'object' || !Object.isFrozen(body)) return JSON.stringify(body);
  let text = frozenJson.get(body);
  if (text === undefined) frozenJson.set(body, (text = JSON.stringify(body)));
  return text;
}

/**
 * Writes a JSON reply as Express's res.json does (same status, Content-Type, Content-Length and bytes;
 * Node drops the body of a HEAD), without res.send's generic work: charset parsing, ETag and freshness
 * checks the API never uses. res.json stays in use where express-openapi-validator validates responses,
 * since that is the call it watches.
 */
export const writeJson: JsonWriter = (res, status, body) => {
  const text = jsonText(body);
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
};

/** For response validation: express-openapi-validator's serialisers write to the body, which may hold shared (frozen) read models, so it gets a copy. */
export const expressJson: JsonWriter = (res, status, body) => void res.status(status).json(structuredClone(body));

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
  json: JsonWriter,
): (operation: SpecOperation) => RequestHandler {
  assertHandlersMatchSpec(operations, handlers);
  return (operation) => {
    const handler = handlers[operation.operationId as OperationId] as unknown as (input: object) => MaybePromise<AnyReply>;
    const validate = validatorOf(operation);
    const write = (res: Response, reply: AnyReply) => {
      if (reply.headers) for (const name in reply.headers) res.setHeader(name, reply.headers[name] as string);
      if (reply.contentType === 'application/json') json(res, reply.status, reply.body);
      else if (reply.contentType === undefined) res.status(reply.status).end();
      else res.status(reply.status).type(reply.contentType).send(reply.body);
    };
    return (req, res, next) => {
      const { params, query, body } = validate(req);
      const reply = handler({ params, query, body, principal: contextOf(res).principal, request: req });
      if (reply instanceof Promise) reply.then((answer) => write(res, answer)).catch(next);
      else write(res, reply);
    };
  };
}
