/** The operations openapi.yaml declares, and the check that the handler table implements exactly those. */
import { DEVICE_KINDS, DEVICE_PATH_PARAMS, SCOPES, type DeviceKind, type Scope } from '../auth/api-key.ts';

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
  /** The operation accepts a stream ticket (`?ticket=`) instead of header credentials: its security names STREAM_TICKET_SCHEME. */
  acceptsTicket: boolean;
  /** The operation takes a request body (parsed only for these). */
  hasRequestBody: boolean;
  /**
   * `x-device-operation`: a key bound to a device of this kind may call it, for its own device only (the
   * path parameter `deviceParam` must name it; without one the operation acts on the caller's device).
   * Bound keys reach nothing else.
   */
  device?: { kind: DeviceKind; param: string | undefined };
}

type SecurityRequirements = Record<string, string[]>[];

export interface OpenApiDocument {
  security?: SecurityRequirements;
  paths: Record<
    string,
    Partial<
      Record<
        Method,
        {
          operationId?: string;
          security?: SecurityRequirements;
          'x-required-scope'?: string;
          'x-device-operation'?: string;
          requestBody?: unknown;
        }
      >
    >
  >;
}

/** The security scheme of openapi.yaml for a single-use stream ticket in the query. */
export const STREAM_TICKET_SCHEME = 'StreamTicket';

function authenticationOf(security: SecurityRequirements | undefined): Authentication {
  if (!security || security.length === 0) return 'none';
  return security.some((requirement) => Object.keys(requirement).length === 0) ? 'optional' : 'required';
}

function deviceOf(operationId: string, path: string, kind: string | undefined): SpecOperation['device'] {
  if (kind === undefined) return undefined;
  if (!(DEVICE_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`openapi.yaml: ${operationId} has x-device-operation ${kind}, not one of ${DEVICE_KINDS.join(', ')}`);
  }
  const param = DEVICE_PATH_PARAMS[kind as DeviceKind];
  return { kind: kind as DeviceKind, param: path.includes(`{${param}}`) ? param : undefined };
}

export function listOperations(spec: OpenApiDocument): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (!operation.operationId) throw new Error(`openapi.yaml: ${method.toUpperCase()} ${path} has no operationId`);
      const security = operation.security ?? spec.security;
      const authentication = authenticationOf(security);
      const requiredScope = operation['x-required-scope'];
      if (authentication !== 'none' && !(SCOPES as readonly string[]).includes(requiredScope ?? '')) {
        throw new Error(`openapi.yaml: ${operation.operationId} needs credentials but names no valid x-required-scope`);
      }
      const device = deviceOf(operation.operationId, path, operation['x-device-operation']);
      operations.push({
        operationId: operation.operationId,
        method,
        path,
        expressPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        authentication,
        requiredScope: requiredScope as Scope | undefined,
        acceptsTicket: (security ?? []).some((requirement) => STREAM_TICKET_SCHEME in requirement),
        hasRequestBody: operation.requestBody !== undefined,
        ...(device ? { device } : {}),
      });
    }
  }
  return operations;
}

/**
 * The operations declared under the path prefix `from` served under `to` instead (the validator still finds
 * them by their spec `path`); `to` undefined: those operations are not served at all.
 */
export function mountPrefix(operations: readonly SpecOperation[], from: string, to: string | undefined): SpecOperation[] {
  return operations.flatMap((operation) => {
    if (operation.path !== from && !operation.path.startsWith(`${from}/`)) return [operation];
    return to === undefined ? [] : [{ ...operation, expressPath: to + operation.expressPath.slice(from.length) }];
  });
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
