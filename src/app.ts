import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import type { AuditService } from './audit/audit-service.ts';
import type { SecurityConfig } from './auth/config-schema.ts';
import type { Auth } from './auth/index.ts';
import type { Database } from './db/database.ts';
import type { HandlerTable } from './http/operation-types.ts';
import { problemHandler } from './http/problem.ts';
import { quotedPath } from './bounded-text.ts';
import { createDispatcher, series } from './http/dispatcher.ts';
import { NotFoundError } from './errors.ts';
import { beginRequest, contextOf } from './http/request-context.ts';
import { createRequestValidation } from './http/request-validation.ts';
import { createHandlerSteps } from './http/handler-step.ts';
import { listOperations, mountPrefix } from './http/spec-operations.ts';
import { createSecurityLayer } from './http/security-layer.ts';
import type { IngestState } from './ingest/ingest.ts';
import { liveHandlers } from './live/handlers.ts';
import { LiveModel } from './live/live-model.ts';
import { LiveService } from './live/live-service.ts';
import type { LiveStore } from './live/store.ts';
import type { Metrics } from './metrics.ts';
import { opsHandlers } from './ops/handlers.ts';
import { loadAsyncApi, loadSpec } from './spec.ts';
import { specForDocs } from './http/docs-spec.ts';
import { historyHandlers } from './history/handlers.ts';
import { HistoryService } from './history/history-service.ts';
import type { RecorderStatus } from './recorder/recorder.ts';
import { sessionHandlers } from './sessions/handlers.ts';
import { ControlPresenter } from './control/presenter.ts';
import { controlHandlers } from './control/handlers.ts';
import type { ControlAndProfiles } from './control-and-profiles.ts';
import { profileHandlers } from './profiles/handlers.ts';
import { vehicleHandlers } from './vehicles/handlers.ts';
import { SessionRepository } from './sessions/session-repository.ts';
import { SessionService } from './sessions/session-service.ts';
import { SessionCorrections } from './sessions/correction-service.ts';
import { exportHandlers } from './exports/handlers.ts';
import { HistoryExports } from './exports/history-export.ts';
import { SessionExports } from './exports/session-export.ts';
import { streamHandlers } from './stream/handlers.ts';
import type { StreamTickets } from './stream/tickets.ts';
import type { StreamHub } from './stream/stream-hub.ts';
import type { StreamLimits } from './stream/limits.ts';
import { eventStreamStep, narrowingBeforeTicket } from './http/event-stream.ts';
import { dashboardFiles } from './http/dashboard.ts';
import { ENERGSYNC_SPEC_PREFIX, type EnergSyncConfig } from './energsync/config-schema.ts';
import { EnergSyncService } from './energsync/energsync-service.ts';
import { energsyncHandlers } from './energsync/handlers.ts';
import { PULSE_METER_SPEC_PREFIX, type PulseMeterCompatConfig } from './meters/config-schema.ts';
import { meterHandlers } from './meters/handlers.ts';
import { MeterRepository } from './meters/meter-repository.ts';
import { MeterService } from './meters/meter-service.ts';
import { ProfileRepository } from './profiles/profile-repository.ts';
import { TIMESERIES_SPEC_PREFIX, type TimeseriesApiConfig } from './measurements/config-schema.ts';
import { seriesHandlers } from './measurements/handlers/series.ts';
import { POINT_BATCH_BODY_LIMIT } from './measurements/limits.ts';
import { MeasurementService } from './measurements/measurement-service.ts';
import { timeseriesHandlers } from './measurements/handlers/timeseries.ts';
import { reportHandlers } from './reports/handlers.ts';
import { ReportService } from './reports/report-service.ts';
import { NO_REPORT_SETTINGS, type ReportSettings } from './reports/settings.ts';
import { NO_TARIFF, type Tariff } from './sessions/tariff.ts';

export { clientAddressResolver } from './http/client-address.ts';
export { answerClientErrors } from './http/client-errors.ts';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  /** Already instrumented (errors → 503), see instrumentLiveStore. */
  liveStore: LiveStore;
  db: Database;
  /** Users, keys, tokens and limits (src/auth/index.ts), the audit log, and their configuration. */
  auth: Auth;
  audit: AuditService;
  security: Pick<SecurityConfig, 'rateLimits' | 'cors' | 'trustProxy'>;
  /** Benchmarks and tests only: `off` skips authentication (every request acts as admin). Set in code, never configurable. */
  authentication?: 'on' | 'off';
  ingest: { snapshot(): Readonly<IngestState> };
  config: {
    staleAfterMs: number;
    metricsPublic: boolean;
    configuredGeneration: 'auto' | '2' | '1.9';
  };
  version: string;
  now?: () => number;
  /** Statistics: default zone of queries (TIME_ZONE), currency of costs, and the recorder when it runs here. */
  statistics?: { timeZone: string; currency: string; recorder?: { status(): RecorderStatus } };
  /** The PDF charging report: the tariff its `tariff` basis states, and the REPORT_* settings. Default: no tariff, nothing configured. */
  reports?: { tariff: Tariff; settings: ReportSettings };
  /** Commands to openWB, RFID profiles and their events (src/control-and-profiles.ts). */
  control: Pick<ControlAndProfiles, 'commands' | 'profiles' | 'rfidEvents'>;
  /** The live stream's core and its tickets (src/stream/); the WebSocket is served on the HTTP upgrade, SSE here. */
  stream: { hub: StreamHub; tickets: StreamTickets; limits: StreamLimits; pingIntervalMs: number };
  /** When the gateway started (GET /api/v1/system); default: now. */
  startedAt?: Date;
  /** EnergSync-compatible operations: served under `basePath` when enabled; default: not served. */
  energsync?: EnergSyncConfig;
  /** The ESP8266 smartmeter's own paths: served under `basePath` when enabled; default: not served. */
  pulseMeterCompat?: PulseMeterCompatConfig;
  /** The timeseries-api wire mode of measurement series: served under `basePath` when enabled; default: not served. */
  timeseriesApi?: TimeseriesApiConfig;
  /** The built dashboard served at `/` (default: the package's dist/dashboard, written by `npm run build`). */
  dashboardDir?: string;
}

/**
 * Builds the HTTP application: docs → metrics timing → security → OpenAPI validation → handler table →
 * problem+json errors. No I/O happens here; main.ts wires real clients and listens.
 */
export function buildApp(deps: AppDeps): Express {
  const spec = loadSpec();
  const operations = listOperations(spec.document);
  const energsync = deps.energsync;
  const compat = deps.pulseMeterCompat;
  const timeseriesApi = deps.timeseriesApi;
  const served = mountPrefix(
    mountPrefix(
      mountPrefix(operations, ENERGSYNC_SPEC_PREFIX, energsync?.enabled ? energsync.basePath : undefined),
      PULSE_METER_SPEC_PREFIX,
      compat?.enabled ? compat.basePath : undefined,
    ),
    TIMESERIES_SPEC_PREFIX,
    timeseriesApi?.enabled ? timeseriesApi.basePath : undefined,
  );
  const live = new LiveService(deps.liveStore, { staleAfterMs: deps.config.staleAfterMs, now: deps.now });
  const security = createSecurityLayer({
    auth: deps.auth,
    audit: deps.audit,
    config: deps.security,
    authentication: deps.authentication,
    tickets: deps.stream.tickets,
  });
  const model = new LiveModel(deps.liveStore);
  const control = new ControlPresenter(deps.control.commands, live, model);
  const sessionRepository = new SessionRepository(deps.db);
  const sessionService = new SessionService(sessionRepository, {
    timeZone: deps.statistics?.timeZone ?? 'UTC',
    currency: deps.statistics?.currency ?? 'EUR',
    now: deps.now,
  });
  const history = new HistoryService(deps.db, { timeZone: deps.statistics?.timeZone ?? 'UTC', now: deps.now });
  const measurements = new MeasurementService(deps.db, { timeZone: deps.statistics?.timeZone ?? 'UTC', now: deps.now });
  const handlers: HandlerTable = {
    ...security.handlers,
    ...liveHandlers(live),
    ...opsHandlers({
      live: model,
      liveStore: deps.liveStore,
      db: deps.db,
      metrics: deps.metrics,
      ingest: deps.ingest,
      configuredGeneration: deps.config.configuredGeneration,
      metricsPublic: deps.config.metricsPublic,
      version: deps.version,
      startedAt: deps.startedAt ?? new Date((deps.now ?? Date.now)()),
      recorder: deps.statistics?.recorder,
    }),
    ...historyHandlers(history),
    ...sessionHandlers(
      sessionService,
      new SessionCorrections({
        repository: sessionRepository,
        audit: deps.audit,
        vehicleName: async (id) => (await model.vehicle(id)).fields.name?.value ?? null,
        now: deps.now,
      }),
    ),
    ...reportHandlers(
      new ReportService({
        sessions: new SessionRepository(deps.db),
        profiles: new ProfileRepository(deps.db),
        tariff: deps.reports?.tariff ?? { ...NO_TARIFF, currency: deps.statistics?.currency ?? 'EUR' },
        settings: deps.reports?.settings ?? NO_REPORT_SETTINGS,
        timeZone: deps.statistics?.timeZone ?? 'UTC',
        version: deps.version,
        now: deps.now,
      }),
    ),
    ...controlHandlers(control),
    ...vehicleHandlers(control, model),
    ...profileHandlers(deps.control.profiles, deps.control.rfidEvents),
    ...streamHandlers(deps.stream.tickets),
    ...energsyncHandlers(
      new EnergSyncService(model, sessionRepository, {
        config: energsync ?? { site: {}, chargers: {} },
        timeZone: deps.statistics?.timeZone ?? 'UTC',
        now: deps.now,
      }),
    ),
    ...exportHandlers(new SessionExports(sessionService, sessionRepository), new HistoryExports(history)),
    ...meterHandlers(
      new MeterService({
        repository: new MeterRepository(deps.db),
        keys: deps.auth.keys,
        audit: deps.audit,
        timeZone: deps.statistics?.timeZone ?? 'UTC',
        now: deps.now,
      }),
      deps.auth.keys,
    ),
    ...seriesHandlers(measurements, deps.auth.keys),
    ...timeseriesHandlers({
      series: measurements,
      authenticator: deps.auth.authenticator,
      userName: async (id) => (await deps.auth.users.cached(id))?.name,
      publicReads: timeseriesApi?.publicReads ?? false,
      keys: deps.auth.keys,
    }),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.security.trustProxy);
  const handlerOf = createHandlerSteps(operations, handlers, createRequestValidation(spec.document));
  const jsonBody = express.json({ limit: '64kb' });
  // A batch of points is larger than anything else the API takes (openapi.yaml: 4 MiB, 413 above).
  const pointBatchBody = express.json({ limit: POINT_BATCH_BODY_LIMIT });
  const eventStream = eventStreamStep({
    hub: deps.stream.hub,
    authenticator: deps.auth.authenticator,
    limits: deps.stream.limits,
    metrics: { connections: deps.metrics.streamConnections, refused: deps.metrics.streamRefused },
    pingIntervalMs: deps.stream.pingIntervalMs,
  });
  const dispatch = createDispatcher(served, (operation) => [
    ...(operation.operationId === 'openStream' ? [narrowingBeforeTicket] : []),
    ...security.stepsOf(operation),
    ...(operation.hasRequestBody ? [operation.operationId === 'writeMeasurementPoints' ? pointBatchBody : jsonBody] : []),
    ...(operation.operationId === 'openStream' ? [eventStream] : []),
    handlerOf(operation),
  ]);
  // The API is one Express layer: each layer a request passes costs it path matching and allocations.
  app.use(series([requestTimer(deps.metrics), ...security.front, dispatch]));

  app.get('/openapi.yaml', (_req, res) => void res.type('application/yaml').send(spec.yaml));
  app.get('/openapi.json', (_req, res) => void res.json(spec.document));
  const asyncApi = loadAsyncApi();
  app.get('/asyncapi.yaml', (_req, res) => void res.type('application/yaml').send(asyncApi));
  // Swagger UI reads the spec with the server variables set to this origin, so "Try it out" calls this gateway.
  app.get('/docs/openapi.json', (req, res) => void res.json(specForDocs(spec.document, req)));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/docs/openapi.json', validatorUrl: null } }));
  app.use(dashboardFiles(deps.dashboardDir));
  app.use((req, _res, next) => next(new NotFoundError(`No operation at ${quotedPath(req.path)}`)));
  app.use(problemHandler(deps.logger));
  return app;
}

/** Starts each request's context and records its duration under its OpenAPI operationId (routes outside the spec: "other"). */
function requestTimer(metrics: Metrics) {
  // One listener function for all responses: no closure per request.
  function recordDuration(this: Response) {
    const context = contextOf(this);
    const seconds = (performance.now() - context.startedAt) / 1000;
    metrics.httpRequestDuration.observe(
      { operation: context.operationId ?? 'other', method: this.req.method, status: String(this.statusCode) },
      seconds,
    );
  }
  return (_req: Request, res: Response, next: NextFunction) => {
    beginRequest(res);
    res.on('finish', recordDuration);
    next();
  };
}
