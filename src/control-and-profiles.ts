/**
 * Wires control and RFID profiles to the gateway's adapters: commands publish on the MQTT connection
 * given here (the gateway opens one for commands alone) and are confirmed from the live updates this instance
 * ingests or its replica receives from the others;
 * locks and pending templates live in Redis when several instances share it, in memory otherwise.
 */
import type { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { AuditService } from './audit/audit-service.ts';
import type { UserService } from './auth/user-service.ts';
import type { Database } from './db/database.ts';
import { LiveModel } from './live/live-model.ts';
import type { LiveStore } from './live/store.ts';
import { redisKeys } from './redis-keys.ts';
import { SessionAttributor } from './profiles/attribution.ts';
import { PresetApplier } from './profiles/preset-applier.ts';
import { ProfileRepository } from './profiles/profile-repository.ts';
import { ProfileService } from './profiles/profile-service.ts';
import { RfidEventRepository } from './profiles/rfid-event-repository.ts';
import { RfidWatcher } from './profiles/rfid-watcher.ts';
import { SessionRepository } from './sessions/session-repository.ts';
import { CommandRepository, ControlMemory } from './control/command-repository.ts';
import { CommandService } from './control/command-service.ts';
import { ConfirmationWatcher, type UpdateSource } from './control/confirmation.ts';
import { MemoryCommandLock, RedisCommandLock } from './control/lock.ts';
import { MemoryPendingTemplates, RedisPendingTemplates } from './control/pending.ts';
import { MqttCommandPublisher, type CommandPublisher } from './control/publisher.ts';
import type { GatewayEvents } from './events/gateway-events.ts';

export interface ControlAndProfilesDeps {
  db: Database;
  store: LiveStore;
  /** What this instance ingests (the ingest's applied batches): RFID scans are handled from these only, once per scan. */
  updates: UpdateSource;
  /**
   * Changes that reach this instance's replica from the instances that ingest them (Redis pub/sub). Command
   * confirmation hears them too, so a command sent through an instance whose own ingest missed openWB's answer
   * (its broker subscription down, a QoS 0 message lost) is still confirmed from the shared state.
   */
  replicaUpdates?: UpdateSource;
  mqtt: MqttClient;
  topicPrefix: string;
  redis?: { client: Redis; keyPrefix: string };
  audit: AuditService;
  users: UserService;
  logger: Logger;
  config: { timeoutMs: number; qos: 1 | 2; retentionMs: number };
  /** Where commands and RFID scans are told of (the live stream). */
  gatewayEvents?: GatewayEvents;
  /** Tests and benchmarks: another publisher (still allow-listed). */
  publisher?: CommandPublisher;
}

export interface ControlAndProfiles {
  commands: CommandService;
  profiles: ProfileService;
  rfidEvents: RfidEventRepository;
  /** Resolves once every RFID signal received so far is handled (tests wait on it before asserting that nothing else happened). */
  rfidIdle(): Promise<void>;
  close(): Promise<void>;
}

const LOCK_TTL_MS = 10_000;
const LOCK_WAIT_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;

export async function startControlAndProfiles(deps: ControlAndProfilesDeps): Promise<ControlAndProfiles> {
  const { db, logger } = deps;
  const live = new LiveModel(deps.store);
  const keys = deps.redis ? redisKeys(deps.redis.keyPrefix) : undefined;
  const redis = deps.redis?.client;
  const watcher = new ConfirmationWatcher(live, eitherSource(deps.updates, deps.replicaUpdates), (error) =>
    logger.warn({ err: error.message }, 'reading the live store for a command confirmation failed'),
  );
  const repository = new CommandRepository(db);
  const commands = new CommandService({
    live,
    repository,
    memory: new ControlMemory(db),
    publisher: deps.publisher ?? new MqttCommandPublisher(deps.mqtt, { topicPrefix: deps.topicPrefix, qos: deps.config.qos }),
    watcher,
    lock:
      redis && keys ? new RedisCommandLock(redis, keys.controlLock, { ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS }) : new MemoryCommandLock(),
    pending: redis && keys ? new RedisPendingTemplates(redis, keys.controlPendingTemplate) : new MemoryPendingTemplates(),
    audit: deps.audit,
    logger,
    timeoutMs: deps.config.timeoutMs,
    gatewayEvents: deps.gatewayEvents,
  });

  const profileRepository = new ProfileRepository(db);
  const rfidEvents = new RfidEventRepository(db);
  const profiles = new ProfileService({ repository: profileRepository, users: deps.users, live, audit: deps.audit });
  const attributor = new SessionAttributor({ events: rfidEvents, sessions: new SessionRepository(db), logger });
  const applier = new PresetApplier({
    profiles: profileRepository,
    events: rfidEvents,
    users: deps.users,
    commands,
    live,
    logger,
    attribute: (event) => attributor.track(event),
    gatewayEvents: deps.gatewayEvents,
  });
  const rfid = new RfidWatcher({ source: deps.updates, live, events: rfidEvents, applier, logger });
  await attributor.start();
  rfid.start();

  const prune = async () => {
    const before = Date.now() - deps.config.retentionMs;
    await repository.deleteOlderThan(before);
    await rfidEvents.deleteOlderThan(before);
  };
  const pruning = setInterval(
    () => void prune().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'pruning old commands failed')),
    PRUNE_EVERY_MS,
  );
  pruning.unref();

  return {
    commands,
    profiles,
    rfidEvents,
    rfidIdle: () => rfid.idle(),
    async close() {
      clearInterval(pruning);
      await rfid.stop();
      await attributor.stop();
      await commands.close();
      watcher.close();
    },
  };
}

/** Both sources' batches (a batch heard twice only makes the watcher test its expectations once more). */
function eitherSource(first: UpdateSource, second: UpdateSource | undefined): UpdateSource {
  if (!second) return first;
  return (listener) => {
    const stopFirst = first(listener);
    const stopSecond = second(listener);
    return () => {
      stopFirst();
      stopSecond();
    };
  };
}
