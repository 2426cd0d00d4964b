import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MaybePromise } from '../maybe-async.ts';
import { MemoryLiveStore } from './memory-store.ts';
import { ENTITY_KINDS, type EntityFields, type EntityKind, type EntityRef, type EntitySnapshot, type FieldUpdate } from './model.ts';
import type { RedisLiveStore } from './redis-store.ts';
import type { LiveStore } from './store.ts';

/**
 * Redis stays the shared truth; each instance serves reads from a local replica that follows it: a full
 * snapshot on (re)connect, then every batch from the `liveChanges` channel, merged newest-wins by
 * receivedAt so snapshot and stream may overlap in any order. Reads cost no Redis round trip.
 *
 * The replica is used only while it is known to be whole (subscribed, snapshot loaded, both Redis
 * connections ready). Otherwise reads go to Redis itself, which fails fast while Redis is down, so the API
 * answers 503 exactly as without a replica.
 */
export class ReplicatedLiveStore implements LiveStore {
  readonly kind = 'redis';
  private replica = new MemoryLiveStore();
  /** The next replica while a snapshot loads; it replaces `replica` whole, so nothing deleted survives. */
  private building: MemoryLiveStore | undefined;
  private synced = false;
  private generation = 0;

  constructor(
    private readonly shared: RedisLiveStore,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
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

  /** True while reads are served locally. */
  get isSynced(): boolean {
    return this.synced && this.redis.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Resolves once the replica serves reads (or after `timeoutMs`, leaving reads on Redis). */
  async whenSynced(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isSynced && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.isSynced;
  }

  async apply(updates: readonly FieldUpdate[]): Promise<void> {
    await this.shared.apply(updates);
    // The writer sees its own batch at once; the echo from the channel merges as a no-op.
    this.mergeLocal(updates);
  }

  get(refs: readonly EntityRef[]): MaybePromise<EntityFields[]> {
    return this.isSynced ? this.replica.get(refs) : this.shared.get(refs);
  }

  list(kind: EntityKind): Promise<EntitySnapshot[]> {
    return this.isSynced ? this.replica.list(kind) : this.shared.list(kind);
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
    try {
      this.mergeLocal(JSON.parse(message) as FieldUpdate[]);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'ignored a malformed live-changes message');
    }
  }

  private mergeLocal(updates: readonly FieldUpdate[]): void {
    this.replica.merge(updates);
    this.building?.merge(updates);
  }

  private unsync(): void {
    this.synced = false;
    this.generation++;
  }

  /** Subscribe first, then load the snapshot: whatever changes in between arrives on the channel. */
  private async resync(): Promise<void> {
    if (this.redis.status !== 'ready' || this.subscriber.status !== 'ready') return;
    this.unsync();
    const generation = this.generation;
    const next = new MemoryLiveStore();
    this.building = next;
    try {
      await this.subscriber.subscribe(this.channel);
      const snapshots = (await Promise.all(ENTITY_KINDS.map((kind) => this.shared.list(kind)))).flat();
      if (generation !== this.generation) return;
      for (const { kind, id, fields } of snapshots) {
        next.merge(Object.entries(fields).map(([field, stamped]) => ({ kind, id, field, ...stamped })));
      }
      this.replica = next;
      this.building = undefined;
      this.synced = true;
      this.logger.debug({ entities: snapshots.length }, 'live store replica in sync');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'live store replica could not sync; reading from Redis');
      if (generation === this.generation) setTimeout(() => void this.resync(), 500).unref();
    }
  }
}
