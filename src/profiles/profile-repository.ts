/** SQL for RFID profiles and their tags (one row per tag, keyed case-insensitively: a tag has one profile). */
import { isUniqueViolation } from '../auth/user-service.ts';
import type { Database } from '../db/database.ts';
import { afterRow, type PageRequest } from '../db/keyset-page.ts';
import { ConflictError } from '../errors.ts';
import { tagKey, type Preset, type ProfileRecord } from './model.ts';

type Executor = Pick<Database, 'dialect' | 'query' | 'execute'>;

interface Row {
  id: string;
  user_id: string;
  user_name: string | null;
  name: string;
  chargepoints: string;
  preset: string;
  created_at: number;
  updated_at: number;
}

const SELECT = `SELECT p.id, p.user_id, u.name AS user_name, p.name, p.chargepoints, p.preset, p.created_at, p.updated_at
  FROM rfid_profiles p LEFT JOIN users u ON u.id = p.user_id`;

function parsePreset(text: string): Preset {
  try {
    return JSON.parse(text) as Preset;
  } catch {
    return {};
  }
}

export class ProfileRepository {
  constructor(private readonly db: Database) {}

  /** Ordered by name (then id), of one user or all; with `page`, `limit + 1` profiles after the cursor's. */
  async list(userId?: string, page?: PageRequest): Promise<ProfileRecord[]> {
    const after = page?.afterId === undefined ? undefined : afterRow('rfid_profiles', 'name', page.afterId, 'p.');
    const where = [...(userId ? ['p.user_id = ?'] : []), ...(after ? [after.sql] : [])];
    const rows = await this.db.query<Row>(
      `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY p.name, p.id${page ? ' LIMIT ?' : ''}`,
      [...(userId ? [userId] : []), ...(after?.params ?? []), ...(page ? [page.limit + 1] : [])],
    );
    return this.withTags(this.db, rows);
  }

  async get(id: string, executor: Executor = this.db): Promise<ProfileRecord | undefined> {
    const rows = await executor.query<Row>(`${SELECT} WHERE p.id = ?`, [id]);
    return (await this.withTags(executor, rows))[0];
  }

  async findByTag(tag: string): Promise<ProfileRecord | undefined> {
    const [row] = await this.db.query<{ profile_id: string }>('SELECT profile_id FROM rfid_profile_tags WHERE tag_key = ?', [tagKey(tag)]);
    return row ? this.get(row.profile_id) : undefined;
  }

  async insert(profile: ProfileRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(
        'INSERT INTO rfid_profiles (id, user_id, name, chargepoints, preset, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          profile.id,
          profile.userId,
          profile.name,
          profile.chargepoints.join(','),
          JSON.stringify(profile.preset),
          profile.createdAt,
          profile.updatedAt,
        ],
      );
      await this.insertTags(tx, profile.id, profile.tags);
    });
  }

  async update(profile: ProfileRecord, tagsChanged: boolean): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.execute(
        'UPDATE rfid_profiles SET user_id = ?, name = ?, chargepoints = ?, preset = ?, updated_at = ? WHERE id = ?',
        [profile.userId, profile.name, profile.chargepoints.join(','), JSON.stringify(profile.preset), profile.updatedAt, profile.id],
      );
      if (changes === 0) return false;
      if (tagsChanged) {
        await tx.execute('DELETE FROM rfid_profile_tags WHERE profile_id = ?', [profile.id]);
        await this.insertTags(tx, profile.id, profile.tags);
      }
      return true;
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM rfid_profile_tags WHERE profile_id = ?', [id]);
      return (await tx.execute('DELETE FROM rfid_profiles WHERE id = ?', [id])).changes > 0;
    });
  }

  private async insertTags(tx: Executor, profileId: string, tags: readonly string[]): Promise<void> {
    const keys = tags.map(tagKey);
    if (new Set(keys).size !== keys.length) throw new ConflictError('tags: the same tag twice (tags compare case-insensitively)');
    const taken = await tx.query<{ tag: string; profile_id: string }>(
      `SELECT tag, profile_id FROM rfid_profile_tags WHERE tag_key IN (${keys.map(() => '?').join(', ')})`,
      keys,
    );
    const clash = taken.find((t) => t.profile_id !== profileId);
    if (clash) throw new ConflictError(`Tag ${clash.tag} already belongs to another profile`);
    try {
      for (const [position, tag] of tags.entries()) {
        await tx.execute('INSERT INTO rfid_profile_tags (tag_key, tag, profile_id, position) VALUES (?, ?, ?, ?)', [
          tagKey(tag),
          tag,
          profileId,
          position,
        ]);
      }
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A tag already belongs to another profile');
      throw error;
    }
  }

  private async withTags(executor: Executor, rows: Row[]): Promise<ProfileRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const tags = await executor.query<{ profile_id: string; tag: string }>(
      `SELECT profile_id, tag FROM rfid_profile_tags WHERE profile_id IN (${ids.map(() => '?').join(', ')}) ORDER BY position`,
      ids,
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      userName: r.user_name,
      name: r.name,
      tags: tags.filter((t) => t.profile_id === r.id).map((t) => t.tag),
      chargepoints: r.chargepoints.split(',').filter(Boolean),
      preset: parsePreset(r.preset),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }
}
