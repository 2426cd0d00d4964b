import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditClient } from '../audit/audit.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { ForbiddenError, TooManyAttemptsError, NotAuthenticatedError, UnavailableError } from '../errors.ts';
import type { KdfGate } from './kdf-gate.ts';
import type { LoginGuard } from './login-guard.ts';
import type { PasswordHasher } from './password.ts';
import type { Principal } from './principal.ts';
import type { TokenPair, TokenService } from './token-service.ts';
import type { UserService } from './user-service.ts';
import { normalizeUsername, type UserRecord } from './user.ts';

export interface AuthServiceDeps {
  users: UserService;
  tokens: TokenService;
  hasher: PasswordHasher;
  gate: KdfGate;
  guard: LoginGuard;
  audit: AuditService;
  logger?: { warn(obj: object, msg: string): void };
}

const BAD_LOGIN = 'Invalid username or password';

/** Login, refresh, logout and password change: the flows behind /api/v1/auth. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /**
   * The order matters: the brute-force guard first (no hashing for a locked-out name or address), then
   * the slow-down wait, then the password hash in a bounded pool; unknown users are hashed against a
   * dummy so they take as long as known ones and get the same answer.
   */
  async login(username: string, password: string, client: AuditClient): Promise<TokenPair> {
    const name = normalizeUsername(username);
    const admission = await this.deps.guard.admit(name, client.ip ?? 'unknown');
    if (!admission.admitted) {
      // Audited once, when the lock-out starts: a burst of refused attempts must not become a burst of writes.
      if (admission.lockStarted) await this.recordLogin('failure', await this.deps.users.findByName(name), client, 'locked-out');
      throw new TooManyAttemptsError('Too many failed logins: try again later', admission.retryAfterSeconds);
    }
    if (admission.delayMs > 0) await sleep(admission.delayMs);
    const user = await this.deps.users.findByName(name);
    const checked = await this.deps.gate.run(async () =>
      this.deps.hasher.verify(password, user?.passwordHash ?? (await this.deps.hasher.dummyHash())),
    );
    if (!checked) throw new UnavailableError('Too many logins are being checked right now', 2);
    if (!checked.value || !user || user.disabledAt !== null) {
      await this.recordLogin('failure', user, client, !user ? 'unknown-user' : user.disabledAt !== null ? 'disabled' : 'wrong-password');
      throw new NotAuthenticatedError(BAD_LOGIN);
    }
    await this.deps.guard.succeeded(name, client.ip ?? 'unknown');
    const pair = await this.deps.tokens.startSession(user.id);
    await this.recordLogin('success', user, client);
    if (this.deps.hasher.needsRehash(user.passwordHash)) this.rehash(user, password);
    return pair;
  }

  async refresh(refreshToken: string, client: AuditClient): Promise<TokenPair> {
    const outcome = await this.deps.tokens.refresh(refreshToken);
    if (outcome.ok) return outcome.pair;
    if (outcome.reason === 'reused') {
      await this.deps.audit.record({
        action: 'auth.refresh.reuse',
        outcome: 'failure',
        actor: { type: 'user', id: outcome.userId ?? null, name: null },
        target: outcome.sessionId ? { type: 'session', id: outcome.sessionId } : null,
        client,
        detail: { effect: 'session revoked' },
      });
    }
    throw new NotAuthenticatedError('The refresh token is unknown, expired or revoked');
  }

  /** Ends the caller's session (access token) and the one the refresh token belongs to, if it is theirs. */
  async logout(principal: Principal, refreshToken: string | undefined, client: AuditClient): Promise<void> {
    const sessions = new Set<string>();
    if (principal.kind === 'token') sessions.add(principal.id);
    if (refreshToken && principal.userId) {
      const session = await this.deps.tokens.sessionOf(refreshToken);
      if (session && session.userId === principal.userId) sessions.add(session.sessionId);
    }
    for (const session of sessions) await this.deps.tokens.endSession(session);
    await this.deps.audit.record({
      action: 'auth.logout',
      actor: { type: 'user', id: principal.userId, name: principal.name },
      client,
      detail: { sessions: sessions.size },
    });
  }

  async changePassword(principal: Principal, current: string, next: string, client: AuditClient): Promise<void> {
    if (principal.kind !== 'token' || !principal.userId)
      throw new ForbiddenError('Change a password with an access token from /api/v1/auth/login, not with an API key');
    const admission = await this.deps.guard.admit(principal.name, client.ip ?? 'unknown');
    if (!admission.admitted) throw new TooManyAttemptsError('Too many failed attempts: try again later', admission.retryAfterSeconds);
    if (admission.delayMs > 0) await sleep(admission.delayMs);
    const user = await this.deps.users.get(principal.userId);
    const checked = await this.deps.gate.run(() => this.deps.hasher.verify(current, user.passwordHash));
    if (!checked) throw new UnavailableError('Too many passwords are being checked right now', 2);
    if (!checked.value) {
      await this.deps.audit.record({
        action: 'auth.password.change',
        outcome: 'failure',
        actor: { type: 'user', id: user.id, name: user.name },
        client,
        detail: { reason: 'wrong-password' },
      });
      throw new ForbiddenError('The current password is wrong');
    }
    await this.deps.guard.succeeded(principal.name, client.ip ?? 'unknown');
    await this.deps.users.update(user.id, { password: next });
    await this.deps.audit.record({
      action: 'auth.password.change',
      actor: { type: 'user', id: user.id, name: user.name },
      target: { type: 'user', id: user.id },
      client,
    });
  }

  private recordLogin(outcome: 'success' | 'failure', user: UserRecord | undefined, client: AuditClient, reason?: string): Promise<void> {
    return this.deps.audit.record({
      action: 'auth.login',
      outcome,
      // An unknown name is not stored: people type passwords into the username field.
      actor: user ? { type: 'user', id: user.id, name: user.name } : { type: 'anonymous', id: null, name: null },
      client,
      ...(reason ? { detail: { reason } } : {}),
    });
  }

  /** The stored hash has a lower cost than configured: replace it now that the password is known. */
  private rehash(user: UserRecord, password: string): void {
    void this.deps.gate
      .run(() => this.deps.hasher.hash(password))
      .then((hashed) => hashed && this.deps.users.replaceHash(user.id, hashed.value))
      .catch((error: Error) => this.deps.logger?.warn({ err: error.message, userId: user.id }, 'password re-hash failed'));
  }
}
