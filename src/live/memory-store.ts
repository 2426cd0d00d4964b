import type { EntityFields, EntityKind, EntityRef, EntitySnapshot, FieldUpdate, Json } from './model.ts';
import { compareIds, type LiveStore } from './store.ts';

const keyOf = (kind: EntityKind, id: string) => `${kind}\u0000${id}`;

/** A field value, or a deletion remembered with its time so an older copy cannot bring the value back. */
interface Slot {
  value: Json | undefined;
  receivedAt: number;
}

function visible(slots: Map<string, Slot> | undefined): EntityFields {
  const fields: EntityFields = {};
  if (!slots) return fields;
  for (const [name, slot] of slots) if (slot.value !== undefined) fields[name] = { value: slot.value, receivedAt: slot.receivedAt };
  return fields;
}

/**
 * The live store of a single instance without Redis (demo mode, development), and the local copy inside
 * a replica. `apply` takes updates in arrival order; `merge` keeps per field whichever update is newest by
 * `receivedAt`, so copies that arrive out of order (a snapshot and a pub/sub stream) converge.
 */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'memory';
  private readonly entities = new Map<string, Map<string, Slot>>();

  async apply(updates: readonly FieldUpdate[]): Promise<void> {
    for (const update of updates) this.set(update);
  }

  merge(updates: readonly FieldUpdate[]): void {
    for (const update of updates) {
      const current = this.entities.get(keyOf(update.kind, update.id))?.get(update.field);
      if (!current || current.receivedAt <= update.receivedAt) this.set(update);
    }
  }

  clear(): void {
    this.entities.clear();
  }

  async get(refs: readonly EntityRef[]): Promise<EntityFields[]> {
    return refs.map((ref) => visible(this.entities.get(keyOf(ref.kind, ref.id))));
  }

  async list(kind: EntityKind): Promise<EntitySnapshot[]> {
    const prefix = `${kind}\u0000`;
    const snapshots: EntitySnapshot[] = [];
    for (const [key, slots] of this.entities) {
      if (!key.startsWith(prefix)) continue;
      const fields = visible(slots);
      if (Object.keys(fields).length > 0) snapshots.push({ kind, id: key.slice(prefix.length), fields });
    }
    return snapshots.sort((a, b) => compareIds(a.id, b.id));
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private set(update: FieldUpdate): void {
    const key = keyOf(update.kind, update.id);
    let slots = this.entities.get(key);
    if (!slots) this.entities.set(key, (slots = new Map()));
    slots.set(update.field, { value: update.value, receivedAt: update.receivedAt });
  }
}
