import type { Database, SqlParam } from '../db/database.ts';
import { DEVICE_KINDS, type ApiKeyRecord, type DeviceBinding, type DeviceKind, type Scope } from './api-key.ts';

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  user_id: string | null;
  chargepoints: string | null;
  bound_kind: string | null;
  bound_id: string | null;
}

const COLUMNS = 'id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, user_id, chargepoints, bound_kind, bound_id';

const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes.split(',') as Scope[],
  createdAt: Number(row.created_at),
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  userId: row.user_id,
  chargepoints: row.chargepoints === null ? null : row.chargepoints.split(',').filter(Boolean),
  device: bindingOf(row),
});

/** A binding of an unknown kind (written by a newer version) binds to nothing reachable rather than to nothing at all. */
function bindingOf(row: ApiKeyRow): DeviceBinding | null {
  if (row.bound_kind === null || row.bound_id === null) return null;
  const kind = (DEVICE_KINDS as readonly string[]).includes(row.bound_kind) ? (row.bound_kind as DeviceKind) : null;
  return kind ? { kind, id: row.bound_id } : { kind: 'meter', id: '' };
}

export class ApiKeyRepository {
  constructor(private readonly db: Database) {}

  async insert(key: Omit<ApiKeyRecord, 'revokedAt' | 'lastUsedAt'> & { hash: string }): Promise<void> {
    await this.db.execute(
      'INSERT INTO api_keys (id, name, prefix, key_hash, scopes, created_at, expires_at, user_id, chargepoints, bound_kind, bound_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        key.id,
        key.name,
        key.prefix,
        key.hash,
        key.scopes.join(','),
        key.createdAt,
        key.expiresAt,
        key.userId ?? null,
        key.chargepoints ? key.chargepoints.join(',') : null,
        key.device?.kind ?? null,
        key.device?.id ?? null,
      ],
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`, [hash]);
    return rows[0] && toRecord(rows[0]);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** Keys of one user, or (null) the system keys. */
  async listByOwner(userId: string | null): Promise<ApiKeyRecord[]> {
    const rows =
      userId === null
        ? await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE user_id IS NULL ORDER BY created_at, id`)
        : await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE user_id = ? ORDER BY created_at, id`, [userId]);
    return rows.map(toRecord);
  }

  /** Revokes by id or by the public prefix; returns the ids of the keys revoked. */
  revoke(idOrPrefix: string, at: number): Promise<string[]> {
    return this.revokeWhere('(id = ? OR prefix = ?)', [idOrPrefix, idOrPrefix], at);
  }

  revokeByName(name: string, at: number): Promise<string[]> {
    return this.revokeWhere('name = ?', [name], at);
  }

  revokeByOwner(userId: string, at: number): Promise<string[]> {
    return this.revokeWhere('user_id = ?', [userId], at);
  }

  /** Revokes every key bound to the device (when the device is deleted). */
  revokeByDevice(device: DeviceBinding, at: number): Promise<string[]> {
    return this.revokeWhere('bound_kind = ? AND bound_id = ?', [device.kind, device.id], at);
  }

  /** The keys bound to one device, newest last. */
  async listByDevice(device: DeviceBinding): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE bound_kind = ? AND bound_id = ? ORDER BY created_at, id`,
      [device.kind, device.id],
    );
    return rows.map(toRecord);
  }

  /** `condition` is one of the constant clauses above, never built from input. */
  private async revokeWhere(condition: string, params: SqlParam[], at: number): Promise<string[]> {
    const { changes } = await this.db.execute(`UPDATE api_keys SET revoked_at = ? WHERE ${condition} AND revoked_at IS NULL`, [
      at,
      ...params,
    ]);
    if (changes === 0) return [];
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE ${condition} AND revoked_at = ?`, [...params, at]);
    return rows.map((row) => row.id);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.execute('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [at, id]);
  }
}
