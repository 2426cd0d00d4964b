import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { answerClientErrors, buildApp, clientAddressResolver } from './app.ts';
import { AuditService } from './audit/audit-service.ts';
import type { ApiKeyService } from './auth/api-key-service.ts';
import { createAuth, type Auth } from './auth/index.ts';
import { generatePassword } from './auth/password.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './demo/embedded-broker.ts';
import { Ingest } from './ingest/ingest.ts';
import { connectBroker } from './ingest/mqtt-client.ts';
import { instrumentLiveStore } from './live/instrumented-store.ts';
import { MemoryLiveStore } from './live/memory-store.ts';
import { RedisLiveStore } from './live/redis-store.ts';
import { ReplicatedLiveStore } from './live/replicated-store.ts';
import type { LiveStore } from './live/store.ts';
import { createMetrics } from './metrics.ts';
import { OpenWbDecoder } from './openwb/decoder.ts';
import { OpenWbSimulator } from './openwb/simulator/index.ts';
import { VERSION } from './version.ts';
import { LiveService } from './live/live-service.ts';
import { redisKeys } from './redis-keys.ts';
import { resolveInstanceId } from './recorder/instance-id.ts';
import { LocalLock, RedisLock } from './recorder/lock.ts';
import { createRecorderMetrics } from './recorder/metrics.ts';
import { Recorder } from './recorder/recorder.ts';
import { LiveModel } from './live/live-model.ts';
import { systemReader } from './ops/handlers.ts';
import { StreamHub } from './stream/stream-hub.ts';
import { streamsEvent } from './stream/event-visibility.ts';
import { MemoryTicketStore, StreamTickets } from './stream/tickets.ts';
import { RedisTicketStore } from './stream/redis-ticket-store.ts';
import { StreamLimits } from './stream/limits.ts';
import { attachWebSocketStream } from './stream/websocket.ts';
import { localEventBus } from './events/gateway-events.ts';
import { redisEventBus } from './events/redis-event-bus.ts';
import { startControlAndProfiles, type ControlAndProfiles } from './control-and-profiles.ts';
import { logConnectionErrors } from './connection-errors.ts';

export interface Gateway {
  url: string;
  server: Server;
  ingest: Ingest;
  liveStore: LiveStore;
  db: Database;
  apiKeys: ApiKeyService;
  /** Users, keys, tokens, limits. */
  auth: Auth;
  audit: AuditService;
  /** The statistics recorder, unless RECORDER_ENABLED=false. */
  recorder?: Recorder;
  /** Commands to openWB and RFID profiles. */
  control: ControlAndProfiles;
  /** Set in demo mode: the admin key created at start. */
  demoApiKey?: string;
  /** Set in demo mode: the dashboard's sign-in, an admin user whose password is made anew at each start. */
  demoLogin?: DemoLogin;
  /** Set in demo mode: the embedded broker's URL. */
  demoBrokerUrl?: string;
  close(): Promise<void>;
}

export interface DemoLogin {
  username: string;
  password: string;
}

/** Demo mode's user `demo` (admin) with a fresh password, like the demo key: whatever an earlier start printed no longer works. */
async function resetDemoUser(auth: Auth): Promise<DemoLogin> {
  const username = 'demo';
  const password = generatePassword();
  const existing = (await auth.users.list()).find((user) => user.name === username);
  if (existing) await auth.users.update(existing.id, { password, role: 'admin', disabled: false });
  else await auth.users.create({ name: username, role: 'admin', password });
  return { username, password };
}

export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: { service: 'openwb-gateway' },
    redact: [
      '*.password',
      '*.apiKey',
      '*.key',
      '*.accessToken',
      '*.refreshToken',
      '*.currentPassword',
      '*.newPassword',
      'req.headers["x-api-key"]',
      'req.headers.authorization',
    ],
  });
}

/** The client is loaded only when Redis is configured: a gateway without it (demo mode) does not carry it. */
export async function createRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  // Fail fast while Redis is away (the API answers 503); ioredis keeps reconnecting in the background.
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true, lazyConnect: false });
}

/**
 * Wires configuration to real adapters and starts the gateway: database (migrated), live store, demo
 * broker and simulator when no openWB broker is configured, ingest, HTTP. `close()` stops everything in
 * reverse order.
 */
export interface GatewayOptions {
  /** Benchmarks only: `off` serves every request as admin, to measure what authentication costs. Never configurable. */
  authentication?: 'on' | 'off';
}

export async function startGateway(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  options: GatewayOptions = {},
): Promise<Gateway> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse())
      await closer().catch((error) => logger.warn({ err: (error as Error).message }, 'shutdown step failed'));
  };
  try {
    const metrics = createMetrics();
    const db = openDatabase(config.database);
    closers.push(() => db.close());
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'database migrated');

    let redis: Redis | undefined;
    if (config.redis) {
      redis = await createRedis(config.redis.url);
      logConnectionErrors(redis, logger, 'Redis', 'ready');
    }
    let rawStore: LiveStore = new MemoryLiveStore();
    let replicated: ReplicatedLiveStore | undefined;
    if (redis && config.redis) {
      const subscriber = await createRedis(config.redis.url);
      logConnectionErrors(subscriber, logger, 'Redis subscriber', 'ready');
      replicated = new ReplicatedLiveStore(
        new RedisLiveStore(redis, config.redis.keyPrefix),
        redis,
        subscriber,
        redisKeys(config.redis.keyPrefix).liveChanges,
        logger,
        {
          degraded: metrics.liveStoreDegraded,
          writeBackPending: metrics.liveStoreWriteBackPending,
          writtenBack: metrics.liveStoreWrittenBack,
        },
      );
      await replicated.whenSynced();
      rawStore = replicated;
    }
    const store = rawStore;
    const replica = replicated;
    closers.push(() => store.close());
    const liveStore = instrumentLiveStore(rawStore, metrics);
    const audit = new AuditService(db);
    const auth = await createAuth({
      db,
      audit,
      config: config.security.auth,
      logger,
      registry: metrics.registry,
      redis: redis && config.redis ? { client: redis, keyPrefix: config.redis.keyPrefix } : undefined,
    });
    closers.push(() => auth.close());
    const apiKeys = auth.apiKeys;

    let broker: EmbeddedBroker | undefined;
    let simulator: OpenWbSimulator | undefined;
    if (!config.mqtt) {
      broker = await startEmbeddedBroker(config.demo.mqttPort);
      closers.push(() => broker!.close());
      simulator = await OpenWbSimulator.start({
        url: broker.url,
        intervalMs: config.demo.intervalMs,
        topicPrefix: config.openwb.topicPrefix,
        logger,
      });
      closers.push(() => simulator!.stop());
      logger.info({ broker: broker.url }, 'demo mode: embedded MQTT broker and openWB 2.x simulator running');
    }

    // Sessions (recorded on one instance), commands and RFID scans (on any) reach the streams of every instance.
    const events =
      redis && config.redis
        ? await redisEventBus(redis, redisKeys(config.redis.keyPrefix).gatewayEvents, logger)
        : localEventBus((error) => logger.error({ err: error.message }, 'a gateway event listener failed'));
    closers.push(() => events.close());

    const client = connectBroker(config.mqtt ?? { url: (broker as EmbeddedBroker).url }, logger);
    const decoder = new OpenWbDecoder({ mode: config.openwb.generation, topicPrefix: config.openwb.topicPrefix });
    const ingest = new Ingest(client, decoder, liveStore, { metrics, logger, qos: config.openwb.qos, retireAfterMs: config.retireAfterMs });
    ingest.onConnectionChange((connected, at) => events.publish({ type: 'connection', connected, at: new Date(at).toISOString() }));
    ingest.start();
    closers.push(() => ingest.stop());
    // Redis keeps nothing on disk in many setups: the replica writes itself back when Redis returns, and the
    // broker's retained state, fetched again, is a second source.
    let redisWasReady = false;
    redis?.on('ready', () => {
      if (redisWasReady) {
        logger.info('Redis is back: re-reading the retained openWB state');
        ingest.resync();
      }
      redisWasReady = true;
    });
    if (redis?.status === 'ready') redisWasReady = true;

    // Commands publish on a connection of their own: the broker's PUBACKs then never share a TCP stream with
    // the state messages that confirm them (Nagle on the broker's side and delayed ACKs on ours would hold a
    // confirming message back ~40 ms behind a PUBACK; bench/control.ts shows it).
    const commandClient = connectBroker(config.mqtt ?? { url: (broker as EmbeddedBroker).url }, logger, { purpose: 'commands' });
    closers.push(() => commandClient.endAsync());
    const control = await startControlAndProfiles({
      db,
      store: liveStore,
      updates: (listener) => ingest.onApplied(listener),
      replicaUpdates: replica && ((listener) => replica.onChanged(listener)),
      mqtt: commandClient,
      topicPrefix: config.openwb.topicPrefix,
      redis: redis && config.redis ? { client: redis, keyPrefix: config.redis.keyPrefix } : undefined,
      audit,
      users: auth.users,
      logger,
      config: config.control,
      gatewayEvents: events,
    });
    closers.push(() => control.close());

    let recorder: Recorder | undefined;
    if (config.recorder.enabled) {
      const instanceId = resolveInstanceId(config.recorder.instanceId, join(dirname(config.recorder.spoolFile), 'instance-id'));
      const lock =
        redis && config.redis
          ? new RedisLock(redis, redisKeys(config.redis.keyPrefix).recorderLock, config.recorder.lockTtlMs, instanceId)
          : new LocalLock();
      const live = new LiveService(liveStore, { staleAfterMs: config.staleAfterMs });
      recorder = new Recorder({
        live,
        db,
        lock,
        metrics: createRecorderMetrics(metrics.registry),
        logger,
        options: { ...config.recorder, tariff: config.tariff },
        events,
      });
      recorder.start();
      const started = recorder;
      closers.push(() => started.stop());
    }

    const startedAt = new Date();
    // Tickets in Redis work on every instance; without Redis (one instance) they wait in memory.
    const ticketStore =
      redis && config.redis ? new RedisTicketStore(redis, redisKeys(config.redis.keyPrefix).streamTicket) : new MemoryTicketStore();
    const streamTickets = new StreamTickets(ticketStore, auth.authenticator, config.stream.ticketTtlMs);
    const streamLimits = new StreamLimits({ perPrincipal: config.stream.maxPerPrincipal, perAddress: config.stream.maxPerAddress });
    const liveModel = new LiveModel(liveStore);
    const hub = new StreamHub({
      live: liveModel,
      // What this instance ingests, and what reaches its replica from the instances that ingest.
      updates: (listener) => {
        const stopIngest = ingest.onApplied(listener);
        const stopReplica = replica?.onChanged(listener);
        return () => {
          stopIngest();
          stopReplica?.();
        };
      },
      // A client hears of the broker connection its values come from: this instance's once it has read from
      // openWB's broker, until then (its values come through the replica) the ingesting instances'.
      events: (listener) =>
        events.subscribe((event, origin) =>
          streamsEvent(event, origin, ingest.snapshot().messagesReceived > 0) ? listener(event) : undefined,
        ),
      // Events of other instances missed while this one's event subscriber was away: clients get a fresh snapshot.
      resubscribed: (listener) => events.onResubscribed(listener),
      system: systemReader({
        live: liveModel,
        liveStore,
        ingest,
        configuredGeneration: config.openwb.generation,
        version: VERSION,
        startedAt,
      }),
      staleAfterMs: config.staleAfterMs,
      reauthenticateMs: config.stream.reauthenticateMs,
      stallLimitMs: config.stream.stallLimitMs,
      logger,
      counters: {
        messagesSent: metrics.streamMessagesSent,
        coalesced: metrics.streamCoalesced,
        closed: metrics.streamClosed,
        fanOut: metrics.streamFanOutDuration,
      },
    });
    await hub.start();
    const app = buildApp({
      logger,
      metrics,
      liveStore,
      db,
      auth,
      audit,
      security: config.security,
      authentication: options.authentication,
      ingest,
      config: {
        staleAfterMs: config.staleAfterMs,
        metricsPublic: config.http.metricsPublic,
        configuredGeneration: config.openwb.generation,
      },
      version: VERSION,
      statistics: { timeZone: config.timeZone, currency: config.tariff.currency, recorder },
      reports: { tariff: config.tariff, settings: config.report },
      control,
      stream: { hub, tickets: streamTickets, limits: streamLimits, pingIntervalMs: config.stream.pingIntervalMs },
      startedAt,
      energsync: config.energsync,
      pulseMeterCompat: config.pulseMeterCompat,
      timeseriesApi: config.timeseriesApi,
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.http.port, config.http.host, () => resolve(s));
      s.once('error', reject);
    });
    server.keepAliveTimeout = 65_000;
    answerClientErrors(server);
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()));
    const stream = attachWebSocketStream({
      server,
      hub,
      authenticator: auth.authenticator,
      tickets: streamTickets,
      origins: config.security.cors.origins,
      pingIntervalMs: config.stream.pingIntervalMs,
      limits: streamLimits,
      guard: auth.guard,
      addressOf: clientAddressResolver(app),
      metrics: { connections: metrics.streamConnections, refused: metrics.streamRefused },
      logger,
    });
    // Before the server closes: it waits for open responses, and an event stream does not end by itself.
    closers.push(async () => {
      stream.close();
      hub.stop();
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

    let demoApiKey: string | undefined;
    let demoLogin: DemoLogin | undefined;
    if (!config.mqtt) {
      await apiKeys.revokeByName('demo');
      demoApiKey = (await apiKeys.create({ name: 'demo', scopes: ['admin'] })).key;
      demoLogin = await resetDemoUser(auth);
    }
    return {
      url: `http://${host}:${address.port}`,
      server,
      ingest,
      liveStore,
      db,
      apiKeys,
      auth,
      audit,
      recorder,
      control,
      demoApiKey,
      demoLogin,
      demoBrokerUrl: broker?.url,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
