import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import { commandDto } from './views.ts';
import type { ControlApi } from './control-api.ts';

type ControlHandlers = Pick<
  HandlerTable,
  | 'getChargeSettings'
  | 'setChargeMode'
  | 'setInstantCharging'
  | 'setPvCharging'
  | 'setChargePointLock'
  | 'setChargePointVehicle'
  | 'setChargePointVehicleSoc'
  | 'requestChargePointSocUpdate'
  | 'getCommand'
>;

/** Chargepoint commands (the security step has checked the caller may use `chargepointId`) and command resources. */
export function controlHandlers(api: ControlApi): ControlHandlers {
  const cp = (id: string) => ({ type: 'chargepoint' as const, id });
  return {
    getChargeSettings: async ({ params }) => json(200, await api.settings(params.chargepointId), { 'Cache-Control': 'no-store' }),
    setChargeMode: ({ params, body, principal, request }) =>
      api.run(
        { target: cp(params.chargepointId), change: { action: 'chargeMode', mode: body.mode, minCurrent: body.minCurrent } },
        requirePrincipal(principal),
        request,
      ),
    setInstantCharging: ({ params, body, principal, request }) =>
      api.run(
        { target: cp(params.chargepointId), change: { action: 'instantCharging', settings: body } },
        requirePrincipal(principal),
        request,
      ),
    setPvCharging: ({ params, body, principal, request }) =>
      api.run({ target: cp(params.chargepointId), change: { action: 'pvCharging', settings: body } }, requirePrincipal(principal), request),
    setChargePointLock: ({ params, body, principal, request }) =>
      api.run({ target: cp(params.chargepointId), change: { action: 'lock', locked: body.locked } }, requirePrincipal(principal), request),
    setChargePointVehicle: ({ params, body, principal, request }) =>
      api.run(
        { target: cp(params.chargepointId), change: { action: 'vehicle', vehicleId: body.vehicleId } },
        requirePrincipal(principal),
        request,
      ),
    setChargePointVehicleSoc: ({ params, body, principal, request }) =>
      api.run({ target: cp(params.chargepointId), change: { action: 'vehicleSoc', soc: body.soc } }, requirePrincipal(principal), request),
    requestChargePointSocUpdate: ({ params, principal, request }) =>
      api.run({ target: cp(params.chargepointId), change: { action: 'socUpdate' } }, requirePrincipal(principal), request),
    getCommand: async ({ params, principal }) =>
      json(200, commandDto(await api.commands.get(params.commandId, requirePrincipal(principal))), { 'Cache-Control': 'no-store' }),
  };
}
