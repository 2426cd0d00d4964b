import type { Role } from './principal.ts';

export interface UserRecord {
  id: string;
  /** Stored lower-case: names compare case-insensitively. */
  name: string;
  role: Role;
  passwordHash: string;
  /** Chargepoint ids a `user` may see and control (ignored for admins). */
  chargepoints: string[];
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export function normalizeUsername(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

export function isValidUsername(name: string): boolean {
  return USERNAME_PATTERN.test(normalizeUsername(name));
}

/** Ids as stored: unique, sorted, so that equal sets compare equal. */
export function normalizeChargepoints(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
