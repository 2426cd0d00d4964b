import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { SYSTEM, SYSTEM_ID } from '../live/fields.ts';
import type { EntityKind, FieldUpdate } from '../live/model.ts';
import type { LiveStore } from '../live/store.ts';
import type { Metrics } from '../metrics.ts';
import type { RefusalReason } from '../openwb/bounds.ts';
import type { DecodeOutcome, OpenWbDecoder } from '../openwb/decoder.ts';
import type { Generation } from '../openwb/generation.ts';
import { RefusalLog } from './refusal-log.ts';
import { Retirement } from './retirement.ts';

export interface IngestState {
  connected: boolean;
  generation: Generation | undefined;
  lastMessageAt: number | undefined;
  messagesReceived: number;
  decodeErrors: number;
}

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5_000;

/**
 * openWB broker → decoder → live store. Messages are decoded as they arrive and written in batches (one
 * per event-loop turn). Pending updates are kept per field, latest wins, so while the live store is down
 * the buffer holds at most one value per field and the newest values are written once it is back.
 * Nothing here throws into the MQTT client's loop.
 */
export class Ingest {
  private readonly pending = new Map<string, FieldUpdate>();
  private flushing = false;
  private flushScheduled = false;
  private retryDelay = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private announcedGeneration: Generation | undefined;
  private readonly state: IngestState = {
    connected: false,
    generation: undefined,
    lastMessageAt: undefined,
    messagesReceived: 0,
    decodeErrors: 0,
  };
  private idleWaiters: (() => void)[] = [];
  private readonly appliedListeners = new Set<(updates: readonly FieldUpdate[]) => void>();
  private readonly connectionListeners = new Set<(connected: boolean, at: number) => void>();
  private readonly refusalLog: RefusalLog;
  private readonly retirement: Retirement;
  private retireTimer: NodeJS.Timeout | undefined;
  /** Kinds openWB republishes every cycle, as heard, and those whose stored components were adopted for retirement. */
  private readonly everyCycleKinds = new Set<EntityKind>();
  private readonly adoptedKinds = new Set<EntityKind>();

  constructor(
    private readonly client: MqttClient,
    private readonly decoder: OpenWbDecoder,
    private readonly store: LiveStore,
    private readonly deps: { metrics: Metrics; logger: Logger; qos: 0 | 1; retireAfterMs: number; now?: () => number },
  ) {
    this.refusalLog = new RefusalLog(deps.logger, deps.now);
    this.retirement = new Retirement(deps.retireAfterMs);
  }

  start(): void {
    const subscribe = () => {
      this.setConnected(true);
      this.announcedGeneration = undefined;
      this.client.subscribe([...this.decoder.subscriptions], { qos: this.deps.qos }, (error) => {
        if (error) this.deps.logger.error({ err: error.message }, 'subscribing to openWB topics failed');
      });
    };
    if (this.client.connected) subscribe();
    this.client.on('connect', subscribe);
    this.client.on('close', () => this.setConnected(false));
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    const checkEveryMs = Math.min(Math.max(this.deps.retireAfterMs / 4, 250), 30_000);
    this.retireTimer = setInterval(() => void this.adoptStoredComponents().then(() => this.retireSilentComponents()), checkEveryMs).unref();
  }

  /**
   * Asks the broker for every retained openWB topic again, e.g. after the live store restarted empty:
   * re-subscribing makes the broker resend retained messages, so the store is whole before openWB's next cycle.
   */
  resync(): void {
    if (!this.client.connected) return;
    this.announcedGeneration = undefined;
    const filters = [...this.decoder.subscriptions];
    this.client.unsubscribe(filters, () => {
      this.client.subscribe(filters, { qos: this.deps.qos }, (error) => {
        if (error) this.deps.logger.error({ err: error.message }, 're-subscribing to openWB topics failed');
      });
    });
  }

  /**
   * The seam for consumers of live changes (command confirmation, RFID profiles, the stream): called with
   * every batch once it can be read from the live store (with the Redis replica: once merged into this
   * instance's replica, while the write to Redis is still on its way). Returns the unsubscribe function.
   */
  onApplied(listener: (updates: readonly FieldUpdate[]) => void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  /** Called when the connection to the openWB broker is lost or back (each change once). Returns the unsubscribe function. */
  onConnectionChange(listener: (connected: boolean, at: number) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  snapshot(): Readonly<IngestState> {
    return { ...this.state, generation: this.decoder.generation };
  }

  /** Resolves when every message received so far has been written to the live store. */
  drained(): Promise<void> {
    if (this.pending.size === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearInterval(this.retireTimer);
    this.client.removeAllListeners('message');
    await this.client.endAsync();
  }

  private notify(batch: readonly FieldUpdate[]): void {
    for (const listener of this.appliedListeners) {
      try {
        listener(batch);
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message }, 'a live-update listener failed');
      }
    }
  }

  private setConnected(connected: boolean): void {
    const changed = this.state.connected !== connected;
    this.state.connected = connected;
    this.deps.metrics.mqttConnected.set(connected ? 1 : 0);
    if (!changed) return;
    const at = (this.deps.now ?? Date.now)();
    for (const listener of this.connectionListeners) {
      try {
        listener(connected, at);
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message }, 'a broker connection listener failed');
      }
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const receivedAt = (this.deps.now ?? Date.now)();
    this.state.messagesReceived++;
    this.state.lastMessageAt = receivedAt;
    this.deps.metrics.mqttMessages.inc();
    this.retirement.heard(receivedAt);
    let outcome: DecodeOutcome;
    try {
      outcome = this.decoder.decode(topic, payload);
    } catch (error) {
      this.refuse(topic, 'invalid-payload', (error as Error).message);
      return;
    }
    if (outcome.kind === 'invalid') {
      this.refuse(topic, outcome.refusal, outcome.reason);
      return;
    }
    if (outcome.kind !== 'updates') return;
    if (outcome.generation !== this.announcedGeneration) {
      this.announcedGeneration = outcome.generation;
      this.queue({ kind: 'system', id: SYSTEM_ID, field: SYSTEM.generation, value: outcome.generation, receivedAt });
    }
    const updates = outcome.changes.map((change) => ({ ...change, receivedAt }));
    if (outcome.everyCycle) {
      this.retirement.seen(updates);
      for (const update of updates) this.everyCycleKinds.add(update.kind);
    }
    for (const update of updates) this.queue(update);
    this.scheduleFlush();
  }

  /** Nothing of a refused message is stored: the last good value of its fields stays. */
  private refuse(topic: string, refusal: RefusalReason, reason: string): void {
    this.state.decodeErrors++;
    this.deps.metrics.mqttDecodeErrors.inc();
    this.deps.metrics.mqttRefused.inc({ reason: refusal });
    this.refusalLog.refused(topic, refusal, reason);
  }

  /** Components stored before this instance started (a ghost from before a restart) must not stay forever either. */
  private async adoptStoredComponents(): Promise<void> {
    for (const kind of this.everyCycleKinds) {
      if (this.adoptedKinds.has(kind)) continue;
      try {
        const stored = await this.store.list(kind);
        const at = (this.deps.now ?? Date.now)();
        for (const { id, fields } of stored) this.retirement.adopt(kind, id, Object.keys(fields), at);
        this.adoptedKinds.add(kind);
      } catch (error) {
        this.deps.logger.warn({ err: (error as Error).message, kind }, 'cannot list stored components for retirement yet');
        return;
      }
    }
  }

  /** Components openWB stopped publishing leave the live store (and with it every list) field by field. */
  private retireSilentComponents(): void {
    const retired = this.retirement.due();
    if (retired.length === 0) return;
    const receivedAt = (this.deps.now ?? Date.now)();
    for (const { kind, id, fields } of retired) {
      for (const field of fields) this.queue({ kind, id, field, value: undefined, receivedAt });
    }
    this.deps.metrics.componentsRetired.inc(retired.length);
    this.deps.logger.info(
      { retired: retired.length, components: retired.slice(0, 10).map(({ kind, id }) => `${kind}/${id}`) },
      'retired openWB components that openWB no longer publishes',
    );
    this.scheduleFlush();
  }

  private queue(update: FieldUpdate): void {
    const key = `${update.kind}\u0000${update.id}\u0000${update.field}`;
    // Re-inserting keeps the order of first arrival irrelevant: each key holds only its newest value.
    this.pending.delete(key);
    this.pending.set(key, update);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.retryTimer) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      try {
        // A store that makes the batch readable at once (the replica, memory) lets the listeners hear of it
        // before the round trip to Redis: the stream's latency then holds no Redis write.
        const early = this.store.readableOnApply === true;
        const written = this.store.apply(batch);
        if (early) this.notify(batch);
        await written;
        this.retryDelay = RETRY_MIN_MS;
        if (!early) this.notify(batch);
      } catch (error) {
        // Put the batch back under anything newer that arrived meanwhile, then retry later.
        for (const update of batch) {
          const key = `${update.kind}\u0000${update.id}\u0000${update.field}`;
          if (!this.pending.has(key)) this.pending.set(key, update);
        }
        this.deps.logger.warn(
          { err: (error as Error).message, pending: this.pending.size, retryInMs: this.retryDelay },
          'live store write failed',
        );
        this.flushing = false;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.flush();
        }, this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
        return;
      }
    }
    this.flushing = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
