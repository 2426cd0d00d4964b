/**
 * The live data model shared by ingest, the live store and the read models.
 *
 * Ingest turns each MQTT message into field updates on an entity; the live store keeps, per entity,
 * the latest value of every field together with the time it was received. Read models
 * (chargepoint, site, vehicle, system) are assembled from these fields at request time.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * - `chargepoint`, `vehicle`, `counter`: one entity per openWB component id.
 * - `site`: fixed ids `pv`, `battery`, `home` (grid is the counter named by the hierarchy / 1.9 `evu`).
 * - `system`: fixed id `openwb` (version, heartbeat, generation-wide settings such as the 1.9 global charge mode).
 * - `chargeTemplate`: one entity per openWB 2.x persistent charge template id.
 */
export type EntityKind = 'chargepoint' | 'vehicle' | 'counter' | 'site' | 'system' | 'chargeTemplate';

export const ENTITY_KINDS: readonly EntityKind[] = ['chargepoint', 'vehicle', 'counter', 'site', 'system', 'chargeTemplate'];

export interface EntityRef {
  kind: EntityKind;
  id: string;
}

/** One field change. `value: undefined` deletes the field (openWB's empty retained payload). */
export interface FieldUpdate extends EntityRef {
  field: string;
  value: Json | undefined;
  /** Milliseconds since the epoch when the gateway received the message. */
  receivedAt: number;
}

/** A stored value with the time it was received (ms since the epoch). */
export interface Stamped<T = Json> {
  value: T;
  receivedAt: number;
}

export type EntityFields = Record<string, Stamped>;

export interface EntitySnapshot extends EntityRef {
  fields: EntityFields;
}
