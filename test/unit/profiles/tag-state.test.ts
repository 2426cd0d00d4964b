import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openSqlite } from '../../../src/db/sqlite.ts';
import { RfidEventRepository } from '../../../src/profiles/rfid-event-repository.ts';

const WINDOW = 360_000;

/** Once per plug-in session and tag: the claim rules on SQLite in memory (the same SQL runs on MariaDB in the RFID suite). */
describe('RFID tag state', () => {
  let db: Database;
  let repo: RfidEventRepository;

  beforeEach(async () => {
    db = openSqlite(':memory:');
    await migrate(db);
    repo = new RfidEventRepository(db);
  });
  afterEach(async () => db.close());

  it('takes a scan once, its bind not again, and a repeat of the bind never', async () => {
    expect(await repo.claim('3', 'T1', 'scan', 1000, WINDOW)).toBe(true);
    expect(await repo.claim('3', 'T1', 'scan', 2000, WINDOW)).toBe(false);
    expect(await repo.claim('3', 'T1', 'bind', 3000, WINDOW)).toBe(false);
    expect(await repo.claim('3', 'T1', 'bind', 10_000_000, WINDOW)).toBe(false);
    expect(await repo.claim('3', 'T1', 'scan', 10_000_000, WINDOW)).toBe(false); // rescan of the session's tag
  });

  it('takes a bind without a scan (a restart that missed it, or 1.9)', async () => {
    expect(await repo.claim('3', 'T1', 'bind', 1000, WINDOW)).toBe(true);
    expect(await repo.claim('3', 'T1', 'bind', 2000, WINDOW)).toBe(false);
  });

  it('takes the same tag again after the session ended', async () => {
    await repo.claim('3', 'T1', 'bind', 1000, WINDOW);
    await repo.close('3', 5000);
    expect(await repo.claim('3', 'T1', 'scan', 6000, WINDOW)).toBe(true);
    expect(await repo.claim('3', 'T1', 'bind', 7000, WINDOW)).toBe(false);
  });

  it('ignores a close older than the bind (a lagging instance)', async () => {
    await repo.claim('3', 'T1', 'bind', 5000, WINDOW);
    await repo.close('3', 4000);
    expect(await repo.claim('3', 'T1', 'bind', 6000, WINDOW)).toBe(false);
  });

  it('lets an unbound scan expire after the window, and a close not end it', async () => {
    await repo.claim('3', 'T1', 'scan', 1000, WINDOW);
    await repo.close('3', 2000);
    expect(await repo.claim('3', 'T1', 'scan', 3000, WINDOW)).toBe(false);
    expect(await repo.claim('3', 'T1', 'scan', 1000 + WINDOW + 1, WINDOW)).toBe(true);
  });

  it('keeps the session tag when another tag is scanned meanwhile', async () => {
    await repo.claim('3', 'T1', 'bind', 1000, WINDOW);
    expect(await repo.claim('3', 'OTHER', 'scan', 2000, WINDOW)).toBe(true);
    expect(await repo.claim('3', 'T1', 'bind', 3000, WINDOW)).toBe(false);
  });

  it('keeps chargepoints apart', async () => {
    expect(await repo.claim('3', 'T1', 'scan', 1000, WINDOW)).toBe(true);
    expect(await repo.claim('4', 'T1', 'scan', 1000, WINDOW)).toBe(true);
  });

  it('lets exactly one of several claimers win', async () => {
    const other = new RfidEventRepository(db);
    const results = await Promise.all([
      repo.claim('3', 'T9', 'bind', 1000, WINDOW),
      other.claim('3', 'T9', 'bind', 1000, WINDOW),
      repo.claim('3', 'T9', 'scan', 1000, WINDOW),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
