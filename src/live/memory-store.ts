import type { EntityFields, EntityKind, EntityRef, EntitySnapshot, FieldUpdate, Json, Stamped } from './model.ts';
import { compareIds, type LiveStore } from './store.ts';

const keyOf = (kind: EntityKind, id: string) => `${kind}\u0000${id}`;

/** A field value, or a deletion remembered with its time so an older copy cannot bring the value back. Never mutated: a change replaces it. */
interface Slot {
  value: Json | undefined;
  receivedAt: number;
}

const NO_FIELDS: EntityFields = Object.freeze({});

/**
 * One entity's slots, and the fields readers see, built on the first read after a change and shared (frozen)
 * by every read until the next one: a read allocates nothing, and an unchanged entity is the same object
 * each time, which lets read models be memoised by identity (see LiveService).
 */
class Entity {
  readonly slots = new Map<string, Slot>();
  private view: EntityFields | undefined;

  constructor(readonly ref: EntityRef) {}

  set(field: string, slot: Slot): void {
    this.slots.set(field, slot);
    this.view = undefined;
  }

  visible(): EntityFields {
    if (this.view) return this.view;
    const fields: EntityFields = {};
    for (const [name, slot] of this.slots) if (slot.value !== undefined) fields[name] = slot as Stamped;
    return (this.view = Object.freeze(fields));
  }
}

/**
 * The live store of a single instance without Redis (demo mode, development), and the local copy inside
 * a replica. `apply` takes updates in arrival order; `merge` keeps per field whichever update is newest by
 * `receivedAt`, so copies that arrive out of order (a snapshot and a pub/sub stream) converge.
 */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'memory';
  readonly readableOnApply = true;
  private readonly entities = new Map<string, Entity>();

  async apply(updates: readonly FieldUpdate[]): Promise<void> {
    for (const update of updates) this.set(update);
  }

  /** Returns the updates newer than what was held (an update already held, e.g. the echo of one's own write, is not). */
  merge(updates: readonly FieldUpdate[]): FieldUpdate[] {
    const newer: FieldUpdate[] = [];
    for (const update of updates) {
      const current = this.entities.get(keyOf(update.kind, update.id))?.slots.get(update.field);
      if (current && current.receivedAt > update.receivedAt) continue;
      this.set(update);
      if (!current || current.receivedAt < update.receivedAt) newer.push(update);
    }
    return newer;
  }

  clear(): void {
    this.entities.clear();
  }

  /** Every field held, deletions included (each with its time), e.g. to write the copy back to an emptied Redis. */
  updates(): FieldUpdate[] {
    const all: FieldUpdate[] = [];
    for (const { ref, slots } of this.entities.values()) {
      for (const [field, slot] of slots) all.push({ ...ref, field, value: slot.value, receivedAt: slot.receivedAt });
    }
    return all;
  }

  get isEmpty(): boolean {
    return this.entities.size === 0;
  }

  get(refs: readonly EntityRef[]): EntityFields[] {
    return refs.map((ref) => this.entities.get(keyOf(ref.kind, ref.id))?.visible() ?? NO_FIELDS);
  }

  async list(kind: EntityKind): Promise<EntitySnapshot[]> {
    const prefix = `${kind}\u0000`;
    const snapshots: EntitySnapshot[] = [];
    for (const [key, entity] of this.entities) {
      if (!key.startsWith(prefix)) continue;
      const fields = entity.visible();
      if (Object.keys(fields).length > 0) snapshots.push({ kind, id: key.slice(prefix.length), fields });
    }
    return snapshots.sort((a, b) => compareIds(a.id, b.id));
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private set(update: FieldUpdate): void {
    const key = keyOf(update.kind, update.id);
    let entity = this.entities.get(key);
    if (!entity) this.entities.set(key, (entity = new Entity({ kind: update.kind, id: update.id })));
    entity.set(update.field, { value: update.value, receivedAt: update.receivedAt });
  }
}
