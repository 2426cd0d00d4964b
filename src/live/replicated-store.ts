import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Gauge, Counter } from 'prom-client';
import type { MaybePromise } from '../maybe-async.ts';
import { MemoryLiveStore } from './memory-store.ts';
import { ENTITY_KINDS, type EntityFields, type EntityKind, type EntityRef, type EntitySnapshot, type FieldUpdate } from './model.ts';
import type { RedisLiveStore } from './redis-store.ts';
import type { LiveStore } from './store.ts';

export interface ReplicaMetrics {
  /** 1 while the replica is not in sync with Redis (Redis away or resyncing) and serves what it holds. */
  degraded: Gauge;
  /** Fields written here while Redis was unreachable, not yet written back. */
  writeBackPending: Gauge;
  /** Fields written back to Redis after an outage or after Redis restarted empty. */
  writtenBack: Counter;
}

const fieldKey = (u: FieldUpdate) => `${u.kind}\u0000${u.id}\u0000${u.field}`;

/**
 * Redis stays the shared truth; each instance serves reads from a local replica that follows it: a full
 * snapshot on (re)connect, then every batch from the `liveChanges` channel, merged newest-wins by
 * receivedAt so snapshot and stream may overlap in any order. Reads cost no Redis round trip.
 *
 * Outages degrade instead of failing. Once loaded, the replica keeps serving while Redis is away or
 * resyncing: an instance that ingests keeps it current (its writes land here first, and what Redis refused
 * is written back when it returns); any other instance serves its last values, which turn stale by their
 * own age. When Redis comes back empty, an ingesting instance writes its whole replica back before
 * reloading, and no instance swaps its replica for the empty snapshot. Only a replica never loaded reads
 * from Redis directly (and fails fast while Redis is down).
 */
export class ReplicatedLiveStore implements LiveStore {
  readonly kind = 'redis';
  /** `apply` merges into the replica before it writes to Redis, and keeps what Redis refused: it never rejects. */
  readonly readableOnApply = true;
  private replica = new MemoryLiveStore();
  /** The next replica while a snapshot loads; it replaces `replica` whole, so nothing deleted survives. */
  private building: MemoryLiveStore | undefined;
  private synced = false;
  /** The replica has been whole once (snapshot loaded, or this instance writes what it ingests). */
  private loaded = false;
  /** This instance ingests: its replica is a source of truth worth writing back. */
  private writer = false;
  /** Newest write per field that Redis refused, kept for the write-back. */
  private readonly unwritten = new Map<string, FieldUpdate>();
  private generation = 0;
  private readonly changeListeners = new Set<(updates: readonly FieldUpdate[]) => void>();

  constructor(
    private readonly shared: RedisLiveStore,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly metrics?: ReplicaMetrics,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.onChanges(message);
    });
    // Either connection may come back first after an outage: whichever is ready last starts the sync.
    for (const connection of [redis, subscriber]) {
      connection.on('ready', () => void this.resync());
      connection.on('close', () => this.unsync());
      connection.on('end', () => this.unsync());
    }
    void this.resync();
  }

  /** True while the replica is in sync with Redis. */
  get isSynced(): boolean {
    return this.synced && this.redis.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Resolves once the replica is in sync (or after `timeoutMs`). */
  async whenSynced(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isSynced && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.isSynced;
  }

  async apply(updates: readonly FieldUpdate[]): Promise<void> {
    this.writer = true;
    this.loaded = true;
    // The writer sees its own batch at once; the echo from the channel merges as a no-op.
    this.mergeLocal(updates);
    try {
      await this.shared.apply(updates);
    } catch (error) {
      for (const update of updates) this.unwritten.set(fieldKey(update), update);
      this.metrics?.writeBackPending.set(this.unwritten.size);
      this.logger.debug({ err: (error as Error).message, unwritten: this.unwritten.size }, 'live store write kept in the replica');
    }
  }

  /**
   * Changes that reached the replica from elsewhere: batches other instances wrote (the `liveChanges`
   * channel), and the whole replica after a resync. What this instance writes itself is not repeated here
   * (its ingest announces it). Lets an instance that does not ingest follow the changes. Returns the
   * unsubscribe function.
   */
  onChanged(listener: (updates: readonly FieldUpdate[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  get(refs: readonly EntityRef[]): MaybePromise<EntityFields[]> {
    return this.loaded ? this.replica.get(refs) : this.shared.get(refs);
  }

  list(kind: EntityKind): Promise<EntitySnapshot[]> {
    return this.loaded ? this.replica.list(kind) : this.shared.list(kind);
  }

  ping(): Promise<void> {
    return this.shared.ping();
  }

  async close(): Promise<void> {
    this.unsync();
    this.subscriber.disconnect();
    await this.shared.close();
  }

  private onChanges(message: string): void {
    let newer: FieldUpdate[];
    try {
      newer = this.mergeLocal(JSON.parse(message) as FieldUpdate[]);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'ignored a malformed live-changes message');
      return;
    }
    if (newer.length > 0) this.announce(newer);
  }

  private announce(updates: readonly FieldUpdate[]): void {
    for (const listener of this.changeListeners) {
      try {
        listener(updates);
      } catch (error) {
        this.logger.error({ err: (error as Error).message }, 'a live-change listener failed');
      }
    }
  }

  private mergeLocal(updates: readonly FieldUpdate[]): FieldUpdate[] {
    this.building?.merge(updates);
    return this.replica.merge(updates);
  }

  private unsync(): void {
    if (this.synced) this.logger.warn({ serving: this.loaded ? 'replica' : 'nothing' }, 'live store replica out of sync with Redis');
    this.synced = false;
    this.generation++;
    this.metrics?.degraded.set(1);
  }

  /**
   * Subscribe, write back what Redis lacks, then load the snapshot: whatever changes in between arrives on
   * the channel. Reads stay on the current replica throughout.
   */
  private async resync(): Promise<void> {
    if (this.redis.status !== 'ready' || this.subscriber.status !== 'ready') return;
    this.unsync();
    const generation = this.generation;
    const next = new MemoryLiveStore();
    this.building = next;
    try {
      await this.subscriber.subscribe(this.channel);
      const emptied = !(await this.shared.hasEntities()) && !this.replica.isEmpty;
      await this.writeBack(emptied);
      const snapshots = (await Promise.all(ENTITY_KINDS.map((kind) => this.shared.list(kind)))).flat();
      if (generation !== this.generation) return;
      for (const { kind, id, fields } of snapshots) {
        next.merge(Object.entries(fields).map(([field, stamped]) => ({ kind, id, field, ...stamped })));
      }
      // Redis lost what we hold and nobody has written it back yet: keep ours, add what is there.
      if (emptied && !this.writer) this.replica.merge(next.updates());
      else this.replica = next;
      this.building = undefined;
      this.synced = true;
      this.loaded = true;
      this.metrics?.degraded.set(0);
      this.logger.info({ entities: snapshots.length }, 'live store replica in sync');
      // Whatever changed while out of sync: the listeners look at everything again.
      this.announce(this.replica.updates());
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'live store replica could not sync; serving what it holds');
      if (generation === this.generation) setTimeout(() => void this.resync(), 500).unref();
    }
  }

  /** An ingesting instance writes its whole replica when Redis came back empty, otherwise what Redis refused. */
  private async writeBack(emptied: boolean): Promise<void> {
    const updates = emptied && this.writer ? this.replica.updates() : [...this.unwritten.values()];
    if (updates.length === 0) return;
    await this.shared.writeBack(updates);
    // Keep only what was refused again after this copy was taken (newer than what was just written).
    for (const update of updates) {
      const key = fieldKey(update);
      const unwritten = this.unwritten.get(key);
      if (unwritten && unwritten.receivedAt <= update.receivedAt) this.unwritten.delete(key);
    }
    this.metrics?.writeBackPending.set(this.unwritten.size);
    this.metrics?.writtenBack.inc(updates.length);
    this.logger.info({ fields: updates.length, emptied }, 'live values written back to Redis');
  }
}
