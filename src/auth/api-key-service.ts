import type { ApiKeyRepository } from './api-key-repository.ts';
import { generateApiKey, hashApiKey, isWellFormedApiKey, type ApiKeyRecord, type Principal, type Scope } from './api-key.ts';

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  cachedAt: number;
}

export interface ApiKeyServiceOptions {
  /** How long a looked-up key is trusted without asking the database again (revocation delay). */
  cacheTtlMs?: number;
  maxCacheEntries?: number;
  now?: () => number;
}

/**
 * Creates, lists and revokes keys, and authenticates requests. Lookups are cached so that the steady
 * state costs no database round trip per request; a revocation through this service takes effect at
 * once in this process and within `cacheTtlMs` in others.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastTouched = new Map<string, number>();
  private readonly cacheTtlMs: number;
  private readonly maxCacheEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly repository: ApiKeyRepository,
    options: ApiKeyServiceOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 10_000;
    this.maxCacheEntries = options.maxCacheEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async create(input: { name: string; scopes: Scope[]; expiresAt?: number | null }): Promise<{ key: string; record: ApiKeyRecord }> {
    const generated = generateApiKey();
    const record: ApiKeyRecord = {
      id: generated.id,
      name: input.name,
      prefix: generated.prefix,
      scopes: input.scopes,
      createdAt: this.now(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.repository.insert({ ...record, hash: generated.hash });
    return { key: generated.key, record };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repository.list();
  }

  async revoke(idOrPrefix: string): Promise<number> {
    const revoked = await this.repository.revoke(idOrPrefix, this.now());
    this.cache.clear();
    return revoked;
  }

  async revokeByName(name: string): Promise<number> {
    const revoked = await this.repository.revokeByName(name, this.now());
    this.cache.clear();
    return revoked;
  }

  /** The principal for a presented key, or undefined when it is malformed, unknown, expired or revoked. */
  async authenticate(key: string): Promise<Principal | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const hash = hashApiKey(key);
    const now = this.now();
    let entry = this.cache.get(hash);
    if (!entry || now - entry.cachedAt > this.cacheTtlMs) {
      entry = { record: await this.repository.findByHash(hash), cachedAt: now };
      this.remember(hash, entry);
    }
    const record = entry.record;
    if (!record || record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) return undefined;
    this.touch(record.id, now);
    return { keyId: record.id, name: record.name, scopes: record.scopes };
  }

  private remember(hash: string, entry: CacheEntry): void {
    this.cache.delete(hash);
    if (this.cache.size >= this.maxCacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(hash, entry);
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(id: string, now: number): void {
    if (now - (this.lastTouched.get(id) ?? 0) < 60_000) return;
    this.lastTouched.set(id, now);
    this.repository.touch(id, now).catch(() => this.lastTouched.delete(id));
  }
}
