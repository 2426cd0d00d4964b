import type { Request, RequestHandler } from 'express';
import { grants, type DeviceBinding } from '../auth/api-key.ts';
import { credentialsFromHeaders, type Authenticator, type Credentials } from '../auth/authenticator.ts';
import { UNAUTHENTICATED_ADMIN, type Principal } from '../auth/principal.ts';
import type { MaybePromise } from '../maybe-async.ts';
import { DomainError, ForbiddenError, InvalidInputError, NotAuthenticatedError, UnavailableError } from '../errors.ts';
import type { StreamTickets } from '../stream/tickets.ts';
import { contextOf, type RequestContext } from './request-context.ts';
import type { SpecOperation } from './spec-operations.ts';

export interface SecurityOptions {
  /**
   * `off` only for benchmarks and tests that measure the cost of authentication: every request then acts
   * as an admin. Set in code (buildApp), never from configuration or a request.
   */
  authentication?: 'on' | 'off';
  /** Redeems `?ticket=` for the operations whose security accepts a stream ticket (the stream's Server-Sent Events). */
  tickets?: Pick<StreamTickets, 'redeem'>;
}

const MISSING_CREDENTIALS =
  'Missing or invalid credentials: send an API key in the x-api-key header or an access token as Authorization: Bearer';

/** Where a chargepoint id can appear in a request; each is checked against the caller's chargepoints. */
const CHARGEPOINT_PATH_PARAMS = ['chargepointId', 'chargerId'];
const CHARGEPOINT_QUERY_PARAMS = ['chargepoint', 'chargepointId'];

/**
 * The security step of an operation that needs credentials (undefined for public ones), Connexion's order:
 * routing → security → validation → handler. It runs before the OpenAPI validator so a caller without
 * credentials learns nothing about valid parameters (401 before 400), and so an unreachable key store
 * answers 503 rather than 401. It also refuses (403) a request naming a chargepoint the caller may not use,
 * for every operation, present and future.
 */
export function securityStep(
  operation: SpecOperation,
  authenticator: Authenticator,
  options: SecurityOptions = {},
): RequestHandler | undefined {
  if (operation.authentication === 'none') return undefined;
  if (options.authentication === 'off') {
    return (_req, res, next) => {
      contextOf(res).principal = UNAUTHENTICATED_ADMIN;
      next();
    };
  }
  return (req, res, next) => {
    const found = authenticate(req, operation, authenticator, options.tickets, contextOf(res));
    if (found instanceof Promise) {
      found.then((principal) => {
        contextOf(res).principal = principal;
        next();
      }, next);
    } else {
      contextOf(res).principal = found;
      next();
    }
  };
}

/** The credentials of a request, or a 401 when they are malformed or ambiguous. */
export function credentialsOf(req: Request): Credentials | undefined {
  return credentialsFromHeaders(req.header('x-api-key'), req.header('authorization'));
}

/** The caller (undefined: anonymous, where the operation allows it), or throws 401/403; synchronous while the credentials are cached. */
function authenticate(
  req: Request,
  operation: SpecOperation,
  authenticator: Authenticator,
  tickets: SecurityOptions['tickets'],
  context: RequestContext,
): MaybePromise<Principal | undefined> {
  const credentials = credentialsOf(req);
  const ticket = operation.acceptsTicket && tickets && req.url.includes('?') ? ticketOf(req) : undefined;
  if (ticket !== undefined) {
    if (credentials) throw new InvalidInputError('Send either credentials in a header or a ticket, not both');
    return byTicket(req, operation, tickets!, ticket, context);
  }
  if (!credentials) {
    if (operation.authentication === 'optional') return undefined;
    throw new NotAuthenticatedError(MISSING_CREDENTIALS);
  }
  const found = authenticator.authenticate(credentials);
  if (!(found instanceof Promise)) return authorize(req, operation, found);
  return found.then(
    (principal) => authorize(req, operation, principal),
    (error: unknown) => {
      if (error instanceof DomainError) throw error;
      throw new UnavailableError('Credentials cannot be checked right now: the database is unreachable');
    },
  );
}

async function byTicket(
  req: Request,
  operation: SpecOperation,
  tickets: NonNullable<SecurityOptions['tickets']>,
  ticket: string,
  context: RequestContext,
): Promise<Principal> {
  const holder = await tickets.redeem(ticket);
  if (!holder) throw new NotAuthenticatedError('The ticket is unknown, used or expired, or its credentials were revoked');
  context.ticketReauthenticate = holder.reauthenticate;
  return authorize(req, operation, holder.principal);
}

function ticketOf(req: Request): string | undefined {
  const value = (req.query as Record<string, unknown>).ticket;
  return typeof value === 'string' ? value : undefined;
}

function authorize(req: Request, operation: SpecOperation, principal: Principal | undefined): Principal {
  if (!principal) throw new NotAuthenticatedError('The credentials are unknown, expired or revoked');
  if (principal.device) {
    authorizeDevice(req, operation, principal.device);
  } else if (operation.requiredScope && !grants(principal.scopes, operation.requiredScope)) {
    throw new ForbiddenError(`${operation.operationId} needs credentials with the ${operation.requiredScope} scope`);
  }
  for (const id of chargepointsNamed(req)) {
    if (!principal.canAccessChargepoint(id)) throw new ForbiddenError(`You may not use chargepoint ${id}`);
  }
  return principal;
}

/**
 * A key bound to a device reaches the operations marked for its kind of device, for its own device only,
 * and nothing else, present and future: the binding replaces the scope check for those operations.
 */
function authorizeDevice(req: Request, operation: SpecOperation, device: DeviceBinding): void {
  if (operation.device?.kind !== device.kind) {
    throw new ForbiddenError(
      `This key is bound to ${device.kind} ${device.id}: ${operation.operationId} is not one of its device's operations`,
    );
  }
  const param = operation.device.param;
  if (param !== undefined && req.params[param] !== device.id) {
    throw new ForbiddenError(`This key is bound to ${device.kind} ${device.id} and may not use another ${device.kind}`);
  }
}

function chargepointsNamed(req: Request): string[] {
  const ids: string[] = [];
  for (const name of CHARGEPOINT_PATH_PARAMS) {
    const value = req.params[name];
    if (typeof value === 'string') ids.push(value);
  }
  // req.query parses the query string on every access: skip it when there is none.
  if (!req.url.includes('?')) return ids;
  for (const name of CHARGEPOINT_QUERY_PARAMS) {
    const value = (req.query as Record<string, unknown>)[name];
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') ids.push(item);
  }
  return ids;
}

/** For handlers of operations that need credentials: the security step has set the principal. */
export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new NotAuthenticatedError(MISSING_CREDENTIALS);
  return principal;
}
