import type { EntityFields, EntityKind, EntityRef, EntitySnapshot, FieldUpdate } from './model.ts';
import { compareIds, type LiveStore } from './store.ts';

const keyOf = (kind: EntityKind, id: string) => `${kind}\u0000${id}`;

/** The live store of a single instance without Redis (demo mode, development). */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'memory';
  private readonly entities = new Map<string, EntityFields>();

  async apply(updates: readonly FieldUpdate[]): Promise<void> {
    for (const update of updates) {
      const key = keyOf(update.kind, update.id);
      let fields = this.entities.get(key);
      if (update.value === undefined) {
        if (fields) delete fields[update.field];
        continue;
      }
      if (!fields) this.entities.set(key, (fields = {}));
      fields[update.field] = { value: update.value, receivedAt: update.receivedAt };
    }
  }

  async get(refs: readonly EntityRef[]): Promise<EntityFields[]> {
    return refs.map((ref) => ({ ...this.entities.get(keyOf(ref.kind, ref.id)) }));
  }

  async list(kind: EntityKind): Promise<EntitySnapshot[]> {
    const prefix = `${kind}\u0000`;
    const snapshots: EntitySnapshot[] = [];
    for (const [key, fields] of this.entities) {
      if (key.startsWith(prefix) && Object.keys(fields).length > 0) {
        snapshots.push({ kind, id: key.slice(prefix.length), fields: { ...fields } });
      }
    }
    return snapshots.sort((a, b) => compareIds(a.id, b.id));
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
