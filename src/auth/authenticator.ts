import { NotAuthenticatedError } from '../errors.ts';
import type { ApiKeyService } from './api-key-service.ts';
import { hashApiKey, isWellFormedApiKey, type ApiKeyIdentity } from './api-key.ts';
import { chain, type MaybePromise } from '../maybe-async.ts';
import { makePrincipal, ROLE_SCOPES, type Principal } from './principal.ts';
import type { TokenService, VerifiedAccessToken } from './token-service.ts';
import type { UserService } from './user-service.ts';
import type { UserRecord } from './user.ts';

export interface Credentials {
  apiKey?: string;
  bearer?: string;
}

/** The credentials in the `x-api-key` and `Authorization` header values, or a 401 when they are malformed or ambiguous. */
export function credentialsFromHeaders(apiKey: string | undefined, authorization: string | undefined): Credentials | undefined {
  if (apiKey === undefined && authorization === undefined) return undefined;
  if (apiKey !== undefined && authorization !== undefined)
    throw new NotAuthenticatedError('Send either an x-api-key header or an Authorization header, not both');
  if (apiKey !== undefined) return { apiKey };
  const bearer = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(authorization as string);
  if (!bearer) throw new NotAuthenticatedError('The Authorization header must be "Bearer <access token>"');
  return { bearer: bearer[1] as string };
}

/**
 * What lets the gateway check a caller's credentials again later without keeping anything that could be
 * presented as one (a stream ticket stores it in Redis): an API key's SHA-256, the very value the database
 * holds, or an access token's verified claims (its user, session and expiry). Checked again, it follows
 * revocations, deleted or disabled users and expiry exactly as the credentials themselves would.
 */
export type CredentialReference =
  { kind: 'apiKey'; keyHash: string } | { kind: 'token'; userId: string; sessionId: string; expiresAt: number };

/**
 * Turns presented credentials into a principal: an API key (x-api-key, or sent as a bearer token) or an
 * access token. Everything it consults is cached in memory (keys, users, verified tokens, revoked
 * sessions), so the steady state costs no database round trip and answers synchronously.
 */
export class Authenticator {
  /** Principals by the cached key identity or token claims they were built from, valid while the user object is the same. */
  private readonly principals = new WeakMap<object, { user: UserRecord | undefined; principal: Principal }>();

  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly tokens: TokenService,
    private readonly users: UserService,
  ) {}

  authenticate(credentials: Credentials): MaybePromise<Principal | undefined> {
    const key = credentials.apiKey ?? (credentials.bearer && isWellFormedApiKey(credentials.bearer) ? credentials.bearer : undefined);
    if (key !== undefined) return chain(this.apiKeys.authenticate(key), (identity) => identity && this.byApiKey(identity));
    if (credentials.bearer !== undefined && credentials.bearer.length <= 4096) {
      return chain(this.tokens.verifyAccessToken(credentials.bearer), (claims) => claims && this.byAccessToken(claims));
    }
    return undefined;
  }

  /** The reference to valid credentials (undefined for unknown, expired or revoked ones). */
  referenceOf(credentials: Credentials): MaybePromise<CredentialReference | undefined> {
    const key = credentials.apiKey ?? (credentials.bearer && isWellFormedApiKey(credentials.bearer) ? credentials.bearer : undefined);
    if (key !== undefined) {
      const keyHash = hashApiKey(key);
      return chain(this.apiKeys.authenticate(key), (identity): CredentialReference | undefined => identity && { kind: 'apiKey', keyHash });
    }
    if (credentials.bearer !== undefined && credentials.bearer.length <= 4096) {
      return chain(this.tokens.verifyAccessToken(credentials.bearer), (claims) => claims && { kind: 'token', ...claims });
    }
    return undefined;
  }

  /** The principal of a reference as things stand now: undefined once the key or session is revoked or expired, or the user is gone. */
  authenticateReference(reference: CredentialReference): MaybePromise<Principal | undefined> {
    if (reference.kind === 'apiKey') {
      return chain(this.apiKeys.authenticateHash(reference.keyHash), (identity) => identity && this.byApiKey(identity));
    }
    // The reference itself serves as the claims: the same object on every check, so its principal is remembered.
    const claims = this.tokens.claimsStillValid(reference);
    return claims && this.byAccessToken(claims);
  }

  private byApiKey(identity: ApiKeyIdentity): MaybePromise<Principal | undefined> {
    if (!identity.userId) {
      // System keys (CLI, no owner) act for the installation: admin role, narrowed only by the key itself.
      return this.remembered(identity, undefined, () =>
        makePrincipal({
          kind: 'apiKey',
          id: identity.keyId,
          userId: null,
          name: identity.name,
          role: 'admin',
          scopes: identity.scopes,
          keyChargepoints: identity.chargepoints,
          device: identity.device,
        }),
      );
    }
    return chain(this.users.cached(identity.userId), (user) => {
      if (!user || user.disabledAt !== null) return undefined;
      return this.remembered(identity, user, () =>
        makePrincipal({
          kind: 'apiKey',
          id: identity.keyId,
          userId: user.id,
          name: user.name,
          role: user.role,
          scopes: identity.scopes,
          userChargepoints: user.chargepoints,
          keyChargepoints: identity.chargepoints,
          device: identity.device,
        }),
      );
    });
  }

  private byAccessToken(claims: VerifiedAccessToken): MaybePromise<Principal | undefined> {
    return chain(this.users.cached(claims.userId), (user) => {
      if (!user || user.disabledAt !== null) return undefined;
      return this.remembered(claims, user, () =>
        makePrincipal({
          kind: 'token',
          id: claims.sessionId,
          userId: user.id,
          name: user.name,
          role: user.role,
          scopes: ROLE_SCOPES[user.role],
          userChargepoints: user.chargepoints,
        }),
      );
    });
  }

  private remembered(source: object, user: UserRecord | undefined, build: () => Principal): Principal {
    const hit = this.principals.get(source);
    if (hit && hit.user === user) return hit.principal;
    const principal = build();
    this.principals.set(source, { user, principal });
    return principal;
  }
}
