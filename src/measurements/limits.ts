/**
 * The bounds of measurement series, as openapi.yaml declares them (MeasurementFields, MeasurementPointBatch).
 * The validator enforces what the spec can express; what OpenAPI 3.0 cannot (a pattern for the names of an
 * object's keys, a finite number) is checked here, for both APIs.
 */
import { InvalidInputError } from '../errors.ts';

export const MAX_FIELDS_PER_POINT = 32;
export const MAX_POINTS_PER_BATCH = 5000;
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** The body size accepted by the batch write (other operations: the gateway's 64 KiB). */
export const POINT_BATCH_BODY_LIMIT = 4 * 1024 * 1024;

export type Fields = Record<string, number>;

/** The fields of one point, checked: 1–32 names matching FIELD_NAME, each a finite number. `where` names it in the message. */
export function checkFields(fields: Readonly<Record<string, unknown>>, where: string): Fields {
  const names = Object.keys(fields);
  if (names.length === 0) throw new InvalidInputError(`${where}: a point needs at least one field`);
  if (names.length > MAX_FIELDS_PER_POINT) {
    throw new InvalidInputError(`${where}: ${names.length} fields, at most ${MAX_FIELDS_PER_POINT} per point`);
  }
  for (const name of names) {
    if (!FIELD_NAME.test(name)) {
      throw new InvalidInputError(`${where}: the field name "${name.slice(0, 70)}" does not match ${FIELD_NAME.source}`);
    }
    const value = fields[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidInputError(`${where}.${name}: must be a finite number`);
    }
  }
  return fields as Fields;
}

export function checkUnits(units: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const checked = units ?? {};
  const names = Object.keys(checked);
  if (names.length > MAX_FIELDS_PER_POINT) throw new InvalidInputError(`units: at most ${MAX_FIELDS_PER_POINT} fields`);
  const bad = names.find((name) => !FIELD_NAME.test(name));
  if (bad !== undefined) throw new InvalidInputError(`units: the field name "${bad.slice(0, 70)}" does not match ${FIELD_NAME.source}`);
  return { ...checked };
}
