import type { Principal } from '../auth/principal.ts';

export type AuditOutcome = 'success' | 'failure';
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditActor {
  type: 'user' | 'apiKey' | 'system' | 'anonymous';
  /** User id (user), key id (apiKey); null for anonymous callers and the CLI. */
  id: string | null;
  name: string | null;
}

/** Where the request came from (behind nginx: the client address, see TRUST_PROXY). */
export interface AuditClient {
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditInput {
  /** Dotted, e.g. `auth.login`, `user.create`, `key.revoke`, `command.charge-mode`. */
  action: string;
  outcome?: AuditOutcome;
  actor: AuditActor;
  target?: { type: string; id: string } | null;
  client?: AuditClient;
  /** Never secrets: passwords, keys and tokens stay out of the audit log. */
  detail?: AuditDetail;
}

export interface AuditEntry {
  id: number;
  at: number;
  action: string;
  outcome: AuditOutcome;
  actor: AuditActor;
  target: { type: string; id: string } | null;
  ip: string | null;
  userAgent: string | null;
  detail: AuditDetail | null;
}

export interface AuditFilter {
  /** Matches the actor's id or name. */
  actor?: string;
  action?: string;
  from?: number;
  to?: number;
  /** Entries older than this id (the cursor). */
  before?: number;
  limit: number;
}

export const CLI_ACTOR: AuditActor = { type: 'system', id: null, name: 'cli' };

export function actorOf(principal: Principal | undefined): AuditActor {
  if (!principal) return { type: 'anonymous', id: null, name: null };
  if (principal.kind === 'token') return { type: 'user', id: principal.userId, name: principal.name };
  return { type: 'apiKey', id: principal.id, name: principal.name };
}
