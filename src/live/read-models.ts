/**
 * Pure functions that assemble the API's live objects from decoded entity views, with explicit age and
 * staleness. No I/O here: the service fetches the views, these shape them.
 */
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';
import { isStale, staleAt, type FreshnessContext } from './freshness.ts';
import type { ChargePointView, CounterView, EntityView, Reading, SiteView, SystemView, VehicleView } from './views.ts';

export type { FreshnessContext } from './freshness.ts';

const valueOf = <T>(reading: Reading<T> | undefined): T | null => (reading === undefined ? null : reading.value);

function phases(triple: Reading<readonly (number | null)[]> | undefined, perPhase: readonly (Reading<number> | undefined)[]) {
  if (triple !== undefined) return [...triple.value];
  const separate = perPhase.map(valueOf);
  return separate.every((v) => v === null) ? null : separate;
}

/** `updatedAt` is the newest receive time of the object's fields; `stale` see freshness.ts. */
export function freshness(view: EntityView, ctx: FreshnessContext): { updatedAt: string | null; stale: boolean } {
  const { updatedAt } = view;
  return { updatedAt: updatedAt === undefined ? null : new Date(updatedAt).toISOString(), stale: isStale(updatedAt, ctx) };
}

/**
 * The last moment a model built from this view at `ctx.now` is still right: when it turns stale, or
 * never (Infinity) when it is stale already, since more time cannot make it fresh again.
 */
export function validUntil(view: EntityView, ctx: FreshnessContext): number {
  const turnsStale = staleAt(view.updatedAt, ctx);
  return ctx.now > turnsStale ? Infinity : turnsStale;
}

export function buildChargePoint(chargepoint: ChargePointView, system: SystemView, ctx: FreshnessContext): ChargePointDto {
  const cp = chargepoint.fields;
  const vehicleId = valueOf(cp.vehicleId);
  const vehicleName = valueOf(cp.vehicleName);
  const vehicleSoc = valueOf(cp.vehicleSoc);
  return {
    id: chargepoint.id,
    name: valueOf(cp.name),
    power: valueOf(cp.power),
    currents: phases(cp.currents, [cp.currentL1, cp.currentL2, cp.currentL3]),
    voltages: phases(cp.voltages, [cp.voltageL1, cp.voltageL2, cp.voltageL3]),
    phasesInUse: valueOf(cp.phasesInUse),
    energyImported: valueOf(cp.energyImported),
    energyExported: valueOf(cp.energyExported),
    energyToday: valueOf(cp.energyToday),
    plugged: valueOf(cp.plugged),
    charging: valueOf(cp.charging),
    locked: valueOf(cp.locked),
    setCurrent: valueOf(cp.setCurrent),
    chargeMode: valueOf(cp.chargeMode ?? system.fields.chargeMode),
    rfidTag: valueOf(cp.rfidTag),
    vehicle:
      vehicleId === null && vehicleName === null && vehicleSoc === null ? null : { id: vehicleId, name: vehicleName, soc: vehicleSoc },
    fault: cp.faultState ? { state: cp.faultState.value, message: valueOf(cp.faultMessage) } : null,
    statusText: valueOf(cp.statusText),
    ...freshness(chargepoint, ctx),
  };
}

export function buildVehicle(vehicle: VehicleView, ctx: FreshnessContext): VehicleDto {
  const socUpdatedAt = valueOf(vehicle.fields.socUpdatedAt);
  return {
    id: vehicle.id,
    name: valueOf(vehicle.fields.name),
    soc: valueOf(vehicle.fields.soc),
    range: valueOf(vehicle.fields.range),
    socUpdatedAt: socUpdatedAt === null ? null : new Date(socUpdatedAt).toISOString(),
    ...freshness(vehicle, ctx),
  };
}

/** The site's parts; the grid is a 2.x counter or the 1.9 grid meter. */
export interface SiteViews {
  grid: CounterView | SiteView;
  pv: SiteView;
  battery: SiteView;
  home: SiteView;
}

export function buildSite({ grid, pv, battery, home }: SiteViews, ctx: FreshnessContext): SiteDto {
  return {
    grid: {
      power: valueOf(grid.fields.power),
      energyImported: valueOf(grid.fields.energyImported),
      energyExported: valueOf(grid.fields.energyExported),
      ...freshness(grid, ctx),
    },
    pv: {
      power: valueOf(pv.fields.power),
      energyToday: valueOf(pv.fields.energyToday),
      energyTotal: valueOf(pv.fields.energyTotal),
      ...freshness(pv, ctx),
    },
    battery: {
      power: valueOf(battery.fields.power),
      soc: valueOf(battery.fields.soc),
      energyImported: valueOf(battery.fields.energyImported),
      energyExported: valueOf(battery.fields.energyExported),
      ...freshness(battery, ctx),
    },
    home: {
      power: valueOf(home.fields.power),
      energyToday: valueOf(home.fields.energyToday),
      ...freshness(home, ctx),
    },
  };
}
