/** The rows the recorder could not store, kept with the reason in `recorder_quarantine`. */
import type { Database } from '../db/database.ts';
import type { RejectReason } from './validation.ts';

export interface QuarantineEntry {
  kind: 'sample' | 'session';
  reason: RejectReason;
  detail: string;
  /** The row as JSON; numbers JSON cannot hold (Infinity, NaN) are kept as strings. */
  row: string;
  at: number;
}

const MAX_ROW_CHARS = 60_000;

export function quarantineEntry(
  kind: QuarantineEntry['kind'],
  reason: RejectReason,
  detail: string,
  row: unknown,
  at: number,
): QuarantineEntry {
  const json = JSON.stringify(row, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
  return { kind, reason, detail: detail.slice(0, 500), row: json.slice(0, MAX_ROW_CHARS), at };
}

export async function insertQuarantined(db: Pick<Database, 'execute'>, entry: QuarantineEntry): Promise<void> {
  await db.execute('INSERT INTO recorder_quarantine (kind, reason, detail, row_json, created_at) VALUES (?, ?, ?, ?, ?)', [
    entry.kind,
    entry.reason,
    entry.detail,
    entry.row,
    entry.at,
  ]);
}

export async function pruneQuarantine(db: Pick<Database, 'execute'>, before: number): Promise<number> {
  return (await db.execute('DELETE FROM recorder_quarantine WHERE created_at < ?', [before])).changes;
}
