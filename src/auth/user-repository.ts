import type { Database } from '../db/database.ts';
import { afterRow, type PageRequest } from '../db/keyset-page.ts';
import { perDialect } from '../db/sql-dialect.ts';
import type { Role } from './principal.ts';
import type { UserRecord } from './user.ts';

interface UserRow {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  chargepoints: string;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, name, role, password_hash, chargepoints, disabled_at, created_at, updated_at';

const toRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  passwordHash: row.password_hash,
  chargepoints: row.chargepoints.split(',').filter(Boolean),
  disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** Columns a patch may set: the only identifiers that reach SQL text. */
const PATCHABLE = { role: 'role', passwordHash: 'password_hash', chargepoints: 'chargepoints', disabledAt: 'disabled_at' } as const;
export type UserPatch = Partial<Pick<UserRecord, keyof typeof PATCHABLE>>;

/** Inside a transaction on MariaDB the rows stay locked until it ends. */
const selectActiveAdmins = perDialect((sql) => `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL${sql.forUpdate}`);

export class UserRepository {
  constructor(private readonly db: Pick<Database, 'dialect' | 'query' | 'execute'>) {}

  async insert(user: UserRecord): Promise<void> {
    await this.db.execute(
      'INSERT INTO users (id, name, role, password_hash, chargepoints, disabled_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [user.id, user.name, user.role, user.passwordHash, user.chargepoints.join(','), user.disabledAt, user.createdAt, user.updatedAt],
    );
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByName(name: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE name = ?`, [name]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Ordered by name (then id); with `page`, `limit + 1` users after the cursor's. */
  async list(page?: PageRequest): Promise<UserRecord[]> {
    const after = page?.afterId === undefined ? undefined : afterRow('users', 'name', page.afterId);
    const rows = await this.db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users${after ? ` WHERE ${after.sql}` : ''} ORDER BY name, id${page ? ' LIMIT ?' : ''}`,
      [...(after?.params ?? []), ...(page ? [page.limit + 1] : [])],
    );
    return rows.map(toRecord);
  }

  /** Inside a transaction on MariaDB the rows stay locked until it ends (SQLite transactions are serial anyway). */
  async activeAdminIds(): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(selectActiveAdmins(this.db));
    return rows.map((r) => r.id);
  }

  async update(id: string, patch: UserPatch, at: number): Promise<boolean> {
    const sets: string[] = ['updated_at = ?'];
    const params: (string | number | null)[] = [at];
    for (const [field, column] of Object.entries(PATCHABLE) as [keyof UserPatch, string][]) {
      if (patch[field] === undefined) continue;
      sets.push(`${column} = ?`);
      const value = patch[field];
      params.push(Array.isArray(value) ? value.join(',') : (value as string | number | null));
    }
    const { changes } = await this.db.execute(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    return changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    const { changes } = await this.db.execute('DELETE FROM users WHERE id = ?', [id]);
    return changes > 0;
  }
}
