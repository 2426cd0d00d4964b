import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { SessionService } from './session-service.ts';

type SessionHandlers = Pick<HandlerTable, 'listSessions' | 'getSession' | 'getSessionSummary'>;

/** A caller restricted to some chargepoints sees only their sessions (admins and unrestricted keys: all). */
export function sessionHandlers(sessions: SessionService): SessionHandlers {
  return {
    listSessions: async ({ query, principal }) => json(200, await sessions.list(query, requirePrincipal(principal).chargepoints)),
    getSession: async ({ params, principal }) => json(200, await sessions.get(params.sessionId, requirePrincipal(principal).chargepoints)),
    getSessionSummary: async ({ query, principal }) => json(200, await sessions.summary(query, requirePrincipal(principal).chargepoints)),
  };
}
