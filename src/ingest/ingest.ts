import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { SYSTEM, SYSTEM_ID } from '../live/fields.ts';
import type { FieldUpdate } from '../live/model.ts';
import type { LiveStore } from '../live/store.ts';
import type { Metrics } from '../metrics.ts';
import type { OpenWbDecoder } from '../openwb/decoder.ts';
import type { Generation } from '../openwb/generation.ts';

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

  constructor(
    private readonly client: MqttClient,
    private readonly decoder: OpenWbDecoder,
    private readonly store: LiveStore,
    private readonly deps: { metrics: Metrics; logger: Logger; qos: 0 | 1; now?: () => number },
  ) {}

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
   * every batch once it is in the live store. Returns the unsubscribe function.
   */
  onApplied(listener: (updates: readonly FieldUpdate[]) => void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
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
    this.state.connected = connected;
    this.deps.metrics.mqttConnected.set(connected ? 1 : 0);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const receivedAt = (this.deps.now ?? Date.now)();
    this.state.messagesReceived++;
    this.state.lastMessageAt = receivedAt;
    this.deps.metrics.mqttMessages.inc();
    let outcome;
    try {
      outcome = this.decoder.decode(topic, payload);
    } catch (error) {
      outcome = { kind: 'invalid' as const, topic, reason: (error as Error).message };
    }
    if (outcome.kind === 'invalid') {
      this.state.decodeErrors++;
      this.deps.metrics.mqttDecodeErrors.inc();
      this.deps.logger.warn({ topic, reason: outcome.reason }, 'dropped an invalid openWB payload');
      return;
    }
    if (outcome.kind !== 'updates') return;
    if (outcome.generation !== this.announcedGeneration) {
      this.announcedGeneration = outcome.generation;
      this.queue({ kind: 'system', id: SYSTEM_ID, field: SYSTEM.generation, value: outcome.generation, receivedAt });
    }
    for (const change of outcome.changes) this.queue({ ...change, receivedAt });
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
        await this.store.apply(batch);
        this.retryDelay = RETRY_MIN_MS;
        this.notify(batch);
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
