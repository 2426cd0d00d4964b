import { hash, randomBytes, randomUUID } from 'node:crypto';

/**
 * `energsync` grants the EnergSync operations and nothing else (a key to hand to an EV-credit programme).
 * `device` is the scope of a key bound to one device (a pulse meter, a measurement series): it reaches only
 * the operations marked `x-device-operation` for that device, and is dropped from keys without a binding.
 */
export type Scope = 'read' | 'control' | 'admin' | 'energsync' | 'device';
export const SCOPES: readonly Scope[] = ['read', 'control', 'admin', 'energsync', 'device'];

/** The kinds of device a key can be bound to; each names the path parameter that carries its id. */
export type DeviceKind = 'series' | 'meter';
export const DEVICE_KINDS: readonly DeviceKind[] = ['series', 'meter'];
export const DEVICE_PATH_PARAMS: Readonly<Record<DeviceKind, string>> = { series: 'seriesId', meter: 'meterId' };

/** The one device a key is bound to: it can do nothing but that device's operations. */
export interface DeviceBinding {
  readonly kind: DeviceKind;
  readonly id: string;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** The owner; null for system keys (made by the CLI), which act for the installation with admin rights. */
  userId?: string | null;
  /** Narrows the owner's chargepoints to these; null = no narrowing. */
  chargepoints?: string[] | null;
  /** The device the key is bound to; null = an ordinary key. */
  device?: DeviceBinding | null;
}

/** What a presented key proves, before the owner's role and chargepoints are applied (see principal.ts). */
export interface ApiKeyIdentity {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
  /** Absent for system keys. */
  userId?: string;
  chargepoints?: readonly string[];
  device?: DeviceBinding;
}

export type { Principal } from './principal.ts';

const KEY_PATTERN = /^owg_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

/**
 * A key is `owg_<8-char public prefix>_<256-bit secret>`. The prefix lets people tell keys apart in
 * listings; only the SHA-256 of the whole key is stored. A fast hash is right here (unlike passwords):
 * the secret is random and long, so it cannot be guessed from its hash.
 */
export function generateApiKey(): { id: string; key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 8);
  const key = `owg_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { id: randomUUID(), key, prefix: `owg_${prefix}`, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** `admin` grants every scope; otherwise the key needs the scope itself. */
export function grants(scopes: readonly Scope[], required: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(required);
}

export function parseScopes(text: string): Scope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new Error(
      `scopes must be a comma-separated list of ${SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  }
  return [...new Set(scopes)] as Scope[];
}
