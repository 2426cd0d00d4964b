import { ForbiddenError } from '../http/errors.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { LiveService } from './live-service.ts';

const NO_STORE = { 'Cache-Control': 'no-store' };

type LiveHandlers = Pick<HandlerTable, 'listChargePoints' | 'getChargePoint' | 'getSite' | 'listVehicles' | 'getVehicle'>;

/** Chargepoints are filtered to those the caller may use (admins: all); the site and vehicles are shared. */
export function liveHandlers(live: LiveService): LiveHandlers {
  return {
    listChargePoints: async ({ principal }) => {
      const caller = requirePrincipal(principal);
      const items = (await live.listChargePoints()).filter((cp) => caller.canAccessChargepoint(cp.id));
      return json(200, { items }, NO_STORE);
    },
    getChargePoint: async ({ params, principal }) => {
      // Checked before the lookup, so a forbidden id answers the same whether or not it exists.
      if (!requirePrincipal(principal).canAccessChargepoint(params.chargepointId)) throw new ForbiddenError(`You may not use chargepoint ${params.chargepointId}`);
      return json(200, await live.getChargePoint(params.chargepointId), NO_STORE);
    },
    getSite: async () => json(200, await live.getSite(), NO_STORE),
    listVehicles: async () => json(200, { items: await live.listVehicles() }, NO_STORE),
    getVehicle: async ({ params }) => json(200, await live.getVehicle(params.vehicleId), NO_STORE),
  };
}
