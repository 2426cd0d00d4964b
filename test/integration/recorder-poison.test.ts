import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { BOTH_DATABASES } from '../support/databases.ts';
import { INTERVAL, liveWorld, makeRecorder } from '../support/recorder-world.ts';

const LONG_ID = '1234567890123456789012345678901234567890';

async function samplesBySeries(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ series_key: string; n: number }>(
    'SELECT s.series_key, COUNT(*) AS n FROM stat_samples x JOIN stat_series s ON s.id = x.series_id GROUP BY s.series_key',
  );
  return Object.fromEntries(rows.map((r) => [r.series_key, Number(r.n)]));
}

async function quarantine(db: Database) {
  const rows = await db.query<{ kind: string; reason: string; detail: string; row_json: string }>(
    'SELECT kind, reason, detail, row_json FROM recorder_quarantine ORDER BY id',
  );
  return rows.map((r) => ({ kind: r.kind, reason: r.reason, detail: r.detail, row: JSON.parse(r.row_json) as Record<string, unknown> }));
}

const TRIGGERS = {
  sqlite: [
    `CREATE TRIGGER refuse_poison_sample BEFORE INSERT ON stat_samples WHEN NEW.value = 666 BEGIN SELECT RAISE(ABORT, 'poison sample'); END`,
    `CREATE TRIGGER refuse_poison_session BEFORE INSERT ON charging_sessions WHEN NEW.chargepoint_id = '13' BEGIN SELECT RAISE(ABORT, 'poison session'); END`,
  ],
  mariadb: [
    `CREATE TRIGGER refuse_poison_sample BEFORE INSERT ON stat_samples FOR EACH ROW BEGIN
       IF NEW.value = 666 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poison sample'; END IF; END`,
    `CREATE TRIGGER refuse_poison_session BEFORE INSERT ON charging_sessions FOR EACH ROW BEGIN
       IF NEW.chargepoint_id = '13' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poison session'; END IF; END`,
  ],
};

describe.each(BOTH_DATABASES)('a poisoned recorder on %s', (_name, makeTarget) => {
  it('writes every good row and quarantines the bad ones (bad series id, 250-character tag, 1e308 counter)', async () => {
    const target = await makeTarget('poison');
    try {
      const world = liveWorld();
      const { set, clock } = world;
      const { recorder, metric } = makeRecorder(target.db, world);
      await set('system', 'openwb', { generation: '2', gridCounterId: '0' });
      await set('counter', '0', { power: 1500, energyImported: 5_000_000, energyExported: 0 });
      await set('chargepoint', LONG_ID, { power: 100 });
      await set('chargepoint', '3', { power: 11_000, energyImported: 1000, plugged: true, charging: true, rfidTag: 'x'.repeat(250) });
      await set('chargepoint', '4', { power: 7_000, energyImported: 2000, plugged: true, charging: true, rfidTag: '04A1B2C3' });
      for (let tick = 0; tick < 3; tick++) {
        clock.now += INTERVAL;
        // 1c: a counter reading no meter can produce, for two ticks.
        await set('counter', '0', { energyImported: tick === 1 || tick === 2 ? 1e308 : 5_000_000 + tick });
        await set('chargepoint', '3', { energyImported: 1000 + 30 * tick });
        await set('chargepoint', '4', { energyImported: 2000 + 20 * tick });
        expect(await recorder.sampleOnce()).toBe(true);
        await recorder.flush();
      }

      expect(await samplesBySeries(target.db)).toEqual({
        'grid.power': 3,
        'grid.energyImported': 1,
        'grid.energyExported': 3,
        'chargepoint.3.power': 3,
        'chargepoint.3.energyImported': 3,
        'chargepoint.4.power': 3,
        'chargepoint.4.energyImported': 3,
      });
      const rows = await quarantine(target.db);
      expect(rows.map((r) => [r.kind, r.reason])).toEqual([
        ['sample', 'invalid-series'],
        ['session', 'too-long'],
        ['sample', 'invalid-series'],
        ['sample', 'out-of-range'],
        ['sample', 'invalid-series'],
        ['sample', 'out-of-range'],
      ]);
      expect(rows[0]?.row).toEqual({ series: `chargepoint.${LONG_ID}.power`, ts: clock.now - 2 * INTERVAL, value: 100 });
      expect(rows[1]?.detail).toBe('rfidTag of 250 characters (at most 200) stored as null');
      expect(rows[3]?.row).toMatchObject({ series: 'grid.energyImported', value: 1e308 });
      expect(await metric('recorder_rows_rejected_total', { kind: 'sample', reason: 'invalid-series' })).toBe(3);
      expect(await metric('recorder_rows_rejected_total', { kind: 'sample', reason: 'out-of-range' })).toBe(2);
      expect(await metric('recorder_rows_rejected_total', { kind: 'session', reason: 'too-long' })).toBe(1);

      // Both sessions are stored; the too-long tag is left out, nothing else is lost.
      const sessions = (await new SessionRepository(target.db).listOpen()).map((s) => [s.chargepointId, s.rfidTag, s.energy]);
      expect(sessions.sort()).toEqual([
        ['3', null, 60],
        ['4', '04A1B2C3', 40],
      ]);
      // The rollups never saw the impossible reading: the hour's energy is the real delta.
      const [rollup] = await target.db.query<{ energy: number }>(
        `SELECT r.energy FROM stat_rollups r JOIN stat_series s ON s.id = r.series_id WHERE s.series_key = 'grid.energyImported' AND r.resolution_ms = 3600000`,
      );
      expect(Number(rollup?.energy)).toBe(0);
      expect(recorder.status()).toMatchObject({ bufferedSamples: 0, bufferedSessions: 0, lastError: undefined });
    } finally {
      await target.dispose();
    }
  });

  it('isolates rows the database itself refuses: one bad sample or session never blocks another', async () => {
    const target = await makeTarget('refused');
    try {
      for (const statement of TRIGGERS[target.db.dialect]) await target.db.execute(statement);
      const world = liveWorld();
      const { set, clock } = world;
      const { recorder, metric } = makeRecorder(target.db, world);
      await set('site', 'home', { power: 400 });
      await set('site', 'pv', { power: 2000 });
      await set('chargepoint', '13', { power: 11_000, energyImported: 100, plugged: true, charging: true });
      await set('chargepoint', '14', { power: 7_000, energyImported: 500, plugged: true, charging: true });
      // Four ticks buffered while nothing is flushed, so the refused sample sits inside one batch with 23 good ones.
      for (let tick = 0; tick < 4; tick++) {
        clock.now += INTERVAL;
        await set('site', 'home', { power: tick === 2 ? 666 : 400 + tick });
        await set('chargepoint', '13', { energyImported: 100 + 10 * tick });
        await set('chargepoint', '14', { energyImported: 500 + 10 * tick });
        await recorder.sampleOnce();
      }
      expect(recorder.status().bufferedSamples).toBe(24);
      await recorder.flush();

      const counts = await samplesBySeries(target.db);
      expect(counts['home.power']).toBe(3);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(23);
      expect(await metric('recorder_samples_written_total')).toBe(23);
      const rows = await quarantine(target.db);
      expect(rows.map((r) => [r.kind, r.reason])).toEqual([
        ['sample', 'refused-by-database'],
        ['session', 'refused-by-database'],
      ]);
      expect(rows[0]?.row).toEqual({ series: 'home.power', ts: clock.now - INTERVAL, value: 666 });
      expect(rows[0]?.detail).toMatch(/poison sample/);
      expect(rows[1]?.row).toMatchObject({ chargepointId: '13' });
      const open = await new SessionRepository(target.db).listOpen();
      expect(open.map((s) => [s.chargepointId, s.energy])).toEqual([['14', 30]]);
      expect(recorder.status()).toMatchObject({ bufferedSamples: 0, bufferedSessions: 0, lastError: undefined });

      // The next tick goes on as usual.
      clock.now += INTERVAL;
      await set('site', 'home', { power: 410 });
      await set('chargepoint', '14', { energyImported: 545 });
      await recorder.sampleOnce();
      await recorder.flush();
      expect((await samplesBySeries(target.db))['home.power']).toBe(4);
      expect((await new SessionRepository(target.db).listOpen()).map((s) => s.energy)).toEqual([45]);
      expect(await metric('recorder_rows_rejected_total', { reason: 'refused-by-database' })).toBe(3);
    } finally {
      await target.dispose();
    }
  });
});
