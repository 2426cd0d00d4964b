/** API shapes of commands and of the state a command reply carries. */
import type { Schemas } from '../api/types.ts';
import type { CommandRecord } from './model.ts';

export type CommandDto = Schemas['Command'];

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function commandDto(
  record: CommandRecord,
  state: Partial<Pick<CommandDto, 'chargepoint' | 'settings' | 'vehicle' | 'socModule'>> = {},
): CommandDto {
  return {
    id: record.id,
    action: record.action,
    status: record.status,
    target: record.target,
    via: record.via,
    request: record.request,
    topics: record.topics,
    createdAt: new Date(record.createdAt).toISOString(),
    completedAt: iso(record.completedAt),
    detail: record.detail,
    ...state,
  };
}

export const commandLocation = (id: string): string => `/api/v1/commands/${id}`;

/**
 * How long a request waits (RFC 7240 `Prefer`): `respond-async` not at all, `wait=<s>` at most that long,
 * never past the command timeout.
 */
export function preferredWait(prefer: string | undefined, timeoutMs: number): { waitMs: number; applied?: string } {
  if (!prefer) return { waitMs: timeoutMs };
  const tokens = prefer.split(/[,;]/).map((t) => t.trim().toLowerCase());
  const wait = tokens.map((t) => /^wait\s*=\s*(\d{1,6})$/.exec(t)).find(Boolean);
  if (wait) {
    const waitMs = Math.min(Number(wait[1]) * 1000, timeoutMs);
    return { waitMs, applied: `wait=${Math.round(waitMs / 1000)}` };
  }
  if (tokens.includes('respond-async')) return { waitMs: 0, applied: 'respond-async' };
  return { waitMs: timeoutMs };
}
