import { json, type HandlerTable, type OperationInput } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import { commandDto, commandLocation } from './views.ts';
import type { CommandInput } from './planner.ts';
import type { CommandAnswer, ControlPresenter } from './presenter.ts';

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

/** 200 with the new state when openWB confirmed the command in time, else 202; both point at the command resource. */
export function commandReply(answer: CommandAnswer) {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', Location: commandLocation(answer.command.id) };
  if (answer.confirmed) return json(200, answer.command, headers);
  if (answer.preferenceApplied) headers['Preference-Applied'] = answer.preferenceApplied;
  return json(202, answer.command, headers);
}

/** What running a command needs of its request: the caller, and the `Prefer` header of every command operation. */
export type CommandRequest = Pick<OperationInput<'setChargeMode'>, 'principal' | 'client' | 'headers'>;

export async function runCommand(presenter: ControlPresenter, request: CommandRequest, command: CommandInput) {
  return commandReply(await presenter.run(command, requirePrincipal(request.principal), request.client, request.headers.Prefer));
}

/** Chargepoint commands (the security step has checked the caller may use `chargepointId`) and command resources. */
export function controlHandlers(presenter: ControlPresenter): ControlHandlers {
  const cp = (id: string) => ({ type: 'chargepoint' as const, id });
  const run = (request: CommandRequest, command: CommandInput) => runCommand(presenter, request, command);
  return {
    getChargeSettings: async ({ params }) => json(200, await presenter.settings(params.chargepointId), { 'Cache-Control': 'no-store' }),
    setChargeMode: (input) =>
      run(input, {
        target: cp(input.params.chargepointId),
        change: { action: 'chargeMode', mode: input.body.mode, minCurrent: input.body.minCurrent },
      }),
    setInstantCharging: (input) =>
      run(input, { target: cp(input.params.chargepointId), change: { action: 'instantCharging', settings: input.body } }),
    setPvCharging: (input) =>
      run(input, { target: cp(input.params.chargepointId), change: { action: 'pvCharging', settings: input.body } }),
    setChargePointLock: (input) =>
      run(input, { target: cp(input.params.chargepointId), change: { action: 'lock', locked: input.body.locked } }),
    setChargePointVehicle: (input) =>
      run(input, { target: cp(input.params.chargepointId), change: { action: 'vehicle', vehicleId: input.body.vehicleId } }),
    setChargePointVehicleSoc: (input) =>
      run(input, { target: cp(input.params.chargepointId), change: { action: 'vehicleSoc', soc: input.body.soc } }),
    requestChargePointSocUpdate: (input) => run(input, { target: cp(input.params.chargepointId), change: { action: 'socUpdate' } }),
    getCommand: async ({ params, principal }) =>
      json(200, commandDto(await presenter.commands.get(params.commandId, requirePrincipal(principal))), { 'Cache-Control': 'no-store' }),
  };
}
