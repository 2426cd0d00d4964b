import { isJsonObject } from './json.ts';
import type { Json } from './json.ts';

/** setdata._validate_value: the type rules a set payload must satisfy. */
export type Checked = { ok: true; value: Json } | { ok: false };
export type Check = (value: Json, raw: string) => Checked;

const ok = (value: Json): Checked => ({ ok: true, value });
const INVALID: Checked = { ok: false };
const INTEGER_TEXT = /^\s*-?\d+\s*$/;

/** true/false or 0/1, republished as true/false. */
export const bool: Check = (value) => {
  if (typeof value === 'boolean') return ok(value);
  return value === 0 || value === 1 ? ok(value === 1) : INVALID;
};

/** JSON.parse turns `16.0` into 16; openWB's int check rejects it, so the raw text decides. */
export function int(min = -Infinity, max = Infinity): Check {
  return (value, raw) =>
    typeof value === 'number' && Number.isInteger(value) && INTEGER_TEXT.test(raw) && value >= min && value <= max ? ok(value) : INVALID;
}

export function float(min = -Infinity, max = Infinity): Check {
  return (value) => (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? ok(value) : INVALID);
}

export const str: Check = (value) => (typeof value === 'string' ? ok(value) : INVALID);

export const strOrNull: Check = (value) => (value === null || typeof value === 'string' ? ok(value) : INVALID);

export const strList: Check = (value) => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? ok(value) : INVALID);

/** openWB's "json" type has no schema check at all. */
export const json: Check = (value) => ok(value);

export const jsonObject: Check = (value) => (isJsonObject(value) ? ok(value) : INVALID);
