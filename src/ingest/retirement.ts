import type { EntityKind, FieldUpdate } from '../live/model.ts';

export interface RetiredComponent {
  readonly kind: EntityKind;
  readonly id: string;
  readonly fields: readonly string[];
}

interface Tracked {
  readonly kind: EntityKind;
  readonly id: string;
  readonly fields: Set<string>;
  lastSeenAt: number;
}

/**
 * Finds the components openWB no longer publishes. Silence is measured against openWB's own activity, not
 * the wall clock: a component is due once openWB has kept publishing for `retireAfterMs` since the
 * component's last value, so a broker or openWB outage retires nothing.
 */
export class Retirement {
  readonly #components = new Map<string, Tracked>();
  #lastMessageAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly retireAfterMs: number) {}

  /** Any message from openWB, whichever topic. */
  heard(at: number): void {
    if (at > this.#lastMessageAt) this.#lastMessageAt = at;
  }

  /** Values of components that openWB republishes every cycle; deletions (openWB removed a topic) forget fields. */
  seen(updates: readonly FieldUpdate[]): void {
    for (const update of updates) {
      const key = `${update.kind}\u0000${update.id}`;
      let tracked = this.#components.get(key);
      if (update.value === undefined) {
        tracked?.fields.delete(update.field);
        if (tracked?.fields.size === 0) this.#components.delete(key);
        continue;
      }
      if (!tracked)
        this.#components.set(key, (tracked = { kind: update.kind, id: update.id, fields: new Set(), lastSeenAt: update.receivedAt }));
      tracked.fields.add(update.field);
      if (update.receivedAt > tracked.lastSeenAt) tracked.lastSeenAt = update.receivedAt;
    }
  }

  /** A component found in the live store rather than heard: it gets a full retire time, from `at`, to show up. */
  adopt(kind: EntityKind, id: string, fields: readonly string[], at: number): void {
    const key = `${kind}\u0000${id}`;
    if (fields.length === 0 || this.#components.has(key)) return;
    this.#components.set(key, { kind, id, fields: new Set(fields), lastSeenAt: at });
  }

  /** The components silent for `retireAfterMs` of openWB activity, each with every field it had; forgotten here. */
  due(): RetiredComponent[] {
    const retired: RetiredComponent[] = [];
    for (const [key, tracked] of this.#components) {
      if (this.#lastMessageAt - tracked.lastSeenAt < this.retireAfterMs) continue;
      this.#components.delete(key);
      retired.push({ kind: tracked.kind, id: tracked.id, fields: [...tracked.fields] });
    }
    return retired;
  }
}
