import { InvalidInputError } from '../errors.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import type { AuditEntry } from './audit.ts';
import { decodeCursor, type AuditService } from './audit-service.ts';

const entryDto = (entry: AuditEntry) => ({
  id: String(entry.id),
  at: new Date(entry.at).toISOString(),
  action: entry.action,
  outcome: entry.outcome,
  actor: entry.actor,
  target: entry.target,
  ip: entry.ip,
  userAgent: entry.userAgent,
  detail:
    entry.detail &&
    Object.fromEntries(
      Object.entries(entry.detail)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, String(v)]),
    ),
});

export function auditHandlers(audit: AuditService): Pick<HandlerTable, 'listAuditEntries'> {
  return {
    listAuditEntries: async ({ query }) => {
      const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (query.cursor !== undefined && before === undefined) throw new InvalidInputError('cursor is not a nextCursor of this endpoint');
      const from = query.from === undefined ? undefined : Date.parse(query.from);
      const to = query.to === undefined ? undefined : Date.parse(query.to);
      if (from !== undefined && to !== undefined && from >= to) throw new InvalidInputError('from must lie before to');
      const page = await audit.query({ actor: query.actor, action: query.action, from, to, before, limit: query.limit ?? 50 });
      return json(200, { items: page.items.map(entryDto), nextCursor: page.nextCursor }, { 'Cache-Control': 'no-store' });
    },
  };
}
