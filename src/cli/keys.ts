import type { Scope } from '../auth/api-key.ts';
import { normalizeChargepoints } from '../auth/user.ts';
import { withAuth, withDatabase } from './context.ts';

const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseExpiry(value: string, now = Date.now()): number {
  const duration = DURATION.exec(value);
  if (duration) return now + Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at))
    throw new Error(`--expires: "${value}" is neither an ISO 8601 date-time nor a duration like 90d`);
  if (at <= now) throw new Error('--expires: the expiry lies in the past');
  return at;
}

const CHARGEPOINT_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function parseChargepoints(value: string): string[] {
  const ids = value.split(',').map((id) => id.trim());
  const invalid = ids.filter((id) => !CHARGEPOINT_ID.test(id));
  if (invalid.length) throw new Error(`--chargepoints: not chargepoint ids: ${invalid.map((id) => `"${id}"`).join(', ')}`);
  return normalizeChargepoints(ids);
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

export const keysCommands = {
  async create(options: { name: string; scopes: Scope[]; expires?: string; chargepoints?: string[] }) {
    const expiresAt = options.expires ? parseExpiry(options.expires) : null;
    const { key, record } = await withDatabase((_db, apiKeys) =>
      apiKeys.create({ name: options.name, scopes: options.scopes, expiresAt, chargepoints: options.chargepoints ?? null }),
    );
    const narrowed = record.chargepoints ? ` for chargepoints ${record.chargepoints.join(',')}` : '';
    console.log(
      `Created API key ${record.prefix} "${record.name}" (id ${record.id}) with scopes ${record.scopes.join(',')}${narrowed}, expires ${iso(record.expiresAt)}.`,
    );
    console.log('Store it now: it is shown only this once.');
    console.log(key);
  },

  async list(options: { json?: boolean }) {
    const keys = await withDatabase((_db, apiKeys) => apiKeys.list());
    if (options.json) {
      // Times as ISO 8601, as the API and the table print them.
      const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      const rows = keys.map((k) => ({
        ...k,
        createdAt: isoOrNull(k.createdAt),
        expiresAt: isoOrNull(k.expiresAt),
        revokedAt: isoOrNull(k.revokedAt),
        lastUsedAt: isoOrNull(k.lastUsedAt),
      }));
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    console.log(['id', 'prefix', 'name', 'scopes', 'created', 'expires', 'revoked', 'last used', 'device'].join('\t'));
    for (const k of keys) {
      const device = k.device ? `${k.device.kind}:${k.device.id}` : '-';
      console.log(
        [k.id, k.prefix, k.name, k.scopes.join(','), iso(k.createdAt), iso(k.expiresAt), iso(k.revokedAt), iso(k.lastUsedAt), device].join(
          '\t',
        ),
      );
    }
  },

  async revoke(idOrPrefix: string) {
    // withAuth: the revocation is announced to running gateways (through Redis when configured).
    const revoked = await withAuth((auth) => auth.apiKeys.revoke(idOrPrefix));
    if (revoked === 0) throw new Error(`no active key with id or prefix ${idOrPrefix}`);
    console.log(`Revoked ${revoked} key(s).`);
  },
};
