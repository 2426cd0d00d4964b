import type { MaybePromise } from '../maybe-async.ts';

export interface CredentialCacheOptions {
  /** How long a loaded value is trusted without asking the database again (a backstop: changes are pushed). */
  ttlMs: number;
  /** How long past its last successful load a value is still served while the database cannot be reached (0: never). */
  maxStaleMs: number;
  maxEntries?: number;
  /** After a failed load, how long expired values are served at once instead of waiting for the database again. */
  retryAfterFailureMs?: number;
  now?: () => number;
  /** Called each time a value is served past its TTL because the database could not be reached. */
  onStaleServed?: () => void;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
  /** Set when something may have changed: revalidate before the next use, but keep as the last known good. */
  due: boolean;
}

/**
 * Credentials by key, loaded from the database: fresh entries answer synchronously; concurrent loads of one
 * key share one query; while the database is unreachable the last known good value is served for a bounded
 * age (so live reads keep working through an outage), and further requests do not wait for the database
 * again until a retry interval has passed (a background load keeps trying).
 */
export class CredentialCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by every invalidation: a load that started before it is answered but not remembered. */
  private epoch = 0;
  private unreachableUntil = 0;
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly options: CredentialCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get(key: string): MaybePromise<V> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && !entry.due && now - entry.loadedAt <= this.options.ttlMs) return entry.value;
    const fallback = entry && now - entry.loadedAt <= this.options.maxStaleMs ? entry : undefined;
    if (fallback && now < this.unreachableUntil) {
      void this.fetch(key).catch(() => undefined);
      return this.stale(fallback);
    }
    return this.fetch(key).catch((error: unknown) => {
      const current = this.entries.get(key);
      if (current && current === fallback) return this.stale(current);
      throw error;
    });
  }

  /** Forgets one key: its next use waits for the database (and fails while it is unreachable). */
  delete(key: string): void {
    this.epoch++;
    this.entries.delete(key);
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }

  /** Every entry is revalidated before its next use, but still served as the last known good while the database is away. */
  markDue(): void {
    this.epoch++;
    for (const entry of this.entries.values()) entry.due = true;
  }

  /** Replaces the value of every entry `change` returns a new value for (e.g. a revocation pushed by another instance). */
  update(change: (value: V) => V | undefined): void {
    this.epoch++;
    for (const entry of this.entries.values()) {
      const changed = change(entry.value);
      if (changed !== undefined) entry.value = changed;
    }
  }

  private stale(entry: Entry<V>): V {
    this.options.onStaleServed?.();
    return entry.value;
  }

  private fetch(key: string): Promise<V> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const epoch = this.epoch;
    const loaded = this.load(key)
      .then(
        (value) => {
          this.unreachableUntil = 0;
          if (epoch === this.epoch) this.remember(key, value);
          return value;
        },
        (error: unknown) => {
          this.unreachableUntil = this.now() + (this.options.retryAfterFailureMs ?? 5_000);
          throw error;
        },
      )
      .finally(() => this.loading.delete(key));
    this.loading.set(key, loaded);
    return loaded;
  }

  private remember(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= (this.options.maxEntries ?? 10_000)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, loadedAt: this.now(), due: false });
  }
}
