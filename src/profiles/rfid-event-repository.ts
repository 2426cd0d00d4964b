/**
 * SQL for RFID events and the per-chargepoint tag state that makes preset application happen once per
 * plug-in session and tag: a tag seen again (a retained republish, a restart, another gateway instance)
 * is "claimed" only when the state row changes, and SQL makes exactly one claimer win.
 */
import type { Database, SqlParam } from '../db/database.ts';
import type { Schemas } from '../api/types.ts';
import { InvalidInputError } from '../errors.ts';
import { rfidEventDto, type Attribution, type RfidEventRecord, type RfidOutcome, type RfidSource } from './model.ts';
import { Conditions } from '../db/where.ts';
import { perDialect } from '../db/sql-dialect.ts';

interface Row {
  id: number;
  at: number;
  chargepoint_id: string;
  tag: string;
  source: string;
  outcome: string;
  detail: string | null;
  profile_id: string | null;
  user_id: string | null;
  command_ids: string;
  session_id: string | null;
  attribution: string;
}

const COLUMNS = 'id, at, chargepoint_id, tag, source, outcome, detail, profile_id, user_id, command_ids, session_id, attribution';

const fromRow = (r: Row): RfidEventRecord => ({
  id: Number(r.id),
  at: Number(r.at),
  chargepointId: r.chargepoint_id,
  tag: r.tag,
  source: r.source as RfidSource,
  outcome: r.outcome as RfidOutcome,
  detail: r.detail,
  profileId: r.profile_id,
  userId: r.user_id,
  commandIds: r.command_ids.split(',').filter(Boolean),
  sessionId: r.session_id,
  attribution: r.attribution as Attribution,
});

export interface RfidEventQuery {
  /** Only this user's events (non-admins). */
  userId?: string;
  chargepointId?: string;
  outcome?: RfidOutcome;
  cursor?: string;
  limit: number;
}

export type EventChanges = Partial<
  Pick<RfidEventRecord, 'outcome' | 'detail' | 'profileId' | 'userId' | 'commandIds' | 'sessionId' | 'attribution'>
>;

/** Columns `update` may set: the only identifiers that reach SQL text. */
const UPDATABLE: Record<keyof EventChanges, string> = {
  outcome: 'outcome',
  detail: 'detail',
  profileId: 'profile_id',
  userId: 'user_id',
  commandIds: 'command_ids',
  sessionId: 'session_id',
  attribution: 'attribution',
};

const encodeCursor = (id: number) => Buffer.from(`r:${id}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^r:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidInputError('cursor: not a cursor of this list');
  return Number(match[1]);
}

const insertTagState = perDialect((sql) => `${sql.insertIgnore} INTO rfid_tag_state (chargepoint_id) VALUES (?)`);

export class RfidEventRepository {
  constructor(private readonly db: Database) {}

  async insert(event: Omit<RfidEventRecord, 'id'>): Promise<number> {
    const params: SqlParam[] = [
      event.at,
      event.chargepointId,
      event.tag.slice(0, 200),
      event.source,
      event.outcome,
      event.detail,
      event.profileId,
      event.userId,
      event.commandIds.join(','),
      event.sessionId,
      event.attribution,
    ];
    const sql = `INSERT INTO rfid_events (${COLUMNS.replace('id, ', '')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    // INSERT … RETURNING: SQLite ≥ 3.35, MariaDB ≥ 10.5.
    const [row] = await this.db.query<{ id: number }>(`${sql} RETURNING id`, params);
    return Number(row?.id);
  }

  async update(id: number, changes: EventChanges): Promise<void> {
    const sets: string[] = [];
    const params: SqlParam[] = [];
    for (const [key, column] of Object.entries(UPDATABLE) as [keyof EventChanges, string][]) {
      const value = changes[key];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(
        Array.isArray(value) ? value.join(',') : key === 'detail' && typeof value === 'string' ? value.slice(0, 500) : (value as SqlParam),
      );
    }
    if (sets.length) await this.db.execute(`UPDATE rfid_events SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  async list(query: RfidEventQuery): Promise<Schemas['RfidEventPage']> {
    const where = new Conditions()
      .add('user_id = ?', query.userId)
      .add('chargepoint_id = ?', query.chargepointId)
      .add('outcome = ?', query.outcome)
      .add('id < ?', query.cursor === undefined ? undefined : decodeCursor(query.cursor));
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM rfid_events${where.toSql()} ORDER BY id DESC LIMIT ?`, [
      ...where.params,
      query.limit + 1,
    ]);
    const items = rows.slice(0, query.limit).map(fromRow);
    const last = items.at(-1);
    return { items: items.map(rfidEventDto), nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
  }

  async pendingAttributions(since: number): Promise<RfidEventRecord[]> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM rfid_events WHERE attribution = 'pending' AND at >= ? ORDER BY id`, [
      since,
    ]);
    return rows.map(fromRow);
  }

  async deleteOlderThan(before: number): Promise<number> {
    return (await this.db.execute('DELETE FROM rfid_events WHERE at < ?', [before])).changes;
  }

  /**
   * Takes a tag seen on a chargepoint for processing; false when it is already handled: it is the tag bound to
   * the running session, or the same tag was scanned less than `scanWindowMs` ago. A bind of a recently
   * scanned tag adopts the scan as the session's tag without processing it again. One UPDATE decides, so of
   * several instances seeing the same message exactly one gets true.
   */
  async claim(chargepointId: string, tag: string, source: RfidSource, at: number, scanWindowMs: number): Promise<boolean> {
    await this.db.execute(insertTagState(this.db), [chargepointId]);
    const fresh = "NOT (COALESCE(scan_tag, '') = ? AND scan_at > ?)";
    const notBound = "COALESCE(bound_tag, '') <> ?";
    if (source === 'scan') {
      const { changes } = await this.db.execute(
        `UPDATE rfid_tag_state SET scan_tag = ?, scan_at = ? WHERE chargepoint_id = ? AND ${notBound} AND ${fresh}`,
        [tag, at, chargepointId, tag, tag, at - scanWindowMs],
      );
      return changes > 0;
    }
    const { changes } = await this.db.execute(
      `UPDATE rfid_tag_state SET bound_tag = ?, bound_at = ?, scan_tag = NULL, scan_at = NULL WHERE chargepoint_id = ? AND ${notBound} AND ${fresh}`,
      [tag, at, chargepointId, tag, tag, at - scanWindowMs],
    );
    if (changes > 0) return true;
    await this.db.execute(
      `UPDATE rfid_tag_state SET bound_tag = ?, bound_at = ?, scan_tag = NULL, scan_at = NULL WHERE chargepoint_id = ? AND ${notBound} AND scan_tag = ?`,
      [tag, at, chargepointId, tag, tag],
    );
    return false;
  }

  /**
   * Ends the chargepoint's bound tag (its session ended) unless it was bound after `at`, which keeps a late
   * close from a lagging instance from freeing a new session's tag for a second application.
   */
  async close(chargepointId: string, at: number): Promise<void> {
    await this.db.execute(
      'UPDATE rfid_tag_state SET bound_tag = NULL, bound_at = NULL WHERE chargepoint_id = ? AND bound_tag IS NOT NULL AND bound_at <= ?',
      [chargepointId, at],
    );
  }
}
