import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTHeaderParameters } from 'jose';
import type { Database } from '../db/database.ts';
import type { MaybePromise } from '../maybe-async.ts';
import type { RefreshTokenRepository } from './refresh-token-repository.ts';
import type { SessionRevocations } from './session-revocations.ts';
import { TOKEN_ALGORITHM, type Keyring } from './signing-keys.ts';

export const TOKEN_ISSUER = 'openwb-gateway';
export const TOKEN_AUDIENCE = 'openwb-gateway-api';
const TOKEN_TYPE = 'at+jwt';
const REFRESH_PATTERN = /^owr_[A-Za-z0-9_-]{43}$/;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

export type RefreshOutcome =
  | { ok: true; userId: string; sessionId: string; pair: TokenPair }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused'; userId?: string; sessionId?: string };

export interface TokenServiceOptions {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** Checks the user may still get tokens (exists, not disabled) before a refresh succeeds. */
  userActive: (userId: string) => Promise<boolean>;
  now?: () => number;
  maxCachedTokens?: number;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Access tokens (short-lived JWTs, EdDSA only) and refresh tokens (opaque, stored hashed, rotated on
 * every use; a second use of a rotated token revokes its whole family = the session).
 */
export class TokenService {
  /** token → claims: a verified token is not verified again (the signature check dominates the cost). */
  private readonly verified = new Map<string, VerifiedAccessToken>();
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly revocations: SessionRevocations,
    private readonly options: TokenServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts a session (a new refresh-token family) for a user who just proved their password. */
  async startSession(userId: string): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refreshToken = await this.insertRefreshToken(userId, sessionId, this.db);
    return {
      accessToken: await this.signAccessToken(userId, sessionId),
      refreshToken,
      expiresIn: Math.floor(this.options.accessTokenTtlMs / 1000),
    };
  }

  async refresh(presented: string): Promise<RefreshOutcome> {
    if (!REFRESH_PATTERN.test(presented)) return { ok: false, reason: 'unknown' };
    const now = this.now();
    const token = await this.refreshTokens.findByHash(sha256(presented));
    if (!token) return { ok: false, reason: 'unknown' };
    const who = { userId: token.userId, sessionId: token.familyId };
    if (token.revokedAt !== null) return { ok: false, reason: 'revoked', ...who };
    if (token.replacedAt !== null) return this.reused(token.familyId, who);
    if (token.expiresAt <= now) return { ok: false, reason: 'expired', ...who };
    if (!(await this.options.userActive(token.userId))) {
      await this.endSession(token.familyId);
      return { ok: false, reason: 'revoked', ...who };
    }
    // Two requests racing with the same token: exactly one wins the conditional update; the other is reuse.
    const refreshToken = await this.db.transaction(async (tx) =>
      (await this.refreshTokens.markReplaced(token.id, now, tx)) ? this.insertRefreshToken(token.userId, token.familyId, tx) : undefined,
    );
    if (!refreshToken) return this.reused(token.familyId, who);
    const accessToken = await this.signAccessToken(token.userId, token.familyId);
    return { ok: true, ...who, pair: { accessToken, refreshToken, expiresIn: Math.floor(this.options.accessTokenTtlMs / 1000) } };
  }

  private async reused(familyId: string, who: { userId: string; sessionId: string }): Promise<RefreshOutcome> {
    await this.endSession(familyId);
    return { ok: false, reason: 'reused', ...who };
  }

  /** Ends one session: its refresh tokens stop working and its access tokens are refused at once. */
  async endSession(sessionId: string): Promise<void> {
    await this.refreshTokens.revokeFamily(sessionId, this.now());
    await this.revocations.revoke([sessionId]);
  }

  /** The session a refresh token belongs to, if it is one of this user's. */
  async sessionOf(presented: string): Promise<{ userId: string; sessionId: string } | undefined> {
    if (!REFRESH_PATTERN.test(presented)) return undefined;
    const token = await this.refreshTokens.findByHash(sha256(presented));
    return token && { userId: token.userId, sessionId: token.familyId };
  }

  async endAllSessions(userId: string): Promise<void> {
    await this.revocations.revoke(await this.refreshTokens.revokeUser(userId, this.now()));
  }

  /** Claims of a valid access token, or undefined (bad signature, wrong algorithm, expired, revoked...). Synchronous when cached. */
  verifyAccessToken(token: string): MaybePromise<VerifiedAccessToken | undefined> {
    const claims = this.verified.get(token);
    if (claims) return this.stillValid(token, claims);
    return this.verifySignature(token).then((verified) => {
      if (!verified) return undefined;
      this.remember(token, verified);
      return this.stillValid(token, verified);
    });
  }

  private stillValid(token: string, claims: VerifiedAccessToken): VerifiedAccessToken | undefined {
    const valid = this.claimsStillValid(claims);
    if (!valid && claims.expiresAt <= this.now()) this.verified.delete(token);
    return valid;
  }

  /** Claims verified earlier, checked again without the token: undefined once expired or the session was revoked. */
  claimsStillValid(claims: VerifiedAccessToken): VerifiedAccessToken | undefined {
    if (claims.expiresAt <= this.now()) return undefined;
    return this.revocations.isRevoked(claims.sessionId) ? undefined : claims;
  }

  async pruneExpired(): Promise<void> {
    await this.refreshTokens.deleteExpired(this.now() - 86_400_000);
  }

  private async verifySignature(token: string): Promise<VerifiedAccessToken | undefined> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          const key = header.kid ? await this.keyring.verificationKey(header.kid) : undefined;
          if (!key) throw new Error('unknown signing key');
          return key;
        },
        {
          algorithms: [TOKEN_ALGORITHM],
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          typ: TOKEN_TYPE,
          requiredClaims: ['sub', 'sid', 'exp', 'iat'],
          currentDate: new Date(this.now()),
        },
      );
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return undefined;
      return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp * 1000 };
    } catch {
      return undefined;
    }
  }

  private async signAccessToken(userId: string, sessionId: string): Promise<string> {
    const { kid, privateKey } = this.keyring.current();
    const now = Math.floor(this.now() / 1000);
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: TOKEN_TYPE })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + Math.floor(this.options.accessTokenTtlMs / 1000))
      .sign(privateKey);
  }

  private async insertRefreshToken(userId: string, familyId: string, db: Pick<Database, 'query' | 'execute'>): Promise<string> {
    const token = `owr_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    await this.refreshTokens.insert(
      { id: randomUUID(), familyId, userId, hash: sha256(token), createdAt: now, expiresAt: now + this.options.refreshTokenTtlMs },
      db,
    );
    return token;
  }

  private remember(token: string, claims: VerifiedAccessToken): void {
    if (this.verified.size >= (this.options.maxCachedTokens ?? 10_000)) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, claims);
  }
}
