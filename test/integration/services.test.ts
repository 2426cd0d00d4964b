import * as mariadb from 'mariadb';
import { afterAll, describe, expect, it } from 'vitest';
import { UNIQUE_ID_PATTERN, createMariaDbDatabase, mariaDbConfig, services, uniqueDbName, uniqueId } from '../support/services.ts';
import type { TestDatabase } from '../support/services.ts';

describe('test support: uniqueId', () => {
  it('gives different ids from [a-z0-9_] only, even for awkward labels', () => {
    const ids = Array.from({ length: 50 }, () => uniqueId('My Label/with-dashes+#'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(UNIQUE_ID_PATTERN);
      expect(id.startsWith('my_label_with_dashes')).toBe(true);
    }
    expect(uniqueId('')).toMatch(UNIQUE_ID_PATTERN);
  });

  it('gives database names the test account may use, within 64 characters', () => {
    const name = uniqueDbName('a'.repeat(100));
    expect(name).toMatch(/^owg_test_[a-z0-9_]+$/);
    expect(name.length).toBeLessThanOrEqual(64);
  });
});

describe('test support: createMariaDbDatabase (real MariaDB)', () => {
  const created: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(created.map((db) => db.drop()));
  });

  it('creates a fresh database reachable through its URL, and drops it', async () => {
    const db = await createMariaDbDatabase('support');
    created.push(db);
    expect(db.name).toMatch(/^owg_test_support_[a-z0-9_]+$/);
    const url = new URL(db.url);
    expect(url.pathname).toBe(`/${db.name}`);
    expect(url.host).toBe(new URL(services.mariadbUrl).host);

    const conn = await mariadb.createConnection({ ...mariaDbConfig(db.url), insertIdAsNumber: true });
    try {
      const [current] = await conn.query<Array<{ db: string }>>('SELECT DATABASE() AS db');
      expect(current?.db).toBe(db.name);
      await conn.query('CREATE TABLE reading (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(40) NOT NULL, watts INT NOT NULL)');
      const inserted = await conn.query('INSERT INTO reading (label, watts) VALUES (?, ?), (?, ?)', ['lp1', 11000, 'lp2', 3700]);
      expect(inserted.affectedRows).toBe(2);
      const rows = await conn.query<Array<{ label: string; watts: number }>>('SELECT label, watts FROM reading ORDER BY id');
      expect(rows.map((r) => ({ label: r.label, watts: r.watts }))).toEqual([
        { label: 'lp1', watts: 11000 },
        { label: 'lp2', watts: 3700 },
      ]);
    } finally {
      await conn.end();
    }

    await db.drop();
    await db.drop(); // idempotent
    const admin = await mariadb.createConnection({ ...mariaDbConfig(), database: undefined });
    try {
      const left = await admin.query<unknown[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db.name]);
      expect(left).toHaveLength(0);
    } finally {
      await admin.end();
    }
  });

  it('gives each call its own database', async () => {
    const [a, b] = await Promise.all([createMariaDbDatabase('pair'), createMariaDbDatabase('pair')]);
    created.push(a, b);
    expect(a.name).not.toBe(b.name);
    expect(a.url).not.toBe(b.url);
  });
});
