import type { Database, SqlParam } from '../db/database.ts';
import { truncated } from '../bounded-text.ts';
import { AUDIT_DETAIL_LIMITS, boundedDetail } from './audit-detail.ts';
import type { AuditActor, AuditDetail, AuditEntry, AuditFilter, AuditInput, AuditOutcome } from './audit.ts';

interface Row {
  id: number;
  at: number;
  action: string;
  outcome: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

const cut = (value: string | null | undefined, max: number) => (value == null ? null : value.slice(0, max));

function parseDetail(text: string | null): AuditDetail | null {
  if (text === null) return null;
  try {
    const detail: unknown = JSON.parse(text);
    return typeof detail === 'object' && detail !== null && !Array.isArray(detail) ? boundedDetail(detail as AuditDetail) : null;
  } catch {
    return null;
  }
}

/** The detail as stored: bounded, and short enough for the column (the longest value halved until it fits). */
function storedDetail(detail: AuditDetail): string {
  const bounded = boundedDetail(detail);
  let text = JSON.stringify(bounded);
  while (text.length > AUDIT_DETAIL_LIMITS.storedChars) {
    const [key, value] = Object.entries(bounded).reduce((a, b) => (String(b[1]).length > String(a[1]).length ? b : a));
    bounded[key] = truncated(String(value), Math.max(32, Math.floor(String(value).length / 2)));
    text = JSON.stringify(bounded);
  }
  return text;
}

const toEntry = (r: Row): AuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  action: r.action,
  outcome: r.outcome as AuditOutcome,
  actor: { type: r.actor_type as AuditActor['type'], id: r.actor_id, name: r.actor_name },
  target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
  ip: r.ip,
  userAgent: r.user_agent,
  detail: parseDetail(r.detail),
});

export class AuditRepository {
  constructor(private readonly db: Database) {}

  async insert(entry: AuditInput, at: number): Promise<void> {
    await this.db.execute(
      'INSERT INTO audit_log (at, action, outcome, actor_type, actor_id, actor_name, target_type, target_id, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        at,
        cut(entry.action, 64),
        entry.outcome ?? 'success',
        entry.actor.type,
        cut(entry.actor.id, 64),
        cut(entry.actor.name, 100),
        cut(entry.target?.type, 32),
        cut(entry.target?.id, 64),
        cut(entry.client?.ip, 64),
        cut(entry.client?.userAgent, 256),
        entry.detail ? storedDetail(entry.detail) : null,
      ],
    );
  }

  /** Newest first; `limit + 1` rows are read so the caller knows whether there is a next page. */
  async find(filter: AuditFilter): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (filter.actor !== undefined) {
      where.push('(actor_id = ? OR actor_name = ?)');
      params.push(filter.actor, filter.actor);
    }
    if (filter.action !== undefined) {
      where.push('action = ?');
      params.push(filter.action);
    }
    if (filter.from !== undefined) {
      where.push('at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('at < ?');
      params.push(filter.to);
    }
    if (filter.before !== undefined) {
      where.push('id < ?');
      params.push(filter.before);
    }
    const sql =
      'SELECT id, at, action, outcome, actor_type, actor_id, actor_name, target_type, target_id, ip, user_agent, detail FROM audit_log' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY id DESC LIMIT ?';
    const rows = await this.db.query<Row>(sql, [...params, filter.limit + 1]);
    return rows.map(toEntry);
  }
}
