import type { ApiKeyRepository } from './api-key-repository.ts';
import {
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  type ApiKeyIdentity,
  type ApiKeyRecord,
  type DeviceBinding,
  type Scope,
} from './api-key.ts';
import type { AuthInvalidation } from './invalidation.ts';
import { chain, type MaybePromise } from '../maybe-async.ts';
import { CredentialCache } from './credential-cache.ts';

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  /** Built once per lookup: the same object on every request (callers may cache by it). */
  identity: ApiKeyIdentity | undefined;
}

const identityOf = (record: ApiKeyRecord): ApiKeyIdentity => ({
  keyId: record.id,
  name: record.name,
  scopes: record.scopes,
  ...(record.userId ? { userId: record.userId } : {}),
  ...(record.chargepoints ? { chargepoints: record.chargepoints } : {}),
  ...(record.device ? { device: record.device } : {}),
});

export interface ApiKeyServiceOptions {
  /** How long a looked-up key is trusted without asking the database again (a backstop: revocations are pushed). */
  cacheTtlMs?: number;
  /** How long a known key is still accepted while the database cannot be reached (revocations pushed meanwhile still apply). */
  cacheMaxStaleMs?: number;
  onStaleServed?: () => void;
  maxCacheEntries?: number;
  /** Tells every instance about revocations; without it only this process learns of them at once. */
  invalidation?: AuthInvalidation;
  now?: () => number;
}

export interface NewApiKey {
  name: string;
  scopes: Scope[];
  expiresAt?: number | null;
  /** Omitted for system keys. */
  userId?: string | null;
  chargepoints?: string[] | null;
  /** Binds the key to one device (it then reaches that device's operations only). */
  device?: DeviceBinding | null;
}

/**
 * Creates, lists and revokes keys, and authenticates requests. Lookups are cached so that the steady
 * state costs no database round trip per request; a revocation clears the cache here at once and, through
 * the invalidation channel, on every other instance.
 */
export class ApiKeyService {
  private readonly cache: CredentialCache<CacheEntry>;
  private readonly lastTouched = new Map<string, number>();
  private readonly invalidation: AuthInvalidation | undefined;
  private readonly now: () => number;

  constructor(
    private readonly repository: ApiKeyRepository,
    options: ApiKeyServiceOptions = {},
  ) {
    this.invalidation = options.invalidation;
    this.now = options.now ?? Date.now;
    this.cache = new CredentialCache(
      async (hash) => {
        const record = await repository.findByHash(hash);
        return { record, identity: record && identityOf(record) };
      },
      {
        ttlMs: options.cacheTtlMs ?? 10_000,
        maxStaleMs: options.cacheMaxStaleMs ?? 0,
        maxEntries: options.maxCacheEntries,
        now: this.now,
        onStaleServed: options.onStaleServed,
      },
    );
    this.invalidation?.subscribe((change) => {
      if (change.type === 'apiKeys') this.forget(change.revoked);
      if (change.type === 'all') this.cache.markDue();
    });
  }

  async create(input: NewApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
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
      userId: input.userId ?? null,
      chargepoints: input.chargepoints ?? null,
      device: input.device ?? null,
    };
    await this.repository.insert({ ...record, hash: generated.hash });
    return { key: generated.key, record };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repository.list();
  }

  listByOwner(userId: string | null): Promise<ApiKeyRecord[]> {
    return this.repository.listByOwner(userId);
  }

  findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.repository.findById(id);
  }

  async revoke(idOrPrefix: string): Promise<number> {
    return this.revoked(await this.repository.revoke(idOrPrefix, this.now()));
  }

  async revokeByName(name: string): Promise<number> {
    return this.revoked(await this.repository.revokeByName(name, this.now()));
  }

  async revokeByOwner(userId: string): Promise<number> {
    return this.revoked(await this.repository.revokeByOwner(userId, this.now()));
  }

  listByDevice(device: DeviceBinding): Promise<ApiKeyRecord[]> {
    return this.repository.listByDevice(device);
  }

  /** Revokes every key bound to the device, at once on every instance (the device was deleted). */
  async revokeByDevice(device: DeviceBinding): Promise<number> {
    return this.revoked(await this.repository.revokeByDevice(device, this.now()));
  }

  /** What a presented key proves, or undefined when it is malformed, unknown, expired or revoked. Synchronous when cached. */
  authenticate(key: string): MaybePromise<ApiKeyIdentity | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    return this.authenticateHash(hashApiKey(key));
  }

  /** As authenticate, by the key's SHA-256 (what the database stores), for a check repeated without the key itself. */
  authenticateHash(hash: string): MaybePromise<ApiKeyIdentity | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    return chain(this.cache.get(hash), (entry) => this.check(entry));
  }

  private check(entry: CacheEntry): ApiKeyIdentity | undefined {
    const now = this.now();
    const record = entry.record;
    if (!record || record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) return undefined;
    this.touch(record.id, now);
    return entry.identity;
  }

  private async revoked(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    if (this.invalidation) await this.invalidation.publish({ type: 'apiKeys', revoked: ids });
    else this.forget(ids);
    return ids.length;
  }

  /** Revoked keys are refused from the cache at once, even while the database cannot be reached. */
  private forget(revoked: string[] | undefined): void {
    if (!revoked) {
      this.cache.clear();
      return;
    }
    const at = this.now();
    this.cache.update(({ record }) =>
      record && record.revokedAt === null && revoked.includes(record.id)
        ? { record: { ...record, revokedAt: at }, identity: undefined }
        : undefined,
    );
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(id: string, now: number): void {
    if (now - (this.lastTouched.get(id) ?? 0) < 60_000) return;
    this.lastTouched.set(id, now);
    this.repository.touch(id, now).catch(() => this.lastTouched.delete(id));
  }
}
