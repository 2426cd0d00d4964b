import { ForbiddenError } from '../errors.ts';
import { chain } from '../maybe-async.ts';
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
    // The single-object reads answer synchronously while the live store has the values in memory.
    getChargePoint: ({ params, principal }) => {
      // Checked before the lookup, so a forbidden id answers the same whether or not it exists.
      if (!requirePrincipal(principal).canAccessChargepoint(params.chargepointId))
        throw new ForbiddenError(`You may not use chargepoint ${params.chargepointId}`);
      return chain(live.getChargePoint(params.chargepointId), (chargePoint) => json(200, chargePoint, NO_STORE));
    },
    getSite: () => chain(live.getSite(), (site) => json(200, site, NO_STORE)),
    listVehicles: async () => json(200, { items: await live.listVehicles() }, NO_STORE),
    getVehicle: ({ params }) => chain(live.getVehicle(params.vehicleId), (vehicle) => json(200, vehicle, NO_STORE)),
  };
}
