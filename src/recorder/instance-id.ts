/**
 * A stable identity of this gateway instance, so that after a restart it recognises its own recorder
 * lock. Configured (INSTANCE_ID), or made once and kept in a file beside the recorder's spool.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function resolveInstanceId(configured: string | undefined, file: string): string {
  if (configured) return configured;
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (INSTANCE_ID_PATTERN.test(stored)) return stored;
  }
  const id = randomUUID();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
