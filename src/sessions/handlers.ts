import type { Principal } from '../auth/principal.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { SessionCorrections } from './correction-service.ts';
import type { SessionService } from './session-service.ts';

type SessionHandlers = Pick<HandlerTable, 'listSessions' | 'getSession' | 'getSessionSummary' | 'correctSession'>;

/** Non-admins see only their own sessions (attributed through their RFID profiles); nobody gets a placeholder id. */
export const ownerOf = (principal: Principal): string | undefined => (principal.role === 'admin' ? undefined : (principal.userId ?? '-'));

/**
 * A caller restricted to some chargepoints sees only their sessions (admins and unrestricted keys: all);
 * a user (not an admin) sees only the sessions attributed to them.
 */
export function sessionHandlers(sessions: SessionService, corrections: SessionCorrections): SessionHandlers {
  return {
    listSessions: async ({ query, principal }) => {
      const caller = requirePrincipal(principal);
      return json(200, await sessions.list(query, caller.chargepoints, ownerOf(caller)));
    },
    getSession: async ({ params, principal }) => {
      const caller = requirePrincipal(principal);
      return json(200, await sessions.get(params.sessionId, caller.chargepoints, ownerOf(caller)));
    },
    getSessionSummary: async ({ query, principal }) => {
      const caller = requirePrincipal(principal);
      return json(200, await sessions.summary(query, caller.chargepoints, ownerOf(caller)));
    },
    correctSession: async ({ params, body, principal, client }) =>
      json(200, await corrections.correct(requirePrincipal(principal), params.sessionId, body, client)),
  };
}
