import type { MaybePromise } from '../maybe-async.ts';
import type { EntityFields, EntityKind, EntityRef, EntitySnapshot, FieldUpdate } from './model.ts';

/** The live store port: the latest value of every field, per entity. Adapters: Redis and memory. */
export interface LiveStore {
  readonly kind: 'redis' | 'memory';
  /**
   * True when `apply` has made the batch readable from this store by the time it returns its promise, and
   * that promise never rejects (memory; the Redis replica, which keeps a write Redis refused for the
   * write-back). The ingest then tells its listeners (the stream among them) at once instead of after the
   * round trip to Redis.
   */
  readonly readableOnApply?: boolean;
  apply(updates: readonly FieldUpdate[]): Promise<void>;
  /**
   * Fields of each requested entity (an empty object for an unknown one), in one round trip; answered at
   * once when the values are in memory. The objects are shared: never modify them.
   */
  get(refs: readonly EntityRef[]): MaybePromise<EntityFields[]>;
  /** Every entity of a kind that has at least one field, ordered by id (numeric ids numerically). */
  list(kind: EntityKind): Promise<EntitySnapshot[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const compareIds = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
