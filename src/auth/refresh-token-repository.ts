import type { Database } from '../db/database.ts';

export interface RefreshTokenRecord {
  id: string;
  /** All tokens rotated from one login share a family: the session. */
  familyId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** Set when the token was exchanged for its successor; presenting it again is reuse. */
  replacedAt: number | null;
  revokedAt: number | null;
}

interface Row {
  id: string;
  family_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  replaced_at: number | null;
  revoked_at: number | null;
}

const COLUMNS = 'id, family_id, user_id, created_at, expires_at, replaced_at, revoked_at';
const n = (v: number | null) => (v === null ? null : Number(v));
const toRecord = (r: Row): RefreshTokenRecord => ({
  id: r.id,
  familyId: r.family_id,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  replacedAt: n(r.replaced_at),
  revokedAt: n(r.revoked_at),
});

type Executor = Pick<Database, 'query' | 'execute'>;

export class RefreshTokenRepository {
  constructor(private readonly db: Executor) {}

  async insert(token: Omit<RefreshTokenRecord, 'replacedAt' | 'revokedAt'> & { hash: string }, db: Executor = this.db): Promise<void> {
    await db.execute('INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [
      token.id,
      token.familyId,
      token.userId,
      token.hash,
      token.createdAt,
      token.expiresAt,
    ]);
  }

  async findByHash(hash: string, db: Executor = this.db): Promise<RefreshTokenRecord | undefined> {
    const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM refresh_tokens WHERE token_hash = ?`, [hash]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Marks the token used; false when another request used (or revoked) it first. */
  async markReplaced(id: string, at: number, db: Executor = this.db): Promise<boolean> {
    const { changes } = await db.execute(
      'UPDATE refresh_tokens SET replaced_at = ? WHERE id = ? AND replaced_at IS NULL AND revoked_at IS NULL',
      [at, id],
    );
    return changes === 1;
  }

  async revokeFamily(familyId: string, at: number, db: Executor = this.db): Promise<void> {
    await db.execute('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL', [at, familyId]);
  }

  /** Revokes every session of a user and returns their ids. */
  async revokeUser(userId: string, at: number, db: Executor = this.db): Promise<string[]> {
    const rows = await db.query<{ family_id: string }>(
      'SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NULL',
      [userId],
    );
    await db.execute('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [at, userId]);
    return rows.map((r) => r.family_id);
  }

  /** Sessions revoked since `since`: an access token of theirs may still be unexpired. */
  async revokedFamiliesSince(since: number): Promise<{ familyId: string; revokedAt: number }[]> {
    const rows = await this.db.query<{ family_id: string; revoked_at: number }>(
      'SELECT family_id, MAX(revoked_at) AS revoked_at FROM refresh_tokens WHERE revoked_at >= ? GROUP BY family_id',
      [since],
    );
    return rows.map((r) => ({ familyId: r.family_id, revokedAt: Number(r.revoked_at) }));
  }

  /** Removes tokens that expired more than `graceMs` ago (kept a while so late reuse is still recognised). */
  async deleteExpired(before: number): Promise<number> {
    const { changes } = await this.db.execute('DELETE FROM refresh_tokens WHERE expires_at < ?', [before]);
    return changes;
  }
}
