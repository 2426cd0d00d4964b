/**
 * Handler types derived from generated/openapi.ts: a handler's params, query, body and every reply it may
 * give come from its operation in the spec, so a wrong field or status is a compile error.
 */
import type { Readable } from 'node:stream';
import type { operations } from '../../generated/openapi.ts';
import type { OperationId } from '../api/types.ts';
import type { AuditClient } from '../audit/audit.ts';
import type { Principal } from '../auth/api-key.ts';
import type { Credentials } from '../auth/authenticator.ts';
import type { MaybePromise } from '../maybe-async.ts';

type Op<K extends OperationId> = operations[K];
type Defined<T> = [Exclude<T, undefined>] extends [never] ? Record<string, never> : Exclude<T, undefined>;

export type PathParams<K extends OperationId> = Defined<Op<K>['parameters']['path']>;
export type QueryParams<K extends OperationId> = Defined<Op<K>['parameters']['query']>;
/** Header parameters by their names in the spec (e.g. `Prefer`). */
export type HeaderParams<K extends OperationId> = Defined<Op<K>['parameters']['header']>;
type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : undefined;
/** An optional request body (`required: false`) may be absent. */
export type RequestBody<K extends OperationId> = undefined extends Op<K>['requestBody']
  ? JsonBody<Exclude<Op<K>['requestBody'], undefined>> | undefined
  : JsonBody<Op<K>['requestBody']>;

type Responses<K extends OperationId> = Op<K>['responses'];
type StatusWithContent<K extends OperationId> = {
  [S in keyof Responses<K>]: S extends number ? (Responses<K>[S] extends { content: object } ? S : never) : never;
}[keyof Responses<K>];

type StatusWithoutContent<K extends OperationId> = {
  [S in keyof Responses<K>]: S extends number ? (Responses<K>[S] extends { content: object } ? never : S) : never;
}[keyof Responses<K>];

/**
 * A text or binary body (CSV, XLSX) may be streamed: the writer pipes it with backpressure. A document built
 * in memory (a PDF: `format: binary`, typed `string` by openapi-typescript) may be bytes.
 */
type BodyOf<T, B> = T extends 'application/json' ? B : B extends string ? B | Readable | Uint8Array : B;

/** What a handler returns: one of its operation's documented statuses with a body of that status' schema. */
export type Reply<K extends OperationId> =
  | {
      [S in StatusWithContent<K>]: Responses<K>[S] extends { content: infer C }
        ? { [T in keyof C]: { status: S; contentType: T; body: BodyOf<T, C[T]>; headers?: Record<string, string> } }[keyof C]
        : never;
    }[StatusWithContent<K>]
  | {
      [S in StatusWithoutContent<K>]: { status: S; contentType?: undefined; body?: undefined; headers?: Record<string, string> };
    }[StatusWithoutContent<K>];

export interface OperationInput<K extends OperationId> {
  params: PathParams<K>;
  query: QueryParams<K>;
  body: RequestBody<K>;
  headers: HeaderParams<K>;
  /** Set by the security step when the caller presented valid credentials. */
  principal: Principal | undefined;
  /** The caller's address (as `trust proxy` resolves it) and user agent, for the audit log. */
  client: AuditClient;
  /** The credentials the caller presented (for the stream's tickets, which re-check them while the stream lasts). */
  credentials: Credentials | undefined;
}

/** A handler answers with a promise, or at once when it has everything in memory (live reads). */
export type OperationHandler<K extends OperationId> = (input: OperationInput<K>) => MaybePromise<Reply<K>>;

/** The one table from operationId to handler; a missing entry does not compile. */
export type HandlerTable = { [K in OperationId]: OperationHandler<K> };

export const json = <S extends number, B>(status: S, body: B, headers?: Record<string, string>) => ({
  status,
  contentType: 'application/json' as const,
  body,
  headers,
});

/** A reply without a body (204). */
export const noContent = () => ({ status: 204 as const });
