import type { SystemDto } from '../api/types.ts';
import type { Database } from '../db/database.ts';
import { NotAuthenticatedError } from '../errors.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import type { IngestState } from '../ingest/ingest.ts';
import type { LiveModel } from '../live/live-model.ts';
import type { LiveStore } from '../live/store.ts';
import type { Metrics } from '../metrics.ts';
import { check } from './readiness.ts';
import { recorderCheck } from '../recorder/readiness.ts';
import type { RecorderStatus } from '../recorder/recorder.ts';

export interface OpsDeps {
  live: LiveModel;
  /** Pinged for readiness; its kind is reported. */
  liveStore: LiveStore;
  db: Database;
  metrics: Metrics;
  ingest: { snapshot(): Readonly<IngestState> };
  configuredGeneration: 'auto' | '2' | '1.9';
  metricsPublic: boolean;
  version: string;
  startedAt: Date;
  /** Present when this instance runs the statistics recorder (a stalled recorder makes the instance not ready). */
  recorder?: { status(): RecorderStatus };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

type OpsHandlers = Pick<HandlerTable, 'getSystem' | 'getLiveness' | 'getReadiness' | 'getMetrics'>;

export type SystemReaderDeps = Pick<OpsDeps, 'live' | 'liveStore' | 'ingest' | 'configuredGeneration' | 'version' | 'startedAt'>;

/** The body of GET /api/v1/system, also the stream's snapshot part. */
export function systemReader(deps: SystemReaderDeps): () => Promise<SystemDto> {
  return async () => {
    const { fields: system } = await deps.live.system();
    const ingest = deps.ingest.snapshot();
    const generation = ingest.generation ?? system.generation?.value ?? null;
    return {
      openwb: {
        generation,
        configuredGeneration: deps.configuredGeneration,
        version: system.version?.value ?? null,
        lastHeartbeatAt: iso(system.heartbeat?.receivedAt),
      },
      broker: {
        connected: ingest.connected,
        lastMessageAt: iso(ingest.lastMessageAt),
        messagesReceived: ingest.messagesReceived,
        decodeErrors: ingest.decodeErrors,
      },
      gateway: { version: deps.version, startedAt: deps.startedAt.toISOString(), liveStore: deps.liveStore.kind },
    };
  };
}

export function opsHandlers(deps: OpsDeps): OpsHandlers {
  const readSystem = systemReader(deps);
  return {
    getLiveness: async () => json(200, { status: 'ok' as const }),

    getReadiness: async () => {
      const ingest = deps.ingest.snapshot();
      const [liveStore, database] = await Promise.all([check(() => deps.liveStore.ping()), check(() => deps.db.ping())]);
      const broker = ingest.connected ? { ok: true } : { ok: false, detail: 'not connected to the openWB broker' };
      const recorder = deps.recorder ? recorderCheck(deps.recorder.status()) : undefined;
      const ready = broker.ok && liveStore.ok && database.ok && !recorder?.stalled;
      const checks = { broker, liveStore, database, ...(recorder ? { recorder } : {}) };
      const body = { status: ready ? ('ready' as const) : ('unavailable' as const), checks };
      return ready
        ? json(200, body, { 'Cache-Control': 'no-store' })
        : json(503, body, { 'Retry-After': '5', 'Cache-Control': 'no-store' });
    },

    getSystem: async () => json(200, await readSystem(), { 'Cache-Control': 'no-store' }),

    getMetrics: async ({ principal }) => {
      if (!deps.metricsPublic && !principal) {
        throw new NotAuthenticatedError('Metrics need an API key with the admin scope (or METRICS_PUBLIC=true)');
      }
      return { status: 200, contentType: 'text/plain', body: await deps.metrics.registry.metrics() };
    },
  };
}
