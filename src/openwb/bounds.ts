/**
 * The edge of ingest: what a decoded value must satisfy before it may reach the live store, and the
 * stable, low-cardinality reasons a message is refused for (labels of `openwb_mqtt_refused_total`).
 */
import { FIELD_BOUNDS, type FieldBound } from '../live/fields.ts';
import type { EntityKind, Json } from '../live/model.ts';

export const REFUSAL_REASONS = ['invalid-id', 'invalid-payload', 'invalid-utf8', 'not-finite', 'out-of-range', 'too-long'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** openWB's own publishes are a few kB at most (a charge template, the SoC module list). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

type Bounds = Readonly<Record<string, FieldBound | undefined>>;

function boundOf(kind: EntityKind, id: string, field: string): FieldBound | undefined {
  const bounds: Bounds | undefined = kind === 'site' ? (FIELD_BOUNDS.site as Readonly<Record<string, Bounds>>)[id] : FIELD_BOUNDS[kind];
  return bounds !== undefined && Object.hasOwn(bounds, field) ? bounds[field] : undefined;
}

/** A lone UTF-16 surrogate (from a JSON `\ud800` escape) has no UTF-8 form. */
const LONE_SURROGATE = /\p{Cs}/u;

function characters(text: string, atMost: number): number {
  if (text.length <= atMost) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function check(value: Json, bound: FieldBound | undefined): RefusalReason | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'not-finite';
    if (bound !== undefined && 'min' in bound && (value < bound.min || value > bound.max)) return 'out-of-range';
    return undefined;
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) return 'invalid-utf8';
    if (bound !== undefined && 'maxLength' in bound && characters(value, bound.maxLength) > bound.maxLength) return 'too-long';
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const refusal = check(item, bound);
      if (refusal) return refusal;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const refusal = LONE_SURROGATE.test(key) ? 'invalid-utf8' : check(item, undefined);
      if (refusal) return refusal;
    }
  }
  return undefined;
}

/** Why a decoded field value must not be stored, or undefined when it may. A deletion (`undefined`) always may. */
export function refusalOf(kind: EntityKind, id: string, field: string, value: Json | undefined): RefusalReason | undefined {
  return value === undefined ? undefined : check(value, boundOf(kind, id, field));
}
