import type { RequestHandler, Response } from 'express';
import { SCOPES, type Scope } from '../auth/api-key.ts';
import type { MaybePromise } from '../maybe-async.ts';
import type { HandlerTable, OperationId } from './operation-types.ts';
import { contextOf, gatewayHeaders, setGatewayHeaders } from './request-context.ts';
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

/** How a JSON reply is written: directly (writeJson), or through Express's res.json (expressJson). */
export type JsonWriter = (res: Response, status: number, body: unknown, headers: Record<string, string> | undefined) => void;

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
 * Writes a JSON reply with the bytes, status, Content-Type and Content-Length res.json would send (Node
 * drops the body of a HEAD), handing Node the whole header block in one writeHead: no res.send machinery
 * (charset parsing, ETag and freshness checks the API never uses) and no setHeader per header.
 */
export const writeJson: JsonWriter = (res, status, body, headers) => {
  const text = jsonText(body);
  const block = gatewayHeaders(contextOf(res));
  if (headers) for (const name in headers) block.push(name, headers[name] as string);
  block.push('Content-Type', JSON_CONTENT_TYPE, 'Content-Length', String(Buffer.byteLength(text)));
  res.writeHead(status, block);
  res.end(text);
};

/**
 * res.json, which express-openapi-validator watches to validate responses (tests, CI, VALIDATE_RESPONSES).
 * Its serialisers write to the body, which may hold shared (frozen) read models, so it gets a copy.
 */
export const expressJson: JsonWriter = (res, status, body, headers) => {
  setGatewayHeaders(res);
  if (headers) res.set(headers);
  res.status(status).json(structuredClone(body));
};

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
      if (reply.contentType === 'application/json') return json(res, reply.status, reply.body, reply.headers);
      setGatewayHeaders(res);
      if (reply.headers) res.set(reply.headers);
      if (reply.contentType === undefined) res.status(reply.status).end();
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
