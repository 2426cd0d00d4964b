import type { Database } from '../db/database.ts';
import { AuditRepository } from './audit-repository.ts';
import type { AuditEntry, AuditFilter, AuditInput } from './audit.ts';

/**
 * The audit log: who did what, when, from where. Other capabilities call `record` for their actions
 * (control commands, profile changes); the write is awaited so an action is not reported done before
 * its audit entry exists.
 */
export class AuditService {
  private readonly repository: AuditRepository;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.repository = new AuditRepository(db);
  }

  async record(entry: AuditInput): Promise<void> {
    await this.repository.insert(entry, this.now());
  }

  async query(filter: AuditFilter): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const rows = await this.repository.find(filter);
    const items = rows.slice(0, filter.limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last.id) : null };
  }
}

export function encodeCursor(id: number): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

/** The id a cursor stands for, or undefined when it is not one this service made. */
export function decodeCursor(cursor: string): number | undefined {
  const match = /^a:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
