/**
 * The API views of control: a command run for a caller, presented with the target's new state when openWB
 * confirmed it in time, and a chargepoint's charge settings.
 */
import { actorOf, type AuditClient } from '../audit/audit.ts';
import type { Principal } from '../auth/principal.ts';
import { requirePublished, type LiveModel } from '../live/live-model.ts';
import type { LiveService } from '../live/live-service.ts';
import type { SystemView } from '../live/views.ts';
import { configView, freeForm, parseModules } from '../vehicles/soc-modules.ts';
import { buildChargeSettings, type ChargeSettingsDto } from './charge-settings.ts';
import type { CommandService } from './command-service.ts';
import type { Issuer } from './model.ts';
import type { CommandInput } from './planner.ts';
import { commandDto, preferredWait, type CommandDto } from './views.ts';

/** A command as the API answers it: confirmed (with the new state) or still pending (with the `Prefer` it honoured). */
export type CommandAnswer =
  { confirmed: true; command: CommandDto } | { confirmed: false; command: CommandDto; preferenceApplied?: string };

export class ControlPresenter {
  constructor(
    readonly commands: CommandService,
    private readonly live: LiveService,
    private readonly model: LiveModel,
  ) {}

  /** `prefer`: the request's RFC 7240 `Prefer` header, how long to wait for openWB's confirmation. */
  async run(input: CommandInput, principal: Principal, client: AuditClient, prefer: string | undefined): Promise<CommandAnswer> {
    const { waitMs, applied: preferenceApplied } = preferredWait(prefer, this.commands.timeoutMs);
    const issuer: Issuer = { principal, via: 'api', actor: actorOf(principal), client };
    const outcome = await this.commands.execute(input, issuer, waitMs);
    if (!outcome.applied) return { confirmed: false, command: commandDto(outcome.record), preferenceApplied };
    return { confirmed: true, command: commandDto(outcome.record, await this.state(input, outcome.vehicleId)) };
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
