/**
 * Canonical JSON for checksums (RFC 8785, JSON Canonicalization Scheme, for the values a report holds):
 * object keys sorted by UTF-16 code units, no whitespace, strings escaped as JSON.stringify does, and no
 * numbers but safe integers (decimals travel as strings with a fixed number of places, so no two
 * serialisations of one figure exist). The SHA-256 is taken over the UTF-8 bytes.
 */
import { createHash } from 'node:crypto';

export type Canonical = string | number | boolean | null | readonly Canonical[] | { readonly [key: string]: Canonical };

export function canonicalJson(value: Canonical): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON holds integers only, not ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${(value as readonly Canonical[]).map(canonicalJson).join(',')}]`;
  const object = value as { readonly [key: string]: Canonical };
  const keys = Object.keys(object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as Canonical)}`).join(',')}}`;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
