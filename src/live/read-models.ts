/**
 * Pure functions that assemble the API's live objects from stored fields, with explicit age and
 * staleness. No I/O here: the service fetches fields, these shape them.
 */
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';
import type { Generation } from '../openwb/generation.ts';
import { CP, HOME, METER, PV, BATTERY, SYSTEM, VEHICLE, CHARGE_MODES, type ChargeMode, type FaultState } from './fields.ts';
import type { EntityFields, Json, Stamped } from './model.ts';

export interface FreshnessContext {
  now: number;
  staleAfterMs: number;
  generation: Generation | undefined;
  /** When the gateway last received openWB's heartbeat (ms), if ever. */
  heartbeatReceivedAt: number | undefined;
}

const num = (fields: EntityFields, name: string): number | null => {
  const value = fields[name]?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};
const str = (fields: EntityFields, name: string): string | null => {
  const value = fields[name]?.value;
  return typeof value === 'string' ? value : null;
};
const bool = (fields: EntityFields, name: string): boolean | null => {
  const value = fields[name]?.value;
  return typeof value === 'boolean' ? value : null;
};

function phases(fields: EntityFields, triple: string, perPhase: readonly string[]): (number | null)[] | null {
  const value: Json | undefined = fields[triple]?.value;
  if (Array.isArray(value) && value.length === 3) return value.map((v) => (typeof v === 'number' ? v : null));
  const separate = perPhase.map((name) => num(fields, name));
  return separate.every((v) => v === null) ? null : separate;
}

/** The newest receive time of the fields, and until when they count as alive (see freshness). */
function lastSeen(fields: EntityFields, ctx: FreshnessContext): { newest: number; aliveAt: number } | undefined {
  let newest: number | undefined;
  for (const name in fields) {
    const receivedAt = (fields[name] as Stamped).receivedAt;
    if (newest === undefined || receivedAt > newest) newest = receivedAt;
  }
  if (newest === undefined) return undefined;
  return {
    newest,
    aliveAt: ctx.generation === '1.9' && ctx.heartbeatReceivedAt !== undefined ? Math.max(newest, ctx.heartbeatReceivedAt) : newest,
  };
}

/**
 * `updatedAt` is the newest receive time of the object's fields. openWB 1.9 publishes a value only when it
 * changes, so there an unchanged value stays fresh while openWB's heartbeat does.
 */
export function freshness(fields: EntityFields, ctx: FreshnessContext): { updatedAt: string | null; stale: boolean } {
  const seen = lastSeen(fields, ctx);
  if (!seen) return { updatedAt: null, stale: true };
  return { updatedAt: new Date(seen.newest).toISOString(), stale: ctx.now - seen.aliveAt > ctx.staleAfterMs };
}

/**
 * The last moment a model built from these fields at `ctx.now` is still right: when it turns stale, or
 * never (Infinity) when it is stale already, since more time cannot make it fresh again.
 */
export function validUntil(fields: EntityFields, ctx: FreshnessContext): number {
  const seen = lastSeen(fields, ctx);
  const turnsStale = seen ? seen.aliveAt + ctx.staleAfterMs : -Infinity;
  return ctx.now > turnsStale ? Infinity : turnsStale;
}

const FAULT_STATES: readonly FaultState[] = ['ok', 'warning', 'error'];

export function buildChargePoint(id: string, fields: EntityFields, system: EntityFields, ctx: FreshnessContext): ChargePointDto {
  const chargeMode = str(fields, CP.chargeMode) ?? str(system, SYSTEM.chargeMode);
  const faultState = str(fields, CP.faultState);
  const vehicleId = str(fields, CP.vehicleId);
  const vehicleName = str(fields, CP.vehicleName);
  const vehicleSoc = num(fields, CP.vehicleSoc);
  return {
    id,
    name: str(fields, CP.name),
    power: num(fields, CP.power),
    currents: phases(fields, CP.currents, [CP.currentL1, CP.currentL2, CP.currentL3]),
    voltages: phases(fields, CP.voltages, [CP.voltageL1, CP.voltageL2, CP.voltageL3]),
    phasesInUse: num(fields, CP.phasesInUse),
    energyImported: num(fields, CP.energyImported),
    energyExported: num(fields, CP.energyExported),
    energyToday: num(fields, CP.energyToday),
    plugged: bool(fields, CP.plugged),
    charging: bool(fields, CP.charging),
    locked: bool(fields, CP.locked),
    setCurrent: num(fields, CP.setCurrent),
    chargeMode: chargeMode && (CHARGE_MODES as readonly string[]).includes(chargeMode) ? (chargeMode as ChargeMode) : null,
    rfidTag: str(fields, CP.rfidTag),
    vehicle:
      vehicleId === null && vehicleName === null && vehicleSoc === null ? null : { id: vehicleId, name: vehicleName, soc: vehicleSoc },
    fault:
      faultState && (FAULT_STATES as readonly string[]).includes(faultState)
        ? { state: faultState as FaultState, message: str(fields, CP.faultMessage) }
        : null,
    statusText: str(fields, CP.statusText),
    ...freshness(fields, ctx),
  };
}

export function buildVehicle(id: string, fields: EntityFields, ctx: FreshnessContext): VehicleDto {
  const socUpdatedAt = num(fields, VEHICLE.socUpdatedAt);
  return {
    id,
    name: str(fields, VEHICLE.name),
    soc: num(fields, VEHICLE.soc),
    range: num(fields, VEHICLE.range),
    socUpdatedAt: socUpdatedAt === null ? null : new Date(socUpdatedAt).toISOString(),
    ...freshness(fields, ctx),
  };
}

export interface SiteFields {
  grid: EntityFields;
  pv: EntityFields;
  battery: EntityFields;
  home: EntityFields;
}

export function buildSite(site: SiteFields, ctx: FreshnessContext): SiteDto {
  return {
    grid: {
      power: num(site.grid, METER.power),
      energyImported: num(site.grid, METER.energyImported),
      energyExported: num(site.grid, METER.energyExported),
      ...freshness(site.grid, ctx),
    },
    pv: {
      power: num(site.pv, PV.power),
      energyToday: num(site.pv, PV.energyToday),
      energyTotal: num(site.pv, PV.energyTotal),
      ...freshness(site.pv, ctx),
    },
    battery: {
      power: num(site.battery, BATTERY.power),
      soc: num(site.battery, BATTERY.soc),
      energyImported: num(site.battery, BATTERY.energyImported),
      energyExported: num(site.battery, BATTERY.energyExported),
      ...freshness(site.battery, ctx),
    },
    home: {
      power: num(site.home, HOME.power),
      energyToday: num(site.home, HOME.energyToday),
      ...freshness(site.home, ctx),
    },
  };
}
