import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { HistoryService } from './history-service.ts';

type HistoryHandlers = Pick<HandlerTable, 'getHistory' | 'listHistorySeries'>;

/** Chargepoint series are limited to the chargepoints the caller may use; site and vehicle series are shared. */
export function historyHandlers(history: HistoryService): HistoryHandlers {
  return {
    getHistory: async ({ query, principal }) => json(200, await history.query(query, requirePrincipal(principal).chargepoints)),
    listHistorySeries: async ({ principal }) => json(200, await history.listSeries(requirePrincipal(principal).chargepoints)),
  };
}
