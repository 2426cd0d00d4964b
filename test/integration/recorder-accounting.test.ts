import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { openMariaDb } from '../../src/db/mariadb.ts';
import type { LiveReader } from '../../src/recorder/recorder.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { BOTH_DATABASES, sqliteTarget, type DatabaseTarget } from '../support/databases.ts';
import { INTERVAL, liveWorld, makeRecorder, type RecorderHarness } from '../support/recorder-world.ts';
import { services } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/** Every expected sample, by where it went. */
async function ledger(h: RecorderHarness) {
  const status = h.recorder.status();
  return {
    expected: await h.metric('recorder_samples_expected_total'),
    replayed: await h.metric('recorder_samples_replayed_total'),
    written: await h.metric('recorder_samples_written_total'),
    skipped: await h.metric('recorder_samples_skipped_total'),
    gaps: await h.metric('recorder_sample_gaps_total'),
    rejected: await h.metric('recorder_rows_rejected_total', { kind: 'sample' }),
    dropped: await h.metric('recorder_samples_dropped_total'),
    spooled: await h.metric('recorder_samples_spooled_total'),
    buffered: status.bufferedSamples,
  };
}

const balance = (l: Awaited<ReturnType<typeof ledger>>) =>
  l.expected + l.replayed - (l.written + l.skipped + l.gaps + l.rejected + l.dropped + l.spooled + l.buffered);

describe.each(BOTH_DATABASES)('recorder accounting on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  beforeAll(async () => {
    target = await makeTarget('accounting');
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('accounts for every expected sample: written, or a gap counted by reason, or rejected', async () => {
    const world = liveWorld();
    const { set, clock } = world;
    let liveDown = false;
    const live: LiveReader = {
      listChargePoints: () => (liveDown ? Promise.reject(new Error('connect ECONNREFUSED')) : world.live.listChargePoints()),
      getSite: () => world.live.getSite(),
      listVehicles: () => world.live.listVehicles(),
    };
    const h = makeRecorder(target.db, world, { live });
    const tick = async () => {
      clock.now += INTERVAL;
      await h.recorder.sampleOnce();
      await h.recorder.flush();
    };
    await set('system', 'openwb', { generation: '2', gridCounterId: '0' });
    await set('counter', '0', { power: 1500, energyImported: 5_000_000, energyExported: 0 });
    await set('site', 'home', { power: 480 });
    await set('chargepoint', '3', { power: 0, energyImported: 1000, energyExported: 0 });
    await tick(); // 7 series: grid ×3, home, chargepoint 3 ×3
    expect(await ledger(h)).toMatchObject({ expected: 7, written: 7, gaps: 0 });

    await set('site', 'home', { power: null });
    await tick(); // home.power has no value
    expect(await h.metric('recorder_sample_gaps_total', { reason: 'no-value' })).toBe(1);

    liveDown = true;
    await tick(); // the live store cannot be read: all 7 missing
    liveDown = false;
    expect(await h.metric('recorder_sample_gaps_total', { reason: 'live-store-unavailable' })).toBe(7);
    expect(h.logs.filter((l) => l.msg.startsWith('recorder cannot read the live store'))).toHaveLength(1);

    clock.now += 50_000; // only the grid meter keeps publishing: home and chargepoint 3 go stale
    await set('counter', '0', { power: 1600, energyImported: 1e300 });
    await tick(); // grid ×3 taken, one of them rejected; home + chargepoint 3 ×3 stale
    expect(await h.metric('recorder_sample_gaps_total', { reason: 'stale' })).toBe(4);
    expect(await h.metric('recorder_rows_rejected_total', { kind: 'sample', reason: 'out-of-range' })).toBe(1);

    const l = await ledger(h);
    expect(l).toEqual({
      expected: 28,
      replayed: 0,
      written: 7 + 6 + 2,
      skipped: 0,
      gaps: 12,
      rejected: 1,
      dropped: 0,
      spooled: 0,
      buffered: 0,
    });
    expect(balance(l)).toBe(0);
    const [row] = await target.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples');
    expect(Number(row?.n)).toBe(l.written);
  });
});

describe.each(BOTH_DATABASES)('recorder shutdown and restart on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let dir: string;
  let proxy: TcpProxy;
  beforeAll(async () => {
    target = await makeTarget('spool');
    dir = mkdtempSync(join(tmpdir(), 'owg-spool-'));
    const upstream = new URL(services.mariadbUrl);
    proxy = await TcpProxy.start(upstream.hostname, Number(upstream.port || 3306));
  });
  afterAll(async () => {
    await proxy?.close();
    await target?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The database the stopping instance writes to, and a way to make it take no writes (SQLite: read-only; MariaDB: cut away). */
  function failingDatabase(): { db: Database; fail(): Promise<void>; heal(): Promise<void>; close(): Promise<void> } {
    if (target.db.dialect === 'sqlite') {
      return {
        db: target.db,
        fail: async () => void (await target.db.execute('PRAGMA query_only = ON')),
        heal: async () => void (await target.db.execute('PRAGMA query_only = OFF')),
        close: async () => undefined,
      };
    }
    const proxied = new URL(target.url);
    proxied.port = String(proxy.port);
    const db = openMariaDb(proxied.toString());
    return { db, fail: () => proxy.cut(), heal: () => proxy.restore(), close: () => db.close().catch(() => undefined) };
  }

  it('spools what a stop cannot write, replays it at the next start, and says so in the log', async () => {
    const spoolFile = join(dir, 'recorder-spool.jsonl');
    const world = liveWorld();
    const { set, clock } = world;
    const failing = failingDatabase();
    const first = makeRecorder(failing.db, world, { spoolFile, shutdownFlushMs: 300, ids: ['5b2c1e9d-0000-4000-8000-000000000001'] });
    await set('site', 'home', { power: 400 });
    await set('chargepoint', '3', { power: 11_000, energyImported: 1000, plugged: true, charging: true });
    clock.now += INTERVAL;
    await first.recorder.sampleOnce();
    await first.recorder.flush(); // the open sessions are known; now the database takes no writes
    await failing.fail();
    for (let tick = 1; tick <= 3; tick++) {
      clock.now += INTERVAL;
      await set('chargepoint', '3', { energyImported: 1000 + 30 * tick });
      await first.recorder.sampleOnce();
    }
    expect(first.recorder.status()).toMatchObject({ bufferedSamples: 9, bufferedSessions: 1 });
    await first.recorder.stop();
    const lines = readFileSync(spoolFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(await first.metric('recorder_samples_spooled_total')).toBe(9);
    expect(balance(await ledger(first))).toBe(0);
    expect(first.logs.find((l) => l.msg.includes('spooled for the next start'))).toMatchObject({
      samples: 9,
      sessionUpdates: 1,
      quarantined: 0,
    });
    await failing.close(); // the stopped instance is gone before the database comes back
    await failing.heal();

    const second = makeRecorder(target.db, world, { spoolFile });
    second.recorder.start();
    try {
      expect(second.logs.find((l) => l.msg.startsWith('recorder spool replayed'))).toMatchObject({ samples: 9, sessionUpdates: 1 });
      await second.recorder.flush();
      expect(existsSync(spoolFile)).toBe(false);
      const [row] = await target.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples');
      expect(Number(row?.n)).toBe(12);
      const [session] = await new SessionRepository(target.db).listOpen();
      expect(session).toMatchObject({ id: '5b2c1e9d-0000-4000-8000-000000000001', energy: 90 });
      expect(await ledger(second)).toMatchObject({ replayed: 9, written: 9, buffered: 0 });
    } finally {
      await second.recorder.stop();
    }
    expect(second.logs.at(-1)?.msg).toBe('recorder stopped: everything recorded is written');
  });

  it('counts the ticks while no instance ran as gaps, and the replayed spool as written, never as gaps', async () => {
    const spoolFile = join(dir, 'restart-spool.jsonl');
    const start = Date.parse('2026-05-24T10:00:00Z');
    const world = liveWorld(start);
    const { set, clock } = world;
    const tick = async (h: RecorderHarness, at: number) => {
      clock.now = at;
      await set('site', 'home', { power: 400 });
      await set('chargepoint', '3', { power: 0, energyImported: 1000, energyExported: 0 });
      await h.recorder.sampleOnce();
    };
    const failing = failingDatabase();
    const first = makeRecorder(failing.db, world, { spoolFile, shutdownFlushMs: 300 });
    await tick(first, start + INTERVAL);
    await first.recorder.flush();
    await failing.fail();
    await tick(first, start + 2 * INTERVAL);
    await tick(first, start + 3 * INTERVAL);
    await first.recorder.stop(); // ticks 2 and 3 of 4 series spooled
    expect(await first.metric('recorder_samples_spooled_total')).toBe(8);
    await failing.close();
    await failing.heal();

    const second = makeRecorder(target.db, world, { spoolFile });
    second.recorder.start();
    try {
      await tick(second, start + 6 * INTERVAL); // ticks 4 and 5 were taken by no instance
      await second.recorder.flush();
      const l = await ledger(second);
      expect(await second.metric('recorder_sample_gaps_total', { reason: 'not-recording' })).toBe(2 * 4);
      expect(l).toMatchObject({ expected: 8 + 4, replayed: 8, written: 8 + 4, gaps: 8, buffered: 0 });
      expect(balance(l)).toBe(0);
      const [row] = await target.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples WHERE ts > ?', [start]);
      expect(Number(row?.n)).toBe(4 * 4); // ticks 1, 2, 3 and 6
    } finally {
      await second.recorder.stop();
    }
  });
});

describe('recorder and retired chargepoints', () => {
  let target: DatabaseTarget;
  beforeAll(async () => {
    target = await sqliteTarget('retired');
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('closes a session on a chargepoint the live reads no longer list, when it was last seen', async () => {
    const world = liveWorld(Date.parse('2026-05-21T10:00:00Z'));
    const { set, clock } = world;
    let retired = false;
    const live: LiveReader = {
      listChargePoints: async () => (await world.live.listChargePoints()).filter((cp) => !(retired && cp.id === '9')),
      getSite: () => world.live.getSite(),
      listVehicles: () => world.live.listVehicles(),
    };
    const h = makeRecorder(target.db, world, { live, ids: ['5b2c1e9d-0000-4000-8000-000000000009'] });
    const tick = async () => {
      clock.now += INTERVAL;
      await h.recorder.sampleOnce();
      await h.recorder.flush();
    };
    await set('chargepoint', '9', { power: 3_000, energyImported: 100, plugged: true, charging: true });
    await tick();
    await set('chargepoint', '9', { energyImported: 110 });
    await tick();
    const lastSeen = clock.now;
    retired = true;
    await tick();
    await tick();
    const repository = new SessionRepository(target.db);
    expect((await repository.get('5b2c1e9d-0000-4000-8000-000000000009'))?.end).toBeNull();
    await tick(); // the third tick without it
    expect(await repository.get('5b2c1e9d-0000-4000-8000-000000000009')).toMatchObject({ end: lastSeen, energy: 10 });
  });
});
