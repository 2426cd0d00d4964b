import type { AuthInvalidation } from './invalidation.ts';
import type { RefreshTokenRepository } from './refresh-token-repository.ts';

/**
 * Sessions revoked within the last access-token lifetime, in memory on every instance: an access token
 * of a revoked session (logout, refresh-token reuse, password change) is refused at once without a
 * database round trip. Older revocations need no entry: those tokens have expired anyway.
 */
export class SessionRevocations {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly repository: RefreshTokenRepository,
    private readonly invalidation: AuthInvalidation,
    private readonly accessTokenTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    invalidation.subscribe((change) => {
      if (change.type === 'sessions') this.remember(change.ids, change.at);
      if (change.type === 'all') void this.load().catch(() => undefined);
    });
  }

  async load(): Promise<void> {
    const since = this.now() - this.accessTokenTtlMs - 60_000;
    for (const { familyId, revokedAt } of await this.repository.revokedFamiliesSince(since)) this.revoked.set(familyId, revokedAt);
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  async revoke(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.invalidation.publish({ type: 'sessions', ids, at: this.now() });
  }

  private remember(ids: string[], at: number): void {
    for (const id of ids) this.revoked.set(id, at);
    const horizon = this.now() - this.accessTokenTtlMs - 60_000;
    for (const [id, revokedAt] of this.revoked) if (revokedAt < horizon) this.revoked.delete(id);
  }
}
