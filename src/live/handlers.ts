import { json, type HandlerTable } from '../http/operation-types.ts';
import type { LiveService } from './live-service.ts';

const NO_STORE = { 'Cache-Control': 'no-store' };

type LiveHandlers = Pick<HandlerTable, 'listChargePoints' | 'getChargePoint' | 'getSite' | 'listVehicles' | 'getVehicle'>;

export function liveHandlers(live: LiveService): LiveHandlers {
  return {
    listChargePoints: async () => json(200, { items: await live.listChargePoints() }, NO_STORE),
    getChargePoint: async ({ params }) => json(200, await live.getChargePoint(params.chargepointId), NO_STORE),
    getSite: async () => json(200, await live.getSite(), NO_STORE),
    listVehicles: async () => json(200, { items: await live.listVehicles() }, NO_STORE),
    getVehicle: async ({ params }) => json(200, await live.getVehicle(params.vehicleId), NO_STORE),
  };
}
