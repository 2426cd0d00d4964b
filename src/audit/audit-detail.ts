import { truncated } from '../bounded-text.ts';
import type { AuditDetail } from './audit.ts';

/** The spec's bounds of an audit entry's `detail` (AuditEntry.detail), and what the database column holds. */
export const AUDIT_DETAIL_LIMITS = { properties: 20, valueLength: 1000, keyLength: 64, storedChars: 16_000 } as const;

/** A list as one detail value: the items while they fit, else their count and as many as fit. */
export function listDetail(items: readonly string[], noun: string, max: number = AUDIT_DETAIL_LIMITS.valueLength): string {
  const all = items.join(',');
  if (all.length <= max) return all;
  const head = `${items.length} ${noun}: `;
  let shown = '';
  for (const item of items) {
    const next = shown ? `${shown},${item}` : item;
    if (head.length + next.length + 1 > max) break;
    shown = next;
  }
  return `${head}${shown}…`;
}

/**
 * A detail within the spec's bounds: at most 20 properties (the last says how many were left out), keys and
 * values cut with a marker. Applied when an entry is written and when one is read, so entries stored before
 * the bounds existed are answered within them too.
 */
export function boundedDetail(detail: AuditDetail): AuditDetail {
  const { properties, valueLength, keyLength } = AUDIT_DETAIL_LIMITS;
  const entries = Object.entries(detail);
  const kept = entries.length > properties ? entries.slice(0, properties - 1) : entries;
  const bounded: AuditDetail = {};
  for (const [key, value] of kept) bounded[truncated(key, keyLength)] = typeof value === 'string' ? truncated(value, valueLength) : value;
  if (kept.length < entries.length) bounded.omitted = `${entries.length - kept.length} more properties`;
  return bounded;
}
