import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { EnergSyncService } from './energsync-service.ts';

type EnergSyncHandlers = Pick<HandlerTable, 'listEnergSyncChargers' | 'getEnergSyncCharger' | 'listEnergSyncSessions'>;

/** The EnergSync operations; a key narrowed to chargepoints sees only those chargers and their sessions. */
export function energsyncHandlers(energsync: EnergSyncService): EnergSyncHandlers {
  return {
    listEnergSyncChargers: async ({ query, principal }) =>
      json(200, await energsync.listChargers(query, requirePrincipal(principal).chargepoints)),
    getEnergSyncCharger: async ({ params, principal }) =>
      json(200, await energsync.getCharger(params.chargerId, requirePrincipal(principal).chargepoints)),
    listEnergSyncSessions: async ({ params, query, principal }) =>
      json(200, await energsync.listSessions(params.chargerId, query, requirePrincipal(principal).chargepoints)),
  };
}
