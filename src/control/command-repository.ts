/** SQL for control commands: any instance can answer for a command another instance sent. */
import type { Database } from '../db/database.ts';
import { inserted, perDialect } from '../db/sql-dialect.ts';
import type { AuditActor } from '../audit/audit.ts';
import type { CommandAction, CommandRecord, CommandRequest, CommandStatus, CommandVia } from './model.ts';

interface Row {
  id: string;
  action: string;
  target_type: string;
  target_id: string;
  status: string;
  via: string;
  user_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  request: string;
  topics: string;
  detail: string | null;
  created_at: number;
  expires_at: number;
  completed_at: number | null;
}

const COLUMNS =
  'id, action, target_type, target_id, status, via, user_id, actor_type, actor_id, actor_name, request, topics, detail, created_at, expires_at, completed_at';

function parse<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const fromRow = (r: Row): CommandRecord => ({
  id: r.id,
  action: r.action as CommandAction,
  target: { type: r.target_type as CommandRecord['target']['type'], id: r.target_id },
  status: r.status as CommandStatus,
  via: r.via as CommandVia,
  userId: r.user_id,
  actor: { type: r.actor_type as AuditActor['type'], id: r.actor_id, name: r.actor_name },
  request: parse<CommandRequest>(r.request, {}),
  topics: parse<string[]>(r.topics, []),
  detail: r.detail,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  completedAt: r.completed_at === null ? null : Number(r.completed_at),
});

export class CommandRepository {
  constructor(private readonly db: Database) {}

  async insert(c: CommandRecord): Promise<void> {
    await this.db.execute(`INSERT INTO commands (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      c.id,
      c.action,
      c.target.type,
      c.target.id,
      c.status,
      c.via,
      c.userId,
      c.actor.type,
      c.actor.id,
      c.actor.name?.slice(0, 100) ?? null,
      JSON.stringify(c.request),
      JSON.stringify(c.topics),
      c.detail?.slice(0, 500) ?? null,
      c.createdAt,
      c.expiresAt,
      c.completedAt,
    ]);
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const [row] = await this.db.query<Row>(`SELECT ${COLUMNS} FROM commands WHERE id = ?`, [id]);
    return row ? fromRow(row) : undefined;
  }

  /** Moves a pending command to its outcome; false when it was no longer pending. */
  async complete(id: string, status: Exclude<CommandStatus, 'pending'>, at: number, detail: string | null = null): Promise<boolean> {
    const { changes } = await this.db.execute(
      "UPDATE commands SET status = ?, completed_at = ?, detail = COALESCE(?, detail) WHERE id = ? AND status = 'pending'",
      [status, at, detail?.slice(0, 500) ?? null, id],
    );
    return changes > 0;
  }

  async deleteOlderThan(before: number): Promise<number> {
    return (await this.db.execute('DELETE FROM commands WHERE created_at < ?', [before])).changes;
  }
}

const upsertMemory = perDialect(
  (sql) =>
    `INSERT INTO control_memory (chargepoint_id, name, value, updated_at) VALUES (?, ?, ?, ?) ${sql.onConflictUpdate(['chargepoint_id', 'name'], { value: inserted, updated_at: inserted })}`,
);

/** Small per-chargepoint facts the control keeps between commands (the last Min+PV current). */
export class ControlMemory {
  constructor(private readonly db: Database) {}

  async get(chargepointId: string, name: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ value: string }>('SELECT value FROM control_memory WHERE chargepoint_id = ? AND name = ?', [
      chargepointId,
      name,
    ]);
    return row?.value;
  }

  async set(chargepointId: string, name: string, value: string, at: number): Promise<void> {
    await this.db.execute(upsertMemory(this.db), [chargepointId, name, value, at]);
  }
}
