import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { InvalidInputError, ConflictError, NotFoundError } from '../errors.ts';
import type { AuthInvalidation } from './invalidation.ts';
import type { MaybePromise } from '../maybe-async.ts';
import { CredentialCache } from './credential-cache.ts';
import { passwordProblem, type PasswordHasher } from './password.ts';
import type { Role } from './principal.ts';
import { UserRepository, type UserPatch } from './user-repository.ts';
import { isValidUsername, normalizeChargepoints, normalizeUsername, type UserRecord } from './user.ts';
import type { PageRequest } from '../db/keyset-page.ts';

export interface NewUser {
  name: string;
  role: Role;
  password: string;
  chargepoints?: string[];
}

export interface UserChanges {
  role?: Role;
  password?: string;
  chargepoints?: string[];
  disabled?: boolean;
}

export interface UserServiceDeps {
  db: Database;
  hasher: PasswordHasher;
  invalidation: AuthInvalidation;
  /** Revokes what a user holds when they are disabled, deleted or get a new password. */
  endAllSessions: (userId: string) => Promise<void>;
  revokeKeys: (userId: string) => Promise<unknown>;
  cacheTtlMs: number;
  /** How long a known user is still accepted while the database cannot be reached (changes pushed meanwhile still apply). */
  cacheMaxStaleMs?: number;
  onStaleServed?: () => void;
  now?: () => number;
}

/**
 * Users and their roles. Keeps at least one active admin. Lookups for authentication go through a cache
 * that every change clears on every instance.
 */
export class UserService {
  private readonly repository: UserRepository;
  private readonly cache: CredentialCache<UserRecord | undefined>;
  private readonly now: () => number;

  constructor(private readonly deps: UserServiceDeps) {
    this.repository = new UserRepository(deps.db);
    this.now = deps.now ?? Date.now;
    this.cache = new CredentialCache((id) => this.repository.findById(id), {
      ttlMs: deps.cacheTtlMs,
      maxStaleMs: deps.cacheMaxStaleMs ?? 0,
      now: this.now,
      onStaleServed: deps.onStaleServed,
    });
    deps.invalidation.subscribe((change) => {
      if (change.type === 'user') this.cache.delete(change.id);
      if (change.type === 'all') this.cache.markDue();
    });
  }

  async create(input: NewUser): Promise<UserRecord> {
    const name = normalizeUsername(input.name);
    if (!isValidUsername(name))
      throw new InvalidInputError('The username must be 1-64 characters of a-z, 0-9, ".", "_", "@", "-", starting with a letter or digit');
    this.checkPassword(input.password);
    if (await this.repository.findByName(name)) throw new ConflictError(`A user named ${name} exists already`);
    const now = this.now();
    const user: UserRecord = {
      id: randomUUID(),
      name,
      role: input.role,
      passwordHash: await this.deps.hasher.hash(input.password),
      chargepoints: normalizeChargepoints(input.chargepoints ?? []),
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repository.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A user named ${name} exists already`);
      throw error;
    }
    return user;
  }

  list(page?: PageRequest): Promise<UserRecord[]> {
    return this.repository.list(page);
  }

  async get(id: string): Promise<UserRecord> {
    const user = await this.repository.findById(id);
    if (!user) throw new NotFoundError(`User ${id} does not exist`);
    return user;
  }

  findByName(name: string): Promise<UserRecord | undefined> {
    return this.repository.findByName(normalizeUsername(name));
  }

  /** For authentication: served from memory (synchronously) in the steady state. */
  cached(id: string): MaybePromise<UserRecord | undefined> {
    return this.cache.get(id);
  }

  async isActive(id: string): Promise<boolean> {
    const user = await this.cached(id);
    return !!user && user.disabledAt === null;
  }

  async update(id: string, changes: UserChanges): Promise<UserRecord> {
    const patch: UserPatch = {};
    if (changes.password !== undefined) {
      this.checkPassword(changes.password);
      patch.passwordHash = await this.deps.hasher.hash(changes.password);
    }
    if (changes.role !== undefined) patch.role = changes.role;
    if (changes.chargepoints !== undefined) patch.chargepoints = normalizeChargepoints(changes.chargepoints);
    const before = await this.deps.db.transaction(async (tx) => {
      const users = new UserRepository(tx);
      const user = await users.findById(id);
      if (!user) throw new NotFoundError(`User ${id} does not exist`);
      if (changes.disabled !== undefined && changes.disabled !== (user.disabledAt !== null))
        patch.disabledAt = changes.disabled ? this.now() : null;
      const staysAdmin =
        (patch.role ?? user.role) === 'admin' && (patch.disabledAt === undefined ? user.disabledAt : patch.disabledAt) === null;
      if (!staysAdmin) await this.keepAnAdmin(users, user);
      await users.update(id, patch, this.now());
      return user;
    });
    await this.changed(id);
    if (patch.passwordHash !== undefined || (patch.disabledAt !== undefined && patch.disabledAt !== null))
      await this.deps.endAllSessions(id);
    return { ...before, ...patch, updatedAt: this.now() } as UserRecord;
  }

  /** Stores a new hash without other checks (re-hash at login with a raised cost). */
  async replaceHash(id: string, passwordHash: string): Promise<void> {
    await this.repository.update(id, { passwordHash }, this.now());
  }

  async delete(id: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const users = new UserRepository(tx);
      const user = await users.findById(id);
      if (!user) throw new NotFoundError(`User ${id} does not exist`);
      await this.keepAnAdmin(users, user);
      await users.delete(id);
    });
    await this.changed(id);
    await this.deps.revokeKeys(id);
    await this.deps.endAllSessions(id);
  }

  private async keepAnAdmin(users: UserRepository, user: UserRecord): Promise<void> {
    if (user.role !== 'admin' || user.disabledAt !== null) return;
    const admins = await users.activeAdminIds();
    if (admins.length <= 1) throw new ConflictError('This is the last active admin: make another user admin first');
  }

  private checkPassword(password: string): void {
    const problem = passwordProblem(password);
    if (problem) throw new InvalidInputError(problem);
  }

  private async changed(id: string): Promise<void> {
    this.cache.delete(id);
    await this.deps.invalidation.publish({ type: 'user', id });
  }
}

/** SQLite: SQLITE_CONSTRAINT_UNIQUE; MariaDB: ER_DUP_ENTRY (1062). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}
