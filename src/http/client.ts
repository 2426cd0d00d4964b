import type { Request } from 'express';
import type { AuditClient } from '../audit/audit.ts';

/** The caller's address (as `trust proxy` resolves it) and user agent, for the audit log and limits. */
export function clientOf(req: Request): AuditClient {
  return { ip: req.ip ?? null, userAgent: req.header('user-agent') ?? null };
}
