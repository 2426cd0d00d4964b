/**
 * The pulse meter part of the configuration, merged into src/config.ts: whether and where the ESP8266
 * smartmeter's own paths (`/tick`, `/lcdinfo`, `/connloss/…`) are served. Every key is in README.md.
 */
import { z } from 'zod';

export const PULSE_METER_CONFIG_KEYS = ['PULSE_METER_COMPAT_ENABLED', 'PULSE_METER_COMPAT_BASE_PATH'] as const;

/** The prefix openapi.yaml declares the compatibility paths under; they are served under `basePath` instead. */
export const PULSE_METER_SPEC_PREFIX = '/pulse-meter';

export interface PulseMeterCompatConfig {
  enabled: boolean;
  /** '' = the root: `GET /tick`, as the seed device calls it. */
  basePath: string;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
// Paths the gateway serves itself: a prefix there would shadow or collide with them.
const RESERVED = /^\/(api|health|docs|metrics|openapi\.json|openapi\.yaml|asyncapi\.yaml)(\/|$)/;

export const pulseMeterSchemaShape = {
  PULSE_METER_COMPAT_ENABLED: bool.default(false),
  PULSE_METER_COMPAT_BASE_PATH: z
    .string()
    .regex(/^((\/[A-Za-z0-9._~-]+)+)?$/, 'must be empty (the root) or a path such as /smartmeter (no trailing slash)')
    .refine((v) => !RESERVED.test(v), 'must not lie under a path the gateway serves itself (/api, /health, /docs, …)')
    .default(''),
};

type Parsed = z.output<z.ZodObject<typeof pulseMeterSchemaShape>>;

export function pulseMeterConfig(c: Parsed): PulseMeterCompatConfig {
  return { enabled: c.PULSE_METER_COMPAT_ENABLED, basePath: c.PULSE_METER_COMPAT_BASE_PATH };
}
