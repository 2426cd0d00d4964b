/**
 * Typed views of live entities: each stored field decoded once into the type the rest of the code expects.
 * A value of the wrong type counts as absent. A decoded value keeps the stored value's identity, so two
 * views of an entity tell which fields changed by comparing readings (see changedFields).
 */
import { GENERATIONS } from '../openwb/generation.ts';
import type { BATTERY, CHARGE_TEMPLATE, CP, HOME, METER, PV, SYSTEM, VEHICLE } from './fields.ts';
import { CHARGE_MODES, type FaultState } from './fields.ts';
import type { EntityFields, EntityKind, Json, JsonObject, Stamped } from './model.ts';

/** One decoded value with the time the gateway received it (ms since the epoch). */
export interface Reading<T> {
  readonly value: T;
  readonly receivedAt: number;
}

type Codec<T> = (value: Json) => T | undefined;

const text: Codec<string> = (v) => (typeof v === 'string' ? v : undefined);
const finite: Codec<number> = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const flag: Codec<boolean> = (v) => (typeof v === 'boolean' ? v : undefined);
const object: Codec<JsonObject> = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined);
/** Raw JSON whose parser lives with its only reader (the SoC module catalogue). */
const json: Codec<Json> = (v) => v;
const oneOf =
  <T extends string>(values: readonly T[]): Codec<T> =>
  (v) =>
    values.find((allowed) => allowed === v);
/** A known value, null for a string outside the list (published, but not one the API knows). */
const knownOrNull =
  <T extends string>(values: readonly T[]): Codec<T | null> =>
  (v) =>
    typeof v === 'string' ? (values.find((allowed) => allowed === v) ?? null) : undefined;
/** Three phase values; a phase that is not a number is unknown (null). Well-formed values are kept as stored. */
const phases: Codec<readonly (number | null)[]> = (v) => {
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  return v.every((phase) => typeof phase === 'number') ? (v as number[]) : v.map((phase) => (typeof phase === 'number' ? phase : null));
};

const FAULT_STATES: readonly FaultState[] = ['ok', 'warning', 'error'];

type Schema<Names extends string> = { readonly [N in Names]: Codec<unknown> };
type NamesOf<T> = T[keyof T] & string;

const CHARGEPOINT_SCHEMA = {
  name: text,
  power: finite,
  currents: phases,
  currentL1: finite,
  currentL2: finite,
  currentL3: finite,
  voltages: phases,
  voltageL1: finite,
  voltageL2: finite,
  voltageL3: finite,
  phasesInUse: finite,
  energyImported: finite,
  energyExported: finite,
  energyToday: finite,
  plugged: flag,
  charging: flag,
  locked: flag,
  setCurrent: finite,
  // An unknown mode is null, not absent: a chargepoint's own mode, even unknown, wins over the system-wide one.
  chargeMode: knownOrNull(CHARGE_MODES),
  chargeTemplate: object,
  rfidTag: text,
  scannedTag: text,
  vehicleId: text,
  vehicleName: text,
  vehicleSoc: finite,
  configuredVehicleId: text,
  faultState: oneOf(FAULT_STATES),
  faultMessage: text,
  statusText: text,
  instantCurrent: finite,
  instantLimit: oneOf(['none', 'energy', 'soc'] as const),
  instantEnergyLimit: finite,
  instantSocLimit: finite,
  serialNumber: text,
  maxEvseCurrent: finite,
  connectedPhases: finite,
} as const satisfies Schema<NamesOf<typeof CP>>;

const VEHICLE_SCHEMA = {
  name: text,
  soc: finite,
  range: finite,
  socUpdatedAt: finite,
  chargeTemplateId: text,
  socModule: object,
  manualSoc: finite,
  forceSocUpdate: flag,
} as const satisfies Schema<NamesOf<typeof VEHICLE>>;

const CHARGE_TEMPLATE_SCHEMA = { name: text } as const satisfies Schema<NamesOf<typeof CHARGE_TEMPLATE>>;

const SYSTEM_SCHEMA = {
  version: text,
  heartbeat: finite,
  gridCounterId: text,
  chargeMode: oneOf(CHARGE_MODES),
  generation: oneOf(GENERATIONS),
  socModules: json,
} as const satisfies Schema<NamesOf<typeof SYSTEM>>;

/** Meters (2.x counters, the 1.9 grid) and the site's parts share one schema: each reads the fields it has. */
const METER_SCHEMA = {
  power: finite,
  energyImported: finite,
  energyExported: finite,
  energyToday: finite,
  energyTotal: finite,
  soc: finite,
} as const satisfies Schema<NamesOf<typeof METER> | NamesOf<typeof PV> | NamesOf<typeof BATTERY> | NamesOf<typeof HOME>>;

type Decoded<S> = { readonly [N in keyof S]?: S[N] extends Codec<infer T> ? Reading<T> : never };

export interface EntityView<K extends EntityKind = EntityKind, S = unknown> {
  readonly kind: K;
  readonly id: string;
  /** openWB has published at least one field of the entity (of any type). */
  readonly published: boolean;
  /** The newest receive time of the entity's fields (ms), undefined when it has none. */
  readonly updatedAt: number | undefined;
  readonly fields: Decoded<S>;
}

export type ChargePointView = EntityView<'chargepoint', typeof CHARGEPOINT_SCHEMA>;
export type VehicleView = EntityView<'vehicle', typeof VEHICLE_SCHEMA>;
export type ChargeTemplateView = EntityView<'chargeTemplate', typeof CHARGE_TEMPLATE_SCHEMA>;
export type SystemView = EntityView<'system', typeof SYSTEM_SCHEMA>;
export type CounterView = EntityView<'counter', typeof METER_SCHEMA>;
export type SiteView = EntityView<'site', typeof METER_SCHEMA>;

function decode<K extends EntityKind, S extends Schema<string>>(kind: K, schema: S, id: string, raw: EntityFields): EntityView<K, S> {
  const fields: Record<string, Stamped<unknown>> = {};
  let updatedAt: number | undefined;
  for (const name in raw) {
    const stamped = raw[name] as Stamped;
    if (updatedAt === undefined || stamped.receivedAt > updatedAt) updatedAt = stamped.receivedAt;
    if (!Object.hasOwn(schema, name)) continue;
    const value = (schema[name] as Codec<unknown>)(stamped.value);
    if (value === undefined) continue;
    fields[name] = value === stamped.value ? stamped : { value, receivedAt: stamped.receivedAt };
  }
  // Views are shared by every reader until the entity changes.
  return Object.freeze({ kind, id, published: updatedAt !== undefined, updatedAt, fields: Object.freeze(fields) as Decoded<S> });
}

/**
 * Decodes once per stored fields object: the live store hands out the same frozen object until the entity
 * changes, so an unchanged entity's view is a lookup.
 */
function cachedDecoder<K extends EntityKind, S extends Schema<string>>(
  kind: K,
  schema: S,
): (id: string, raw: EntityFields) => EntityView<K, S> {
  const views = new WeakMap<EntityFields, EntityView<K, S>>();
  return (id, raw) => {
    const cached = views.get(raw);
    if (cached && cached.id === id) return cached;
    const view = decode(kind, schema, id, raw);
    views.set(raw, view);
    return view;
  };
}

export const decodeChargePoint = cachedDecoder('chargepoint', CHARGEPOINT_SCHEMA);
export const decodeVehicle = cachedDecoder('vehicle', VEHICLE_SCHEMA);
export const decodeChargeTemplate = cachedDecoder('chargeTemplate', CHARGE_TEMPLATE_SCHEMA);
export const decodeSystem = cachedDecoder('system', SYSTEM_SCHEMA);
export const decodeCounter = cachedDecoder('counter', METER_SCHEMA);
export const decodeSite = cachedDecoder('site', METER_SCHEMA);

/** The names of the fields whose reading differs between two views of one entity (added, changed or gone). */
export function changedFields<K extends EntityKind, S>(before: EntityView<K, S>, after: EntityView<K, S>): (keyof S & string)[] {
  const changed: (keyof S & string)[] = [];
  const seen = new Set<string>();
  for (const [name, reading] of Object.entries(after.fields)) {
    seen.add(name);
    if ((before.fields as Record<string, unknown>)[name] !== reading) changed.push(name as keyof S & string);
  }
  for (const name of Object.keys(before.fields)) if (!seen.has(name)) changed.push(name as keyof S & string);
  return changed;
}

/** One chargepoint field's value as a view decodes it (undefined: deleted, or of the wrong type), for consumers of live updates. */
export function decodeChargePointValue<N extends keyof typeof CHARGEPOINT_SCHEMA>(
  name: N,
  value: Json | undefined,
): ReturnType<(typeof CHARGEPOINT_SCHEMA)[N]> {
  return (value === undefined ? undefined : CHARGEPOINT_SCHEMA[name](value)) as ReturnType<(typeof CHARGEPOINT_SCHEMA)[N]>;
}
