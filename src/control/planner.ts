/**
 * Decides what one command publishes, per openWB generation, from the live state: which checks apply, which
 * topics, what confirms it. Template commands of 2.x are only described here; the service edits the
 * template under the chargepoint lock (it must read the newest base).
 */
import { InvalidInputError, ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { ChargePointView, SystemView, VehicleView } from '../live/views.ts';
import type { Generation } from '../openwb/generation.ts';
import type { ApiChargeMode, CommandAction, CommandRequest, InstantChargingRequest, Issuer, Plan, PvChargingRequest } from './model.ts';
import { chargeTemplatePlan, lockPlan, manualSocPlan, socModulePlan, socUpdatePlan, vehiclePlan } from './plan-v2.ts';
import { chargeModePlan19, instantPlan19, lockPlan19, manualSocPlan19, socUpdatePlan19 } from './plan-v19.ts';
import { checkEdit, type JsonObject, type TemplateEdit } from './template-edit.ts';

export type CommandChange =
  | { action: 'chargeMode'; mode: ApiChargeMode; minCurrent?: number }
  | { action: 'instantCharging'; settings: InstantChargingRequest }
  | { action: 'pvCharging'; settings: PvChargingRequest }
  | { action: 'preset'; edit: TemplateEdit }
  | { action: 'lock'; locked: boolean }
  | { action: 'vehicle'; vehicleId: string }
  | { action: 'vehicleSoc'; soc: number }
  | { action: 'socUpdate' }
  | { action: 'chargeTemplate'; chargeTemplateId: string }
  | { action: 'socModule'; config: JsonObject; type: string | null; keys: string[] };

export interface CommandInput {
  target: { type: 'chargepoint' | 'vehicle'; id: string };
  change: CommandChange;
}

/** What the planner needs to know; fetched by the service. */
export interface PlanContext {
  generation: Generation;
  system: SystemView;
  /** The target chargepoint. */
  chargepoint?: ChargePointView;
  /** The vehicle a command acts on (2.x), when there is one. */
  vehicleId?: string;
  vehicle?: VehicleView;
  /** Every chargepoint openWB published, by id (for the global 1.9 mode and vehicle permissions). */
  chargepoints: () => Promise<Map<string, ChargePointView>>;
  vehicleExists: (id: string) => Promise<boolean>;
  chargeTemplateExists: (id: string) => Promise<boolean>;
}

export type PlanSpec = { kind: 'direct'; plan: Plan } | { kind: 'template'; chargepointId: string; edit: TemplateEdit };

export function requestOf(change: CommandChange): CommandRequest {
  switch (change.action) {
    case 'chargeMode':
      return change.minCurrent === undefined ? { mode: change.mode } : { mode: change.mode, minCurrent: change.minCurrent };
    case 'instantCharging':
    case 'pvCharging':
      return { ...change.settings };
    case 'preset': {
      const { chargeMode, instantCharging, pvCharging } = change.edit;
      return {
        ...(chargeMode ? { chargeMode } : {}),
        ...(instantCharging ? { instantCharging } : {}),
        ...(pvCharging ? { pvCharging } : {}),
      };
    }
    case 'lock':
      return { locked: change.locked };
    case 'vehicle':
      return { vehicleId: change.vehicleId };
    case 'vehicleSoc':
      return { soc: change.soc };
    case 'socUpdate':
      return {};
    case 'chargeTemplate':
      return { chargeTemplateId: change.chargeTemplateId };
    case 'socModule':
      return { socModuleType: change.type, socModuleKeys: change.keys };
  }
}

/** openWB before 2.1.8 has per-field template topics the gateway does not write. */
export function supportsTemplateWrites(system: SystemView): boolean {
  const version = /^(\d+)\.(\d+)\.(\d+)/.exec(system.fields.version?.value ?? '');
  if (!version) return true;
  const [major, minor, patch] = version.slice(1).map(Number) as [number, number, number];
  return major > 2 || (major === 2 && (minor > 1 || (minor === 1 && patch >= 8)));
}

async function assertGlobalAccess(issuer: Issuer, ctx: PlanContext): Promise<void> {
  const allowed = issuer.principal.chargepoints;
  if (allowed === null) return;
  const missing = [...(await ctx.chargepoints()).keys()].filter((id) => !allowed.has(id));
  if (missing.length) throw new ForbiddenError('openWB 1.9 has one global charge mode: changing it needs access to every chargepoint');
}

const V2_ONLY: Partial<Record<CommandAction, string>> = {
  pvCharging: 'openWB 1.9 keeps its PV settings globally and offers no topics to change them',
  vehicle: 'openWB 1.9 has no vehicles to assign',
  chargeTemplate: 'openWB 1.9 has no charge templates',
  socModule: 'openWB 1.9 SoC modules cannot be configured over MQTT',
  preset: 'openWB 1.9 has no charge templates',
};

export async function planFor(input: CommandInput, ctx: PlanContext, issuer: Issuer): Promise<PlanSpec> {
  const { change, target } = input;
  const direct = (plan: Plan): PlanSpec => ({ kind: 'direct', plan });
  if (ctx.generation === '1.9') {
    const reason = V2_ONLY[change.action];
    if (reason) throw new InvalidInputError(reason);
    if (target.type !== 'chargepoint') throw new NotFoundError(`Vehicle ${target.id} is not known: openWB 1.9 has no vehicles`);
    switch (change.action) {
      case 'chargeMode':
        if (change.minCurrent !== undefined)
          throw new InvalidInputError('minCurrent: openWB 1.9 sets the Min+PV current globally, not per command');
        await assertGlobalAccess(issuer, ctx);
        return direct(chargeModePlan19(change.mode));
      case 'instantCharging':
        return direct(instantPlan19(target.id, change.settings));
      case 'lock':
        return direct(lockPlan19(target.id, change.locked));
      case 'vehicleSoc':
        return direct(manualSocPlan19(target.id, change.soc));
      case 'socUpdate':
        return direct(socUpdatePlan19(target.id));
    }
    throw new InvalidInputError(`${change.action} is not available on openWB 1.9`);
  }

  switch (change.action) {
    case 'chargeMode':
    case 'instantCharging':
    case 'pvCharging':
    case 'preset': {
      if (!supportsTemplateWrites(ctx.system))
        throw new ConflictError('openWB before 2.1.8 takes no complete charge templates: update openWB to change charging settings');
      const edit: TemplateEdit =
        change.action === 'chargeMode'
          ? { chargeMode: change.mode, ...(change.minCurrent !== undefined ? { minPvCurrent: change.minCurrent } : {}) }
          : change.action === 'instantCharging'
            ? { instantCharging: change.settings }
            : change.action === 'pvCharging'
              ? { pvCharging: change.settings }
              : change.edit;
      checkEdit(edit);
      return { kind: 'template', chargepointId: target.id, edit };
    }
    case 'lock':
      return direct(lockPlan(target.id, change.locked));
    case 'vehicle':
      if (!(await ctx.vehicleExists(change.vehicleId)))
        throw new InvalidInputError(`vehicleId: openWB has no vehicle ${change.vehicleId} (the gateway never creates vehicles)`);
      return direct(vehiclePlan(target.id, change.vehicleId));
    case 'vehicleSoc': {
      const vehicleId = requireVehicle(ctx);
      assertManualSocPossible(ctx.vehicle);
      return direct(manualSocPlan(vehicleId, Math.round(change.soc * 10) / 10));
    }
    case 'socUpdate':
      return direct(socUpdatePlan(requireVehicle(ctx)));
    case 'chargeTemplate':
      if (!(await ctx.chargeTemplateExists(change.chargeTemplateId)))
        throw new InvalidInputError(`chargeTemplateId: openWB has no charge template ${change.chargeTemplateId}`);
      return direct(chargeTemplatePlan(requireVehicle(ctx), change.chargeTemplateId));
    case 'socModule':
      return direct(socModulePlan(requireVehicle(ctx), change.config));
  }
}

function requireVehicle(ctx: PlanContext): string {
  if (ctx.vehicleId === undefined) throw new ConflictError('No vehicle is known at this chargepoint: openWB has not reported one');
  return ctx.vehicleId;
}

/** openWB takes a manual SoC only in the manual module and in modules that calculate the SoC from charged energy. */
function assertManualSocPossible(vehicle: VehicleView | undefined): void {
  const module = vehicle?.fields.socModule?.value;
  if (module === undefined) return;
  const configuration = module.configuration;
  const calculates =
    typeof configuration === 'object' && configuration !== null && !Array.isArray(configuration) && configuration.calculate_soc === true;
  if (module.type === 'manual' || calculates) return;
  throw new ConflictError(
    `The vehicle's SoC module (${String(module.type)}) does not take a manual SoC: use the manual module or one with calculate_soc`,
  );
}

/** The vehicle a chargepoint-level SoC command acts on: the connected one, else the assigned one. */
export function vehicleAt(chargepoint: ChargePointView | undefined): string | undefined {
  return (chargepoint?.fields.vehicleId ?? chargepoint?.fields.configuredVehicleId)?.value;
}
