/**
 * The shape of a per-generation MQTT contract: rules are data (pattern → entity → field codecs), and
 * the builders below tie field names to `src/live/fields.ts` so a misspelt field does not compile.
 */
import type { EntityKind } from '../../live/model.ts';
import { SYSTEM_ID } from '../../live/fields.ts';
import type { BATTERY, CHARGE_TEMPLATE, CP, HOME, METER, PV, SITE_IDS, SYSTEM, VEHICLE } from '../../live/fields.ts';
import type { Generation } from '../generation.ts';
import type { Codec } from './codecs.ts';

type ValueOf<T> = T[keyof T];

interface SiteFields {
  grid: ValueOf<typeof METER>;
  pv: ValueOf<typeof PV>;
  battery: ValueOf<typeof BATTERY>;
  home: ValueOf<typeof HOME>;
}

interface FieldsByKind {
  chargepoint: ValueOf<typeof CP>;
  vehicle: ValueOf<typeof VEHICLE>;
  counter: ValueOf<typeof METER>;
  site: ValueOf<SiteFields>;
  system: ValueOf<typeof SYSTEM>;
  chargeTemplate: ValueOf<typeof CHARGE_TEMPLATE>;
}

export type SiteId = ValueOf<typeof SITE_IDS>;
export type FieldCodecs<F extends string> = Partial<Record<F, Codec>>;

export interface TopicRule {
  /** MQTT pattern below the topic prefix, e.g. `openWB/chargepoint/+/get/power`. */
  readonly pattern: string;
  readonly kind: EntityKind;
  /** Fixed entity id; when absent, the pattern's single `+` is the id. */
  readonly id?: string;
  /** Every field the topic feeds, each decoded from the same payload. */
  readonly fields: Readonly<Record<string, Codec>>;
}

export interface TopicTable {
  readonly generation: Generation;
  readonly rules: readonly TopicRule[];
  /** Subscription filters (without the topic prefix) that cover every rule. */
  readonly subscriptions: readonly string[];
  /** What a `+` entity id has to look like (openWB's own form); a topic with another id is refused. */
  readonly entityId: RegExp;
  /** Kinds whose values openWB republishes every control cycle, so that silence means the component is gone. */
  readonly republishedEveryCycle: readonly EntityKind[];
  /** Raw payload → codec input (2.x: lenient JSON, 1.9: text). Must not throw. */
  readonly parsePayload: (payload: Buffer) => unknown;
}

type PerIdKind = 'chargepoint' | 'vehicle' | 'counter' | 'chargeTemplate';
export type ComponentFields<K extends PerIdKind> = FieldCodecs<FieldsByKind[K]>;

/** A topic of one component, identified by the `+` in `pattern`. */
export function component<K extends PerIdKind>(kind: K, pattern: string, fields: ComponentFields<K>): TopicRule {
  return { pattern, kind, fields: fields as Record<string, Codec> };
}

export function site<I extends SiteId>(id: I, pattern: string, fields: FieldCodecs<SiteFields[I]>): TopicRule {
  return { pattern, kind: 'site', id, fields: fields as Record<string, Codec> };
}

export function system(pattern: string, fields: FieldCodecs<FieldsByKind['system']>): TopicRule {
  return { pattern, kind: 'system', id: SYSTEM_ID, fields: fields as Record<string, Codec> };
}
