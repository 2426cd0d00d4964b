import type { RequestHandler } from 'express';
import { auditHandlers } from '../audit/handlers.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { SecurityConfig } from '../auth/config-schema.ts';
import { authHandlers } from '../auth/handlers/auth.ts';
import { keyHandlers } from '../auth/handlers/keys.ts';
import { userHandlers } from '../auth/handlers/users.ts';
import type { Auth } from '../auth/index.ts';
import { corsFor } from './cors.ts';
import { isDashboardPath } from './dashboard.ts';
import { createRateLimits } from './rate-limit.ts';
import type { SpecOperation } from './spec-operations.ts';
import { securityStep } from './security.ts';
import { securityHeaders } from './security-headers.ts';
import type { StreamTickets } from '../stream/tickets.ts';

export interface SecurityLayerDeps {
  auth: Auth;
  audit: AuditService;
  config: Pick<SecurityConfig, 'rateLimits' | 'cors'>;
  /** Benchmarks and tests only, set in code: `off` lets every request act as admin. */
  authentication?: 'on' | 'off';
  /** Stream tickets, redeemed by the security step of the operations that accept them. */
  tickets?: Pick<StreamTickets, 'redeem'>;
}

/**
 * Everything buildApp needs for security, in request order: `front` (security headers, CORS when origins
 * are configured, the per-address limit) before anything else; `stepsOf(operation)`, the security step and
 * the per-key limit and quota, before the operation's validation; and the handlers of /auth, /users, /keys
 * and /audit.
 */
export function createSecurityLayer(deps: SecurityLayerDeps) {
  const headers = securityHeaders();
  const limits = createRateLimits(deps.auth.limiterStore, deps.config.rateLimits);
  const front: RequestHandler[] = [
    (req, res, next) => {
      const path = req.path;
      const policy = path === '/docs' || path.startsWith('/docs/') ? headers.docs : isDashboardPath(path) ? headers.dashboard : headers.api;
      policy(req, res, next);
    },
    ...(deps.config.cors.origins.length > 0 ? [corsFor(deps.config.cors.origins)] : []),
    limits.byClient,
  ];
  return {
    front,
    stepsOf: (operation: SpecOperation): RequestHandler[] => {
      const authenticate = securityStep(operation, deps.auth.authenticator, {
        authentication: deps.authentication,
        tickets: deps.tickets,
      });
      return authenticate ? [authenticate, limits.byPrincipal] : [];
    },
    handlers: {
      ...authHandlers(deps.auth.service),
      ...userHandlers(deps.auth.users, deps.audit),
      ...keyHandlers(deps.auth.keys),
      ...auditHandlers(deps.audit),
    },
  };
}
