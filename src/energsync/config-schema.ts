/**
 * The EnergSync part of the configuration, merged into src/config.ts: whether and where the EnergSync
 * operations are served, and the charger facts openWB does not publish. Every key is in README.md (EnergSync).
 */
import { z } from 'zod';

export const ENERGSYNC_CONFIG_KEYS = [
  'ENERGSYNC_ENABLED',
  'ENERGSYNC_BASE_PATH',
  'ENERGSYNC_MANUFACTURER',
  'ENERGSYNC_MODEL',
  'ENERGSYNC_OUTPUT_VOLTAGE',
  'ENERGSYNC_LATITUDE',
  'ENERGSYNC_LONGITUDE',
  'ENERGSYNC_COMMISSIONING_DATE',
  'ENERGSYNC_CHARGERS',
] as const;

/** The prefix openapi.yaml declares the EnergSync paths under; they are served under `basePath` instead. */
export const ENERGSYNC_SPEC_PREFIX = '/energsync';

/** What configuration may say about a charger; each fact here wins over what openWB publishes. */
export interface ChargerFacts {
  name?: string;
  serialNumber?: string;
  model?: string;
  manufacturer?: string;
  /** A per phase */
  maxAvailableCurrent?: number;
  /** W */
  maxOutputPower?: number;
  /** V per phase */
  outputVoltage?: number;
  numberOfConnectors?: number;
  /** Phases connected (1..3), for maxOutputPower when openWB does not publish them. */
  phases?: number;
  latitude?: number;
  longitude?: number;
  /** YYYY-MM-DD */
  commissioningDate?: string;
}

export interface EnergSyncConfig {
  enabled: boolean;
  basePath: string;
  /** Facts of every charger (ENERGSYNC_* keys), under each charger's own (ENERGSYNC_CHARGERS). */
  site: ChargerFacts;
  chargers: Readonly<Record<string, ChargerFacts>>;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const decimal = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((v) => new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'must be a calendar date');
const label = z.string().min(1).max(200);
// Paths the gateway serves itself: an EnergSync prefix there would shadow or collide with them.
const RESERVED = /^\/(api|health|docs|metrics|openapi\.json|openapi\.yaml|asyncapi\.yaml)(\/|$)/;

const chargerFacts = z.strictObject({
  name: label.optional(),
  serialNumber: label.optional(),
  model: label.optional(),
  manufacturer: label.optional(),
  maxAvailableCurrent: z.number().min(0).max(1000).optional(),
  maxOutputPower: z.number().min(0).max(1_000_000).optional(),
  outputVoltage: z.number().min(0).max(1000).optional(),
  numberOfConnectors: z.number().int().min(1).max(100).optional(),
  phases: z.number().int().min(1).max(3).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  commissioningDate: isoDate.optional(),
});

const chargers = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of chargepoint id → facts' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'keys must be chargepoint ids'), chargerFacts));

export const energsyncSchemaShape = {
  ENERGSYNC_ENABLED: bool.default(false),
  ENERGSYNC_BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must be a path such as /energsync (no trailing slash)')
    .refine((v) => !RESERVED.test(v), 'must not lie under a path the gateway serves itself (/api, /health, /docs, …)')
    .default(ENERGSYNC_SPEC_PREFIX),
  ENERGSYNC_MANUFACTURER: label.default('openWB'),
  ENERGSYNC_MODEL: label.optional(),
  ENERGSYNC_OUTPUT_VOLTAGE: decimal(1, 1000).default(230),
  ENERGSYNC_LATITUDE: decimal(-90, 90).optional(),
  ENERGSYNC_LONGITUDE: decimal(-180, 180).optional(),
  ENERGSYNC_COMMISSIONING_DATE: isoDate.optional(),
  ENERGSYNC_CHARGERS: chargers.default({}),
};

type Parsed = z.output<z.ZodObject<typeof energsyncSchemaShape>>;

export function energsyncConfig(c: Parsed): EnergSyncConfig {
  return {
    enabled: c.ENERGSYNC_ENABLED,
    basePath: c.ENERGSYNC_BASE_PATH,
    site: {
      manufacturer: c.ENERGSYNC_MANUFACTURER,
      model: c.ENERGSYNC_MODEL,
      outputVoltage: c.ENERGSYNC_OUTPUT_VOLTAGE,
      latitude: c.ENERGSYNC_LATITUDE,
      longitude: c.ENERGSYNC_LONGITUDE,
      commissioningDate: c.ENERGSYNC_COMMISSIONING_DATE,
    },
    chargers: c.ENERGSYNC_CHARGERS,
  };
}
