import type { Schemas } from '../../api/types.ts';
import type { ApiKeyRecord } from '../api-key.ts';
import type { Principal } from '../principal.ts';
import type { UserRecord } from '../user.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : iso(ms));

/** Never the password hash. */
export const userDto = (user: UserRecord): Schemas['User'] => ({
  id: user.id,
  name: user.name,
  role: user.role,
  chargepoints: user.chargepoints,
  disabled: user.disabledAt !== null,
  createdAt: iso(user.createdAt),
  updatedAt: iso(user.updatedAt),
});

/** Never the key or its hash: the prefix tells keys apart. */
export const apiKeyDto = (key: ApiKeyRecord): Schemas['ApiKey'] => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes,
  device: key.device ? { kind: key.device.kind, id: key.device.id } : null,
  chargepoints: key.chargepoints ?? null,
  userId: key.userId ?? null,
  createdAt: iso(key.createdAt),
  expiresAt: isoOrNull(key.expiresAt),
  lastUsedAt: isoOrNull(key.lastUsedAt),
  revokedAt: isoOrNull(key.revokedAt),
});

export const principalDto = (principal: Principal): Schemas['CurrentPrincipal'] => ({
  kind: principal.kind,
  userId: principal.userId,
  name: principal.name,
  role: principal.role,
  scopes: [...principal.scopes],
  chargepoints: principal.chargepoints === null ? null : [...principal.chargepoints].sort(),
  keyId: principal.kind === 'apiKey' ? principal.id : null,
});
