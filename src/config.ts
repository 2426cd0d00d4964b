/**
 * One typed, validated configuration from environment variables, optionally merged over a JSON or
 * YAML file named by CONFIG_FILE (environment wins). Every problem is reported at once. A secret can
 * also be given as a file path in `<KEY>_FILE` (Docker/compose secrets).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { IANAZone } from 'luxon';
import { parsePrice, parseTariffSchedule, type Tariff } from './sessions/tariff.ts';
import { INSTANCE_ID_PATTERN } from './recorder/instance-id.ts';
import { DEFAULT_MAX_POWER_W } from './history/meter-counter.ts';
import { parseAddress, parseVehiclePlates, type ReportSettings } from './reports/settings.ts';
import { SECURITY_CONFIG_KEYS, securityConfig, securitySchemaShape, type SecurityConfig } from './auth/config-schema.ts';
import { PULSE_METER_CONFIG_KEYS, pulseMeterConfig, pulseMeterSchemaShape, type PulseMeterCompatConfig } from './meters/config-schema.ts';
import { TIMESERIES_CONFIG_KEYS, timeseriesConfig, timeseriesSchemaShape, type TimeseriesApiConfig } from './measurements/config-schema.ts';
import { ENERGSYNC_CONFIG_KEYS, energsyncConfig, energsyncSchemaShape, type EnergSyncConfig } from './energsync/config-schema.ts';

export const CONFIG_KEYS = [
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'OPENWB_MQTT_URL',
  'OPENWB_MQTT_USERNAME',
  'OPENWB_MQTT_PASSWORD',
  'OPENWB_MQTT_CA_FILE',
  'OPENWB_MQTT_TLS_INSECURE',
  'OPENWB_MQTT_QOS',
  'OPENWB_GENERATION',
  'OPENWB_TOPIC_PREFIX',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'DATABASE_URL',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'STALE_AFTER_S',
  'RETIRE_AFTER_S',
  'METRICS_PUBLIC',
  'DEMO_MQTT_PORT',
  'DEMO_INTERVAL_S',
  'TIME_ZONE',
  'RECORDER_ENABLED',
  'RECORD_INTERVAL_S',
  'RAW_RETENTION_DAYS',
  'RECORDER_BUFFER_SIZE',
  'RECORDER_LOCK_TTL_S',
  'RECORDER_SPOOL_FILE',
  'RECORDER_SHUTDOWN_FLUSH_S',
  'INSTANCE_ID',
  'METER_MAX_POWER_CHARGEPOINT_W',
  'METER_MAX_POWER_SITE_W',
  'TARIFF_PRICE_PER_KWH',
  'TARIFF_SCHEDULE',
  'TARIFF_CURRENCY',
  'REPORT_OPERATOR_NAME',
  'REPORT_OPERATOR_ADDRESS',
  'REPORT_METER_NOTE',
  'REPORT_FLAT_RATE_PER_KWH',
  'REPORT_FLAT_RATE_NOTE',
  'REPORT_VEHICLE_PLATES',
  'COMMAND_TIMEOUT_S',
  'COMMAND_QOS',
  'COMMAND_RETENTION_DAYS',
  'STREAM_TICKET_TTL_S',
  'STREAM_REAUTH_S',
  'STREAM_PING_S',
  'STREAM_MAX_PER_PRINCIPAL',
  'STREAM_MAX_PER_ADDRESS',
  'STREAM_STALL_S',
  ...SECURITY_CONFIG_KEYS,
  ...ENERGSYNC_CONFIG_KEYS,
  ...PULSE_METER_CONFIG_KEYS,
  ...TIMESERIES_CONFIG_KEYS,
] as const;

type ConfigKey = (typeof CONFIG_KEYS)[number];
const SECRET_KEYS: readonly ConfigKey[] = ['OPENWB_MQTT_PASSWORD', 'REDIS_URL', 'DATABASE_URL'];

/** `connectTimeoutMs`: longest wait for a pooled connection before an operation fails (503 in the API). */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'mariadb'; url: string; connectTimeoutMs?: number };

export interface Config {
  http: { port: number; host: string; metricsPublic: boolean };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Absent in demo mode (the gateway then runs its own broker and the openWB simulator). */
  mqtt?: {
    url: string;
    username?: string;
    password?: string;
    caFile?: string;
    tlsInsecure: boolean;
  };
  openwb: { generation: 'auto' | '2' | '1.9'; topicPrefix: string; qos: 0 | 1 };
  redis?: { url: string; keyPrefix: string };
  database: DatabaseTarget;
  staleAfterMs: number;
  /** A chargepoint or counter openWB has not republished for this long, while it published other topics, is dropped. */
  retireAfterMs: number;
  demo: { mqttPort: number; intervalMs: number };
  /** IANA zone of the installation: default `tz` of statistics queries, zone of tariff windows and of openWB's charge-log dates. */
  timeZone: string;
  /** The statistics recorder (one instance records when several share Redis). */
  recorder: {
    enabled: boolean;
    intervalMs: number;
    rawRetentionMs: number;
    bufferSize: number;
    lockTtlMs: number;
    /** What a shutdown could not write goes here and is replayed at the next start. */
    spoolFile: string;
    shutdownFlushMs: number;
    /** Stable identity of this instance (its own recorder lock is taken over at once after a restart); undefined = kept in a file beside the spool. */
    instanceId: string | undefined;
    /** Bounds of the energy counted from meter counters, W. */
    meterMaxPowerW: { chargepoint: number; site: number };
  };
  tariff: Tariff;
  /** The PDF charging report: operator, meter note, flat rate, licence plates. */
  report: ReportSettings;
  /** Control commands: how long to watch openWB for confirmation, QoS of the set-topic publishes, history kept. */
  control: { timeoutMs: number; qos: 1 | 2; retentionMs: number };
  /** The live stream: how long a browser's single-use ticket works. */
  stream: {
    ticketTtlMs: number;
    reauthenticateMs: number;
    pingIntervalMs: number;
    maxPerPrincipal: number;
    maxPerAddress: number;
    stallLimitMs: number;
  };
  /** Users, tokens, login lock-out, rate limits, CORS, trusted proxy (src/auth/config-schema.ts). */
  security: SecurityConfig;
  /** EnergSync-compatible endpoints (src/energsync/config-schema.ts). */
  energsync: EnergSyncConfig;
  /** The ESP8266 smartmeter's own paths (src/meters/config-schema.ts). */
  pulseMeterCompat: PulseMeterCompatConfig;
  /** The timeseries-api wire mode of measurement series (src/measurements/config-schema.ts). */
  timeseriesApi: TimeseriesApiConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const schema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OPENWB_MQTT_URL: url(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:']).optional(),
  OPENWB_MQTT_USERNAME: z.string().min(1).optional(),
  OPENWB_MQTT_PASSWORD: z.string().min(1).optional(),
  OPENWB_MQTT_CA_FILE: z.string().min(1).optional(),
  OPENWB_MQTT_TLS_INSECURE: bool.default(false),
  OPENWB_MQTT_QOS: z
    .enum(['0', '1'])
    .transform((v) => Number(v) as 0 | 1)
    .default(0),
  OPENWB_GENERATION: z.enum(['auto', '2', '1.9']).default('auto'),
  OPENWB_TOPIC_PREFIX: z
    .string()
    .regex(/^([^#+]+\/)?$/, 'must be empty or end with "/" and contain no MQTT wildcards')
    .default(''),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9_:.-]')
    .default('owg:'),
  DATABASE_URL: z
    .string()
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('mariadb://'), 'must be sqlite:<path> or mariadb://user:pass@host:port/db')
    .default('sqlite:./data/openwb-gateway.db'),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 60_000).default(1000),
  STALE_AFTER_S: int(1, 86_400).default(60),
  RETIRE_AFTER_S: int(1, 604_800).default(600),
  METRICS_PUBLIC: bool.default(false),
  DEMO_MQTT_PORT: int(0, 65535).default(0),
  DEMO_INTERVAL_S: int(1, 3600).default(10),
  TIME_ZONE: z
    .string()
    .refine((v) => IANAZone.isValidZone(v), 'must be an IANA time zone such as Europe/Berlin')
    .default('UTC'),
  RECORDER_ENABLED: bool.default(true),
  RECORD_INTERVAL_S: int(1, 3600).default(10),
  RAW_RETENTION_DAYS: int(1, 3650).default(30),
  RECORDER_BUFFER_SIZE: int(10, 10_000_000).default(100_000),
  RECORDER_LOCK_TTL_S: int(2, 3600).default(30),
  RECORDER_SPOOL_FILE: z.string().min(1).default('./data/recorder-spool.jsonl'),
  RECORDER_SHUTDOWN_FLUSH_S: int(1, 300).default(5),
  INSTANCE_ID: z.string().regex(INSTANCE_ID_PATTERN, 'must be 1-64 characters of [A-Za-z0-9_.-]').optional(),
  METER_MAX_POWER_CHARGEPOINT_W: int(1000, 1_000_000).default(DEFAULT_MAX_POWER_W.chargepoint),
  METER_MAX_POWER_SITE_W: int(1000, 100_000_000).default(DEFAULT_MAX_POWER_W.site),
  TARIFF_PRICE_PER_KWH: z
    .string()
    .transform((v, ctx) => attempt(() => parsePrice(v), ctx))
    .optional(),
  TARIFF_SCHEDULE: z
    .string()
    .transform((v, ctx) => attempt(() => parseTariffSchedule(v), ctx))
    .optional(),
  TARIFF_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .default('EUR'),
  REPORT_OPERATOR_NAME: z.string().trim().min(1).max(100).optional(),
  REPORT_OPERATOR_ADDRESS: z
    .string()
    .transform((v, ctx) => attempt(() => parseAddress(v), ctx))
    .optional(),
  REPORT_METER_NOTE: z.string().trim().min(1).max(100).optional(),
  REPORT_FLAT_RATE_PER_KWH: z
    .string()
    .transform((v, ctx) => attempt(() => parsePrice(v), ctx))
    .optional(),
  REPORT_FLAT_RATE_NOTE: z.string().trim().min(1).max(200).optional(),
  REPORT_VEHICLE_PLATES: z
    .string()
    .transform((v, ctx) => attempt(() => parseVehiclePlates(v), ctx))
    .optional(),
  COMMAND_TIMEOUT_S: int(1, 300).default(20),
  COMMAND_QOS: z
    .enum(['1', '2'])
    .transform((v) => Number(v) as 1 | 2)
    .default(1),
  COMMAND_RETENTION_DAYS: int(1, 3650).default(90),
  STREAM_TICKET_TTL_S: int(1, 300).default(30),
  STREAM_REAUTH_S: int(1, 60).default(5),
  STREAM_PING_S: int(1, 300).default(30),
  STREAM_MAX_PER_PRINCIPAL: int(1, 10_000).default(10),
  STREAM_MAX_PER_ADDRESS: int(1, 100_000).default(100),
  STREAM_STALL_S: int(1, 600).default(30),
  ...securitySchemaShape,
  ...energsyncSchemaShape,
  ...pulseMeterSchemaShape,
  ...timeseriesSchemaShape,
});

function attempt<T>(parse: () => T, ctx: z.RefinementCtx): T {
  try {
    return parse();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}

/** Raw values: the optional file first, then the environment, then `<KEY>_FILE` secrets. */
function collectRaw(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  if (env.CONFIG_FILE) {
    try {
      const text = readFileSync(env.CONFIG_FILE, 'utf8');
      const parsed: unknown = env.CONFIG_FILE.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`CONFIG_FILE: ${env.CONFIG_FILE} must hold an object of configuration keys`);
      } else {
        for (const [key, value] of Object.entries(parsed)) {
          if (!(CONFIG_KEYS as readonly string[]).includes(key)) problems.push(`CONFIG_FILE: unknown key ${key}`);
          // An object (ENERGSYNC_CHARGERS written as YAML) is taken as the JSON text the environment would hold.
          else raw[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
        }
      }
    } catch (error) {
      problems.push(`CONFIG_FILE: cannot read ${env.CONFIG_FILE}: ${(error as Error).message}`);
    }
  }
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const key of SECRET_KEYS) {
    const file = env[`${key}_FILE`];
    if (!file) continue;
    if (env[key]) problems.push(`${key}_FILE: set either ${key} or ${key}_FILE, not both`);
    try {
      raw[key] = readFileSync(file, 'utf8').trim();
    } catch (error) {
      problems.push(`${key}_FILE: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const raw = collectRaw(env, problems);
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const c = result.data;

  if (!c.OPENWB_MQTT_URL && (c.OPENWB_MQTT_USERNAME || c.OPENWB_MQTT_PASSWORD)) {
    problems.push('OPENWB_MQTT_USERNAME/OPENWB_MQTT_PASSWORD: set OPENWB_MQTT_URL too (without it the gateway runs in demo mode)');
  }
  if (c.RECORDER_LOCK_TTL_S <= c.RECORD_INTERVAL_S) {
    problems.push('RECORDER_LOCK_TTL_S: must be longer than RECORD_INTERVAL_S (the lock is renewed every interval)');
  }
  if (c.REPORT_FLAT_RATE_NOTE && c.REPORT_FLAT_RATE_PER_KWH === undefined) {
    problems.push('REPORT_FLAT_RATE_NOTE: set REPORT_FLAT_RATE_PER_KWH too (the note explains that rate)');
  }
  if (c.TARIFF_SCHEDULE && c.TARIFF_PRICE_PER_KWH === undefined) {
    problems.push('TARIFF_SCHEDULE: set TARIFF_PRICE_PER_KWH too (the price outside the windows)');
  }
  const security = securityConfig(c, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    http: {
      port: c.PORT,
      host: c.HOST,
      metricsPublic: c.METRICS_PUBLIC,
    },
    logLevel: c.LOG_LEVEL,
    mqtt: c.OPENWB_MQTT_URL
      ? {
          url: c.OPENWB_MQTT_URL,
          username: c.OPENWB_MQTT_USERNAME,
          password: c.OPENWB_MQTT_PASSWORD,
          caFile: c.OPENWB_MQTT_CA_FILE,
          tlsInsecure: c.OPENWB_MQTT_TLS_INSECURE,
        }
      : undefined,
    openwb: { generation: c.OPENWB_GENERATION, topicPrefix: c.OPENWB_TOPIC_PREFIX, qos: c.OPENWB_MQTT_QOS },
    redis: c.REDIS_URL ? { url: c.REDIS_URL, keyPrefix: c.REDIS_KEY_PREFIX } : undefined,
    database: parseDatabaseUrl(c.DATABASE_URL, c.DATABASE_CONNECT_TIMEOUT_MS),
    staleAfterMs: c.STALE_AFTER_S * 1000,
    retireAfterMs: c.RETIRE_AFTER_S * 1000,
    demo: { mqttPort: c.DEMO_MQTT_PORT, intervalMs: c.DEMO_INTERVAL_S * 1000 },
    timeZone: c.TIME_ZONE,
    recorder: {
      enabled: c.RECORDER_ENABLED,
      intervalMs: c.RECORD_INTERVAL_S * 1000,
      rawRetentionMs: c.RAW_RETENTION_DAYS * 86_400_000,
      bufferSize: c.RECORDER_BUFFER_SIZE,
      lockTtlMs: c.RECORDER_LOCK_TTL_S * 1000,
      spoolFile: c.RECORDER_SPOOL_FILE,
      shutdownFlushMs: c.RECORDER_SHUTDOWN_FLUSH_S * 1000,
      instanceId: c.INSTANCE_ID,
      meterMaxPowerW: { chargepoint: c.METER_MAX_POWER_CHARGEPOINT_W, site: c.METER_MAX_POWER_SITE_W },
    },
    tariff: {
      pricePerKwh: c.TARIFF_PRICE_PER_KWH ?? null,
      windows: c.TARIFF_SCHEDULE ?? [],
      currency: c.TARIFF_CURRENCY,
      timeZone: c.TIME_ZONE,
    },
    report: {
      operatorName: c.REPORT_OPERATOR_NAME ?? null,
      operatorAddress: c.REPORT_OPERATOR_ADDRESS ?? [],
      meterNote: c.REPORT_METER_NOTE ?? null,
      flatRate:
        c.REPORT_FLAT_RATE_PER_KWH === undefined
          ? null
          : { pricePerKwh: c.REPORT_FLAT_RATE_PER_KWH, note: c.REPORT_FLAT_RATE_NOTE ?? null },
      vehiclePlates: c.REPORT_VEHICLE_PLATES ?? new Map(),
    },
    control: { timeoutMs: c.COMMAND_TIMEOUT_S * 1000, qos: c.COMMAND_QOS, retentionMs: c.COMMAND_RETENTION_DAYS * 86_400_000 },
    stream: {
      ticketTtlMs: c.STREAM_TICKET_TTL_S * 1000,
      reauthenticateMs: c.STREAM_REAUTH_S * 1000,
      pingIntervalMs: c.STREAM_PING_S * 1000,
      maxPerPrincipal: c.STREAM_MAX_PER_PRINCIPAL,
      maxPerAddress: c.STREAM_MAX_PER_ADDRESS,
      stallLimitMs: c.STREAM_STALL_S * 1000,
    },
    security,
    energsync: energsyncConfig(c),
    pulseMeterCompat: pulseMeterConfig(c),
    timeseriesApi: timeseriesConfig(c),
  };
}

export function parseDatabaseUrl(value: string, connectTimeoutMs?: number): DatabaseTarget {
  return value.startsWith('sqlite:')
    ? { kind: 'sqlite', path: value.slice('sqlite:'.length) }
    : { kind: 'mariadb', url: value, connectTimeoutMs };
}
