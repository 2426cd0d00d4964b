import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-key-repository.ts';
import { ApiKeyService } from '../../src/auth/api-key-service.ts';
import type { Database } from '../../src/db/database.ts';
import { mariadbTarget, type DatabaseTarget } from '../support/databases.ts';

/** The real database, with every statement counted by its text. */
function counting(db: Database): { db: Database; count: (fragment: string) => number } {
  const statements: string[] = [];
  return {
    db: {
      ...db,
      query: (sql, params) => {
        statements.push(sql);
        return db.query(sql, params);
      },
      execute: (sql, params) => {
        statements.push(sql);
        return db.execute(sql, params);
      },
    },
    count: (fragment) => statements.filter((sql) => sql.includes(fragment)).length,
  };
}

describe('credential look-ups on MariaDB', () => {
  let target: DatabaseTarget;
  beforeAll(async () => {
    target = await mariadbTarget('lookups');
  });
  afterAll(async () => target?.dispose());

  it('coalesces concurrent look-ups of one key into one query, and answers later ones from memory', async () => {
    const { db, count } = counting(target.db);
    const service = new ApiKeyService(new ApiKeyRepository(db), { cacheTtlMs: 60_000 });
    const { key, record } = await service.create({ name: 'phone', scopes: ['read'] });
    const other = await service.create({ name: 'tablet', scopes: ['read'] });

    const identities = await Promise.all([
      ...Array.from({ length: 50 }, () => service.authenticate(key)),
      ...Array.from({ length: 10 }, () => service.authenticate(other.key)),
    ]);
    expect(identities.slice(0, 50).every((identity) => identity?.keyId === record.id)).toBe(true);
    expect(identities.slice(50).every((identity) => identity?.keyId === other.record.id)).toBe(true);
    expect(count('WHERE key_hash = ?')).toBe(2);

    expect(service.authenticate(key)).toMatchObject({ keyId: record.id });
    expect(count('WHERE key_hash = ?')).toBe(2);
  });
});
