/**
 * What the control handlers share: running a command for a request and turning its outcome into the reply
 * (200 with the new state, 202 with the command resource), and reading charge settings.
 */
import type { Request } from 'express';
import { actorOf } from '../audit/audit.ts';
import type { Principal } from '../auth/principal.ts';
import { json } from '../http/operation-types.ts';
import { requirePublished, type LiveModel } from '../live/live-model.ts';
import type { LiveService } from '../live/live-service.ts';
import type { SystemView } from '../live/views.ts';
import { configView, freeForm, parseModules } from '../vehicles/soc-modules.ts';
import { buildChargeSettings, type ChargeSettingsDto } from './charge-settings.ts';
import type { CommandService } from './command-service.ts';
import type { Issuer } from './model.ts';
import type { CommandInput } from './planner.ts';
import { commandDto, commandLocation, preferredWait, type CommandDto } from './views.ts';

export function apiIssuer(principal: Principal, request: Request): Issuer {
  return {
    principal,
    via: 'api',
    actor: actorOf(principal),
    client: { ip: request.ip ?? null, userAgent: request.header('user-agent')?.slice(0, 256) ?? null },
  };
}

export class ControlApi {
  constructor(
    readonly commands: CommandService,
    private readonly live: LiveService,
    private readonly model: LiveModel,
  ) {}

  async run(input: CommandInput, principal: Principal, request: Request) {
    const { waitMs, applied: preference } = preferredWait(request.header('prefer'), this.commands.timeoutMs);
    const outcome = await this.commands.execute(input, apiIssuer(principal, request), waitMs);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', Location: commandLocation(outcome.record.id) };
    if (!outcome.applied) {
      if (preference) headers['Preference-Applied'] = preference;
      return json(202, commandDto(outcome.record), headers);
    }
    return json(200, commandDto(outcome.record, await this.state(input, outcome.vehicleId)), headers);
  }

  async settings(chargepointId: string): Promise<ChargeSettingsDto> {
    const [chargepoint, system] = await this.model.read({ kind: 'chargepoint', id: chargepointId }, { kind: 'system' });
    return buildChargeSettings(requirePublished(chargepoint), system);
  }

  /** The target's state after the change, for the 200 reply. */
  private async state(input: CommandInput, vehicleId: string | undefined): Promise<Partial<CommandDto>> {
    const state: Partial<CommandDto> = {};
    if (input.target.type === 'chargepoint') {
      const [chargepoint, settings] = await Promise.all([this.live.getChargePoint(input.target.id), this.settings(input.target.id)]);
      state.chargepoint = chargepoint;
      state.settings = settings;
    }
    if (vehicleId !== undefined && input.change.action !== 'lock' && input.change.action !== 'vehicle') {
      state.vehicle = await this.live.getVehicle(vehicleId);
    }
    if (input.change.action === 'socModule' && vehicleId !== undefined) {
      const [vehicle, system] = await this.model.read({ kind: 'vehicle', id: vehicleId }, { kind: 'system' });
      state.socModule = { vehicleId, ...freeForm(configView(vehicle.fields.socModule?.value, tryModules(system))) };
    }
    return state;
  }
}

function tryModules(system: SystemView) {
  try {
    return parseModules(system.fields.socModules?.value);
  } catch {
    return undefined;
  }
}
