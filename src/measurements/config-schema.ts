/**
 * The timeseries-api wire mode's part of the configuration, merged into src/config.ts. Every key is in
 * README.md (Measurement series).
 */
import { z } from 'zod';

export const TIMESERIES_CONFIG_KEYS = ['TIMESERIES_API_ENABLED', 'TIMESERIES_API_BASE_PATH', 'TIMESERIES_API_PUBLIC_READS'] as const;

/** The prefix openapi.yaml declares the wire-mode paths under; they are served under `basePath` instead. */
export const TIMESERIES_SPEC_PREFIX = '/timeseries';

export interface TimeseriesApiConfig {
  enabled: boolean;
  basePath: string;
  /** Anonymous callers may read every series (that project's clients read without a token). */
  publicReads: boolean;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
// Paths the gateway serves itself: a prefix there would shadow or collide with them.
const RESERVED = /^\/(api|health|docs|metrics|openapi\.json|openapi\.yaml|asyncapi\.yaml)(\/|$)/;

export const timeseriesSchemaShape = {
  TIMESERIES_API_ENABLED: bool.default(false),
  TIMESERIES_API_BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must be a path such as /timeseries (no trailing slash)')
    .refine((v) => !RESERVED.test(v), 'must not lie under a path the gateway serves itself (/api, /health, /docs, …)')
    .default(TIMESERIES_SPEC_PREFIX),
  TIMESERIES_API_PUBLIC_READS: bool.default(false),
};

type Parsed = z.output<z.ZodObject<typeof timeseriesSchemaShape>>;

export function timeseriesConfig(c: Parsed): TimeseriesApiConfig {
  return { enabled: c.TIMESERIES_API_ENABLED, basePath: c.TIMESERIES_API_BASE_PATH, publicReads: c.TIMESERIES_API_PUBLIC_READS };
}
