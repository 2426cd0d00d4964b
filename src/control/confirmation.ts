/**
 * Watches the live updates for the state that confirms a command: what this instance ingests and what its
 * replica receives from the instances that ingest (src/control-and-profiles.ts joins both). A waiter is registered
 * before the publish, so no update can slip between publish and watch; each batch touching its entity
 * re-reads that entity from the live store and tests the expectations.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LiveModel } from '../live/live-model.ts';
import type { FieldUpdate, Json } from '../live/model.ts';
import type { Expectation } from './model.ts';
import { valueAt } from './template-edit.ts';

export type UpdateSource = (listener: (updates: readonly FieldUpdate[]) => void) => () => void;

/** True when the field's stored value shows what the expectation wants. */
export function holds(expectation: Expectation, value: Json | undefined): boolean {
  const actual = expectation.path ? valueAt(value, expectation.path) : value;
  return actual !== undefined && isDeepStrictEqual(actual, expectation.equals);
}

interface Waiter {
  expectations: Expectation[];
  /** Per expectation: a fresh value was received (or none was needed). */
  fresh: boolean[];
  since: number;
  done: (applied: boolean) => void;
  checking: boolean;
  recheck: boolean;
}

const keyOf = (kind: string, id: string) => `${kind}\u0000${id}`;

export interface Watch {
  /** Resolves true once every expectation holds, false when cancelled or timed out. */
  readonly result: Promise<boolean>;
  /** Tests the current state once (for values that may already hold: openWB 1.9 publishes only changes). */
  check(): void;
  /** Stops at once with `false` unless already decided. */
  cancel(): void;
}

export class ConfirmationWatcher {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly live: LiveModel,
    source: UpdateSource,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.unsubscribe = source((updates) => this.onUpdates(updates));
  }

  /** Watches until every expectation holds or `timeoutMs` passes. `since`: ms; fresh expectations need a value received at or after it. */
  watch(expectations: Expectation[], since: number, timeoutMs: number): Watch {
    let settle!: (applied: boolean) => void;
    const result = new Promise<boolean>((resolve) => (settle = resolve));
    const keys = [...new Set(expectations.map((e) => keyOf(e.ref.kind, e.ref.id)))];
    const timers: { timeout?: NodeJS.Timeout } = {};
    const waiter: Waiter = {
      expectations,
      fresh: expectations.map((e) => !e.fresh),
      since,
      checking: false,
      recheck: false,
      done: (applied) => {
        clearTimeout(timers.timeout);
        for (const key of keys) {
          const set = this.waiters.get(key);
          set?.delete(waiter);
          if (set?.size === 0) this.waiters.delete(key);
        }
        settle(applied);
      },
    };
    for (const key of keys) {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      set.add(waiter);
    }
    timers.timeout = setTimeout(() => waiter.done(false), timeoutMs);
    timers.timeout.unref();
    return { result, check: () => void this.evaluate(waiter), cancel: () => waiter.done(false) };
  }

  close(): void {
    this.unsubscribe();
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.done(false);
  }

  private onUpdates(updates: readonly FieldUpdate[]): void {
    const touched = new Set<Waiter>();
    for (const update of updates) {
      const set = this.waiters.get(keyOf(update.kind, update.id));
      if (!set) continue;
      for (const waiter of set) {
        waiter.expectations.forEach((e, index) => {
          if (e.ref.kind === update.kind && e.ref.id === update.id && e.field === update.field && update.receivedAt >= waiter.since)
            waiter.fresh[index] = true;
        });
        touched.add(waiter);
      }
    }
    for (const waiter of touched) void this.evaluate(waiter);
  }

  private async evaluate(waiter: Waiter): Promise<void> {
    // One read at a time per waiter; a batch arriving meanwhile asks for one more pass.
    if (waiter.checking) {
      waiter.recheck = true;
      return;
    }
    waiter.checking = true;
    try {
      do {
        waiter.recheck = false;
        if (!waiter.fresh.every(Boolean)) continue;
        const values = await this.live.values(waiter.expectations.map((e) => ({ ...e.ref, field: e.field })));
        if (waiter.expectations.every((e, index) => holds(e, values[index]))) {
          waiter.done(true);
          return;
        }
      } while (waiter.recheck);
    } catch (error) {
      this.onError(error as Error);
    } finally {
      waiter.checking = false;
    }
  }
}
