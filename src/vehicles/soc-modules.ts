/**
 * SoC module configurations (openWB 2.x, research doc §2.5), pure: the modules openWB offers, secrets masked
 * for reading, and a requested change checked against the module's default configuration and merged with
 * what is stored, so that a secret nobody re-sent is kept.
 */
import { InvalidInputError, UnavailableError } from '../errors.ts';
import type { Json } from '../live/model.ts';

type JsonObject = { [key: string]: Json };

export interface SocModuleDef {
  type: string | null;
  name: string | null;
  official: boolean | null;
  /** openWB's default config object: `{ type, name, official, configuration }`. */
  defaults: JsonObject;
  configuration: JsonObject;
}

export interface SocModuleView {
  type: string | null;
  name: string | null;
  official: boolean | null;
  configuration: JsonObject;
  secrets: string[];
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** snake_case words of a key, so `refreshToken` and `refresh_token` read alike. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'token',
  'secret',
  'pin',
  'akey',
  'apikey',
  'key',
  'credential',
  'credentials',
  'private',
  'cookie',
  'sessioncache',
  'session',
  'otp',
  'totp',
]);

/** Any key that looks like it holds a secret: passwords, tokens, PINs, keys, sessions. */
export function isSecretKey(key: string): boolean {
  const parts = words(key);
  return parts.some((part) => SECRET_WORDS.has(part) || /password|token|secret/.test(part));
}

function isSet(value: Json | undefined): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (isObject(value)) return Object.values(value).some(isSet);
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

export function maskConfiguration(configuration: JsonObject): { configuration: JsonObject; secrets: string[] } {
  const masked: JsonObject = {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(configuration)) {
    if (isSecretKey(key)) {
      masked[key] = { set: isSet(value) };
      secrets.push(key);
    } else masked[key] = value;
  }
  return { configuration: masked, secrets };
}

/** The list published on `openWB/system/configurable/soc_modules`; 503 while it has not arrived. */
export function parseModules(raw: Json | undefined): SocModuleDef[] {
  if (!Array.isArray(raw)) throw new UnavailableError('openWB has not published its list of SoC modules yet');
  const modules: SocModuleDef[] = [];
  for (const entry of raw) {
    if (!isObject(entry) || !isObject(entry.defaults)) continue;
    const type = entry.value;
    if (type !== null && typeof type !== 'string') continue;
    const defaults = entry.defaults;
    modules.push({
      type,
      name: typeof entry.text === 'string' ? entry.text : null,
      official: typeof defaults.official === 'boolean' ? defaults.official : null,
      defaults,
      configuration: isObject(defaults.configuration) ? defaults.configuration : {},
    });
  }
  return modules;
}

/**
 * The spec leaves `configuration` free-form without `additionalProperties` (the OWASP lint forbids a
 * schema there), so the generated type is an empty record: this is the one place that bridges it.
 */
export function freeForm(view: SocModuleView): Omit<SocModuleView, 'configuration'> & { configuration: Record<string, never> } {
  return view as Omit<SocModuleView, 'configuration'> & { configuration: Record<string, never> };
}

export function moduleView(def: SocModuleDef): SocModuleView {
  return { type: def.type, name: def.name, official: def.official, ...maskConfiguration(def.configuration) };
}

/** A vehicle's stored configuration, secrets masked. */
export function configView(raw: Json | undefined, modules: SocModuleDef[] | undefined): SocModuleView {
  const config: JsonObject = isObject(raw) ? raw : { type: null, configuration: {} };
  const type = typeof config.type === 'string' ? config.type : null;
  const def = modules?.find((m) => m.type === type);
  return {
    type,
    name: typeof config.name === 'string' ? config.name : (def?.name ?? null),
    official: typeof config.official === 'boolean' ? config.official : (def?.official ?? null),
    ...maskConfiguration(isObject(config.configuration) ? config.configuration : {}),
  };
}

const MAX_TEXT = 2000;

function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A value fits a default: same JSON type, or anything scalar where openWB's default is null. */
function checkValue(path: string, value: Json, fallback: Json | undefined): void {
  if (typeof value === 'string' && value.length > MAX_TEXT)
    throw new InvalidInputError(`configuration.${path}: at most ${MAX_TEXT} characters`);
  if (value === null) return;
  if (fallback === null || fallback === undefined) {
    if (isObject(value) || Array.isArray(value)) throw new InvalidInputError(`configuration.${path}: expected a text, number or boolean`);
    return;
  }
  if (kindOf(value) !== kindOf(fallback))
    throw new InvalidInputError(`configuration.${path}: expected a ${kindOf(fallback)} like openWB's default`);
  if (isObject(value) && isObject(fallback)) {
    for (const [key, inner] of Object.entries(value)) {
      if (!Object.hasOwn(fallback, key)) throw new InvalidInputError(`configuration.${path}.${key}: not a setting of this module`);
      checkValue(`${path}.${key}`, inner, fallback[key]);
    }
  }
}

const KEEP = (value: Json | undefined): boolean => isObject(value) && Object.keys(value).length === 1 && value.set === true;

/**
 * The complete configuration to publish for `{ type, configuration }`: every key of the module's default,
 * taken from the request, else from the stored configuration (same type only), else the default. A secret
 * sent as `{ "set": true }` or left out keeps its stored value.
 */
export function mergeConfiguration(
  modules: SocModuleDef[],
  stored: Json | undefined,
  update: { type: string | null; configuration?: JsonObject },
): JsonObject {
  const def = modules.find((m) => m.type === update.type);
  if (!def) {
    const offered = modules.map((m) => m.type ?? 'null').join(', ');
    throw new InvalidInputError(`type: openWB offers no SoC module ${JSON.stringify(update.type)} (it offers ${offered})`);
  }
  const current = isObject(stored) && stored.type === update.type && isObject(stored.configuration) ? stored.configuration : {};
  const requested = update.configuration ?? {};
  for (const key of Object.keys(requested)) {
    if (!Object.hasOwn(def.configuration, key)) {
      const known = Object.keys(def.configuration);
      throw new InvalidInputError(
        `configuration.${key}: not a setting of ${update.type ?? 'no module'} (its settings: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
  }
  const configuration: JsonObject = {};
  for (const [key, fallback] of Object.entries(def.configuration)) {
    const keep = Object.hasOwn(current, key) ? current[key] : fallback;
    if (!Object.hasOwn(requested, key)) {
      configuration[key] = keep as Json;
      continue;
    }
    const value = requested[key] as Json;
    if (isSecretKey(key) && KEEP(value)) {
      configuration[key] = keep as Json;
      continue;
    }
    checkValue(key, value, fallback);
    configuration[key] = isObject(value) && isObject(keep) ? { ...keep, ...value } : value;
  }
  return { ...def.defaults, configuration };
}
