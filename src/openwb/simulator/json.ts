export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** openWB's lenient decoder: JSON if it parses, otherwise the raw string (topic_parser.decode_payload). */
export function decodePayload(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}

export function numberAt(object: Json | undefined, ...path: string[]): number | undefined {
  const value = valueAt(object, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringAt(object: Json | undefined, ...path: string[]): string | undefined {
  const value = valueAt(object, path);
  return typeof value === 'string' ? value : undefined;
}

export function booleanAt(object: Json | undefined, ...path: string[]): boolean | undefined {
  const value = valueAt(object, path);
  return typeof value === 'boolean' ? value : undefined;
}

function valueAt(object: Json | undefined, path: string[]): Json | undefined {
  let current: Json | undefined = object;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}
