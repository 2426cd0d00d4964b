/**
 * Small composable payload decoders. A codec turns one parsed payload (2.x: the JSON value, 1.9: the
 * text) into a field value, or returns an `Invalid` describing what it expected. Codecs never throw.
 */
import type { Json } from '../../live/model.ts';
import type { FaultState } from '../../live/fields.ts';
import type { RefusalReason } from '../bounds.ts';

export type JsonObject = { [key: string]: Json };

export class Invalid {
  constructor(
    readonly expected: string,
    readonly got: unknown,
    readonly path: string = '',
    readonly refusal: RefusalReason = 'invalid-payload',
  ) {}

  /** The same failure, seen from the enclosing object's key. */
  at(key: string): Invalid {
    return new Invalid(this.expected, this.got, this.path === '' ? key : `${key}.${this.path}`, this.refusal);
  }

  get reason(): string {
    const where = this.path === '' ? '' : `${this.path}: `;
    return `${where}expected ${this.expected}, got ${describe(this.got)}`;
  }
}

/** Per-decoder memory for the few codecs that need more than one topic to decide a value. */
export interface DecodeContext {
  /** The entity id of the message being decoded. */
  readonly id: string;
  /** 2.x chargepoints whose active charge template is PV with a minimum current (Min+PV). */
  readonly minPvChargepoints: Set<string>;
}

export type Codec<T extends Json = Json> = (input: unknown, context: DecodeContext) => T | Invalid;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return String(value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** -0 would survive JSON round trips as 0 but not `Object.is` checks in consumers. */
function withoutNegativeZero(value: number): number {
  return value === 0 ? 0 : value;
}

/** `1e999` parses to Infinity: a number, but never a measurement. */
const notFinite = (expected: string, input: unknown) => new Invalid(expected, input, '', 'not-finite');

export const number: Codec<number> = (input) => {
  if (typeof input !== 'number') return new Invalid('number', input);
  return Number.isFinite(input) ? input : notFinite('finite number', input);
};

export const integer: Codec<number> = (input) =>
  typeof input === 'number' && Number.isInteger(input) ? input : new Invalid('integer', input);

export const string: Codec<string> = (input) => (typeof input === 'string' ? input : new Invalid('string', input));

/** openWB 2.x bool topics accept `true`/`false` and `0`/`1`. */
export const boolean: Codec<boolean> = (input) => {
  if (typeof input === 'boolean') return input;
  if (input === 0 || input === 1) return input === 1;
  return new Invalid('boolean or 0/1', input);
};

export const numberTriple: Codec<number[]> = (input) => {
  if (!Array.isArray(input) || input.length !== 3) return new Invalid('array of 3 numbers', input);
  for (const item of input) {
    if (typeof item !== 'number') return new Invalid('array of 3 numbers', input);
    if (!Number.isFinite(item)) return notFinite('array of 3 finite numbers', input);
  }
  return input as number[];
};

export const jsonObject: Codec<JsonObject> = (input) => (isObject(input) ? input : new Invalid('JSON object', input));

export const jsonArray: Codec<Json[]> = (input) => (Array.isArray(input) ? (input as Json[]) : new Invalid('JSON array', input));

/**
 * An openWB 2.x component id as openWB writes it: a decimal integer without sign or leading zeros. openWB
 * hands ids out from one counter that grows by one per component ever added, so six digits (≤ 999 999)
 * leave room for any installation while keeping ids short enough for every key, series name and column.
 */
export const COMPONENT_ID = /^(?:0|[1-9]\d{0,5})$/;

/** A component id given as a JSON integer or canonical digit string, returned as a string. */
export const idString: Codec<string> = (input) => {
  const text = typeof input === 'number' && Number.isSafeInteger(input) ? String(input) : input;
  if (typeof text === 'string' && COMPONENT_ID.test(text)) return text;
  return new Invalid('openWB component id', input, '', 'invalid-id');
};

export function nullable<T extends Json>(codec: Codec<T>): Codec<T | null> {
  return (input, context) => {
    if (input === null) return null;
    const value = codec(input, context);
    return value instanceof Invalid ? new Invalid(`${value.expected} or null`, value.got, value.path, value.refusal) : value;
  };
}

export const nullableString = nullable(string);
export const nullableNumber = nullable(number);

/** Reads one key of a JSON object; a missing key is invalid. */
export function prop<T extends Json>(key: string, codec: Codec<T>): Codec<T> {
  return (input, context) => {
    if (!isObject(input)) return new Invalid(`object with "${key}"`, input);
    if (!Object.hasOwn(input, key)) return new Invalid(`key "${key}"`, input);
    const value = codec(input[key], context);
    return value instanceof Invalid ? value.at(key) : value;
  };
}

/** Reads one key of a JSON object; a missing key gives `fallback` (openWB fills missing keys with dataclass defaults). */
export function optionalProp<T extends Json>(key: string, codec: Codec<T>, fallback: T): Codec<T> {
  return (input, context) => {
    if (!isObject(input)) return new Invalid(`object`, input);
    if (!Object.hasOwn(input, key)) return fallback;
    const value = codec(input[key], context);
    return value instanceof Invalid ? value.at(key) : value;
  };
}

/** Feeds the output of `first` into `second`. */
export function pipe<A extends Json, B extends Json>(first: Codec<A>, second: Codec<B>): Codec<B> {
  return (input, context) => {
    const value = first(input, context);
    return value instanceof Invalid ? value : second(value, context);
  };
}

export function map<A extends Json, B extends Json>(codec: Codec<A>, transform: (value: A) => B): Codec<B> {
  return (input, context) => {
    const value = codec(input, context);
    return value instanceof Invalid ? value : transform(value);
  };
}

/** Maps a string or integer code through a fixed table; anything not in it is invalid. */
export function lookup<K extends string | number, T extends Json>(table: ReadonlyMap<K, T>, expected: string): Codec<T> {
  return (input) => {
    const value = table.get(input as K);
    return value === undefined ? new Invalid(expected, input) : value;
  };
}

export const negated = (codec: Codec<number>): Codec<number> => map(codec, (value) => withoutNegativeZero(-value));

/** Scales (e.g. kWh → Wh) and rounds to 1/1000 of the target unit to drop float noise (1.005 × 1000 = 1004.9999…). */
export const scaled = (codec: Codec<number>, factor: number): Codec<number> =>
  map(codec, (value) => withoutNegativeZero(Math.round(value * factor * 1000) / 1000));

export const secondsToMs = <T extends number | null>(codec: Codec<T>): Codec<T> =>
  map(codec, (value) => (value === null ? value : Math.round(value * 1000)) as T);

export const inverted = (codec: Codec<boolean>): Codec<boolean> => map(codec, (value) => !value);

export function intRange(min: number, max: number): Codec<number> {
  return (input) =>
    typeof input === 'number' && Number.isInteger(input) && input >= min && input <= max
      ? input
      : new Invalid(`integer ${min}..${max}`, input);
}

const FAULT_STATES: ReadonlyMap<number, FaultState> = new Map([
  [0, 'ok'],
  [1, 'warning'],
  [2, 'error'],
]);

/** openWB fault level 0 ok, 1 warning, 2 error (same in both generations). */
export const faultStateOfLevel: Codec<FaultState> = lookup(FAULT_STATES, 'fault state 0, 1 or 2');

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Plain-text decimal (1.9). Stricter than `Number()`, which accepts '', '0x1f' and 'Infinity'. */
export const textNumber: Codec<number> = (input) => {
  if (typeof input !== 'string') return new Invalid('decimal text', input);
  const text = input.trim();
  if (!DECIMAL.test(text)) return new Invalid('decimal text', input);
  const value = Number(text);
  return Number.isFinite(value) ? withoutNegativeZero(value) : notFinite('finite decimal text', input);
};

export const textInteger: Codec<number> = pipe(textNumber, integer);

/** Plain-text `0`/`1` flag (1.9). */
export const textFlag: Codec<boolean> = (input) => {
  const text = typeof input === 'string' ? input.trim() : input;
  if (text === '1') return true;
  if (text === '0') return false;
  return new Invalid('0 or 1', input);
};
