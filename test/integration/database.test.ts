import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-key-repository.ts';
import { ApiKeyService } from '../../src/auth/api-key-service.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { MIGRATIONS } from '../../src/db/migrations/index.ts';
import { openMariaDb } from '../../src/db/mariadb.ts';
import { eventually } from '../support/gateway.ts';
import { openSqlite } from '../../src/db/sqlite.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';

interface Target {
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

const sqlite = (): Target => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-db-'));
  return { open: async () => openSqlite(join(dir, 'test.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
};
const mariadb = (): Target => {
  let database: TestDatabase | undefined;
  return {
    open: async () => openMariaDb((database ??= await createMariaDbDatabase('repo')).url),
    cleanup: async () => database?.drop(),
  };
};

describe.each([
  ['SQLite', sqlite],
  ['MariaDB', mariadb],
])('database layer on %s', (_name, makeTarget) => {
  const target = makeTarget();
  let db: Database;

  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
    await target.cleanup();
  });

  it('applies every migration once, also when run concurrently', async () => {
    const [first, second] = await Promise.all([migrate(db), migrate(db)]);
    expect([...first, ...second].sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const ledger = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(ledger.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('stores API keys only as hashes and authenticates, expires and revokes them', async () => {
    const service = new ApiKeyService(new ApiKeyRepository(db), { cacheTtlMs: 0 });
    const { key, record } = await service.create({ name: 'phone', scopes: ['read', 'control'] });
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = ?', [record.id]);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(key.startsWith(`${record.prefix}_`)).toBe(true);

    expect(await service.authenticate(key)).toEqual({ keyId: record.id, name: 'phone', scopes: ['read', 'control'] });
    expect(await service.authenticate(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();

    // The last use is written off the request path (on another pooled connection): wait for it.
    const listed = await eventually(async () => {
      const keys = await service.list();
      return keys.find((k) => k.id === record.id)?.lastUsedAt ? keys : undefined;
    });
    expect(listed.find((k) => k.id === record.id)).toMatchObject({ prefix: record.prefix, revokedAt: null });

    expect(await service.revoke(record.prefix)).toBe(1);
    expect(await service.authenticate(key)).toBeUndefined();
    expect(await service.revoke(record.prefix)).toBe(0);

    const expiring = await service.create({ name: 'short', scopes: ['read'], expiresAt: Date.now() - 1 });
    expect(await service.authenticate(expiring.key)).toBeUndefined();
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(
          "INSERT INTO api_keys (id, name, prefix, key_hash, scopes, created_at) VALUES ('tx-1', 'n', 'p', 'h-tx-1', 'read', 1)",
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT id FROM api_keys WHERE id = ?', ['tx-1'])).toEqual([]);
  });

  it('returns rows as arrays of their values in the SELECT order, and the same statement still as objects', async () => {
    const sql = "SELECT 'a' AS text, 42 AS number, NULL AS missing UNION ALL SELECT ?, ?, ?";
    expect(await db.queryArrays(sql, ['b', 7, null])).toEqual([
      ['a', 42, null],
      ['b', 7, null],
    ]);
    expect(await db.query(sql, ['b', 7, null])).toEqual([
      { text: 'a', number: 42, missing: null },
      { text: 'b', number: 7, missing: null },
    ]);
  });
});
