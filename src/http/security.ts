import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { grants, type Principal } from '../auth/api-key.ts';
import type { ApiKeyService } from '../auth/api-key-service.ts';
import { DomainError, ForbiddenError, UnauthorizedError, UnavailableError } from './errors.ts';
import type { SpecOperation } from './router.ts';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * The security step, Connexion's order: routing → security → validation → handler. It runs before the
 * OpenAPI validator so a caller without credentials learns nothing about valid parameters (401 before
 * 400), and so an unreachable key store answers 503 rather than 401.
 */
export function createSecurityRouter(operations: SpecOperation[], apiKeys: ApiKeyService): Router {
  const router = express.Router();
  for (const operation of operations) {
    if (operation.authentication === 'none') continue;
    router[operation.method](operation.expressPath, (req: Request, _res: Response, next: NextFunction) => {
      authenticate(req as AuthenticatedRequest, operation, apiKeys).then(() => next(), next);
    });
  }
  return router;
}

async function authenticate(req: AuthenticatedRequest, operation: SpecOperation, apiKeys: ApiKeyService): Promise<void> {
  const key = req.header('x-api-key');
  if (key === undefined) {
    if (operation.authentication === 'optional') return;
    throw new UnauthorizedError();
  }
  let principal: Principal | undefined;
  try {
    principal = await apiKeys.authenticate(key);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new UnavailableError('Credentials cannot be checked right now: the database is unreachable');
  }
  if (!principal) throw new UnauthorizedError('The API key is unknown, expired or revoked');
  if (operation.requiredScope && !grants(principal.scopes, operation.requiredScope)) {
    throw new ForbiddenError(`${operation.operationId} needs an API key with the ${operation.requiredScope} scope`);
  }
  req.principal = principal;
}
