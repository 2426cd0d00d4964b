import type { DeviceBinding, Scope } from './api-key.ts';

export type Role = 'admin' | 'user';
export const ROLES: readonly Role[] = ['admin', 'user'];

/** What a role may do at most; a key's or token's scopes are always cut down to this. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  // energsync for admins only: a user's key would see every session of its chargepoints, not only the user's own.
  // device: only ever effective on a key bound to a device (makePrincipal drops it elsewhere).
  admin: ['read', 'control', 'admin', 'energsync', 'device'],
  user: ['read', 'control', 'device'],
};

/**
 * Who is calling, as the security step hands it to handlers.
 * `chargepoints` null = every chargepoint; otherwise only those ids.
 */
export interface Principal {
  /** `apiKey`: an `x-api-key` (or a key sent as bearer); `token`: an access token from /auth/login. */
  readonly kind: 'apiKey' | 'token';
  /** Key id (apiKey) or session id (token). */
  readonly id: string;
  /** Set for API keys, kept for the callers that only know keys. */
  readonly keyId?: string;
  /** The owning user; null for system keys (created by the CLI, owned by nobody, treated as admin). */
  readonly userId: string | null;
  /** Username, or the key name for system keys. */
  readonly name: string;
  readonly role: Role;
  readonly scopes: readonly Scope[];
  readonly chargepoints: ReadonlySet<string> | null;
  /** Set for a key bound to one device: the security step lets it reach that device's operations and nothing else. */
  readonly device?: DeviceBinding;
  canAccessChargepoint(id: string): boolean;
}

export interface PrincipalInput {
  kind: Principal['kind'];
  id: string;
  userId: string | null;
  name: string;
  role: Role;
  /** Requested scopes; anything the role does not allow is dropped. */
  scopes: readonly Scope[];
  /** The user's allowed chargepoints (ignored for admins) and the key's own narrowing, if any. */
  userChargepoints?: readonly string[] | null;
  keyChargepoints?: readonly string[] | null;
  /** The key's device binding, if any. */
  device?: DeviceBinding | null;
}

/**
 * The requested scopes the role allows. A bound key keeps only `device`: whatever else it was given, it
 * never reaches more than its device; an unbound one never keeps `device`.
 */
export function effectiveScopes(role: Role, requested: readonly Scope[], bound = false): Scope[] {
  const allowed = ROLE_SCOPES[role];
  return requested.filter((scope) => allowed.includes(scope) && (scope === 'device') === bound);
}

/** Admins reach every chargepoint, users only theirs; a key may narrow either further but never widen. */
export function effectiveChargepoints(
  role: Role,
  user: readonly string[] | null | undefined,
  key: readonly string[] | null | undefined,
): Set<string> | null {
  const base = role === 'admin' ? null : new Set(user ?? []);
  if (!key) return base;
  return new Set(base ? key.filter((id) => base.has(id)) : key);
}

export function makePrincipal(input: PrincipalInput): Principal {
  const device = input.device ?? undefined;
  // A device key reaches no chargepoint, whatever its owner may (the security step refuses it anyway).
  const chargepoints = device ? new Set<string>() : effectiveChargepoints(input.role, input.userChargepoints, input.keyChargepoints);
  return Object.freeze({
    kind: input.kind,
    id: input.id,
    ...(input.kind === 'apiKey' ? { keyId: input.id } : {}),
    userId: input.userId,
    name: input.name,
    role: input.role,
    scopes: Object.freeze(effectiveScopes(input.role, input.scopes, device !== undefined)),
    chargepoints,
    ...(device ? { device: Object.freeze({ kind: device.kind, id: device.id }) } : {}),
    canAccessChargepoint: (id: string) => chargepoints === null || chargepoints.has(id),
  });
}

/** Used only when authentication is switched off in code (benchmarks): full access, never from a request. */
export const UNAUTHENTICATED_ADMIN: Principal = makePrincipal({
  kind: 'apiKey',
  id: 'authentication-off',
  userId: null,
  name: 'authentication-off',
  role: 'admin',
  scopes: ['admin'],
});
