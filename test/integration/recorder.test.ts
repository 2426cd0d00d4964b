import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryService } from '../../src/history/history-service.ts';
import { LiveService } from '../../src/live/live-service.ts';
import { MemoryLiveStore } from '../../src/live/memory-store.ts';
import type { EntityKind, Json } from '../../src/live/model.ts';
import { LocalLock } from '../../src/recorder/lock.ts';
import { createRecorderMetrics } from '../../src/recorder/metrics.ts';
import { Recorder } from '../../src/recorder/recorder.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { SessionService } from '../../src/sessions/session-service.ts';
import type { Tariff } from '../../src/sessions/tariff.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';

const INTERVAL = 10_000;
const T0 = Date.parse('2026-05-20T10:00:00Z');
const tariff: Tariff = { pricePerKwh: 0.3, windows: [], currency: 'EUR', timeZone: 'Europe/Berlin' };

/** A live store filled like ingest fills it, and a clock the test moves. */
function liveWorld() {
  const store = new MemoryLiveStore();
  const clock = { now: T0 };
  const set = (kind: EntityKind, id: string, fields: Record<string, Json>) =>
    store.apply(Object.entries(fields).map(([field, value]) => ({ kind, id, field, value, receivedAt: clock.now })));
  const live = new LiveService(store, { staleAfterMs: 60_000, now: () => clock.now });
  return { store, clock, set, live };
}

function makeRecorder(target: DatabaseTarget, world: ReturnType<typeof liveWorld>, ids: string[] = []) {
  return new Recorder({
    live: world.live,
    db: target.db,
    lock: new LocalLock(),
    metrics: createRecorderMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
    options: { intervalMs: INTERVAL, rawRetentionMs: 30 * 86_400_000, bufferSize: 10_000, tariff },
    now: () => world.clock.now,
    newId: () => ids.shift() ?? crypto.randomUUID(),
  });
}

describe.each(BOTH_DATABASES)('recorder on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;

  beforeAll(async () => {
    target = await makeTarget('recorder');
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('samples fresh live values at interval boundaries and skips stale ones', async () => {
    const world = liveWorld();
    const { set, clock } = world;
    await set('system', 'openwb', { generation: '2', gridCounterId: '0' });
    await set('counter', '0', { power: 1520, energyImported: 5_000_000, energyExported: 100 });
    await set('site', 'pv', { power: 5230, energyTotal: 9_000_000 });
    await set('site', 'battery', { power: -300, soc: 78, energyImported: 1000, energyExported: 900 });
    await set('site', 'home', { power: 480 });
    await set('chargepoint', '3', { power: 0, energyImported: 1_250_000, energyExported: 0, plugged: false, charging: false });
    await set('vehicle', '1', { name: 'e-Golf', soc: 55 });
    const recorder = makeRecorder(target, world);

    clock.now = T0 + 3_456; // the tick is labelled by its boundary, not by when it ran
    expect(recorder.boundary()).toBe(T0);
    expect(await recorder.sampleOnce()).toBe(true);
    await recorder.flush();
    const rows = await target.db.query<{ series_key: string; ts: number; value: number }>(
      'SELECT s.series_key, x.ts, x.value FROM stat_samples x JOIN stat_series s ON s.id = x.series_id ORDER BY s.series_key',
    );
    expect(rows.map((r) => [r.series_key, Number(r.ts), Number(r.value)])).toEqual([
      ['battery.energyExported', T0, 900],
      ['battery.energyImported', T0, 1000],
      ['battery.power', T0, -300],
      ['battery.soc', T0, 78],
      ['chargepoint.3.energyExported', T0, 0],
      ['chargepoint.3.energyImported', T0, 1_250_000],
      ['chargepoint.3.power', T0, 0],
      ['grid.energyExported', T0, 100],
      ['grid.energyImported', T0, 5_000_000],
      ['grid.power', T0, 1520],
      ['home.power', T0, 480],
      ['pv.energyTotal', T0, 9_000_000],
      ['pv.power', T0, 5230],
      ['vehicle.1.soc', T0, 55],
    ]);

    // 70 s later only the grid counter was refreshed: everything else is stale and leaves a gap.
    clock.now = T0 + 70_000;
    await set('counter', '0', { power: 1600, energyImported: 5_000_030 });
    await recorder.sampleOnce();
    await recorder.flush();
    const later = await target.db.query<{ series_key: string }>(
      'SELECT s.series_key FROM stat_samples x JOIN stat_series s ON s.id = x.series_id WHERE x.ts = ? ORDER BY s.series_key',
      [T0 + 70_000],
    );
    expect(later.map((r) => r.series_key)).toEqual(['grid.energyExported', 'grid.energyImported', 'grid.power']);

    const history = new HistoryService(target.db, { timeZone: 'UTC', now: () => clock.now });
    const result = await history.query({
      series: ['grid.energyImported', 'pv.power'],
      start: '2026-05-20T10:00Z',
      end: '2026-05-20T10:05Z',
      interval: '5m',
    });
    expect(result.series.map((s) => s.points)).toEqual([
      [{ start: '2026-05-20T10:00:00Z', energy: 30, quality: 'measured' }],
      [{ start: '2026-05-20T10:00:00Z', avgPower: 5230, maxPower: 5230, minPower: 5230 }],
    ]);
    expect(recorder.status()).toEqual({
      active: true,
      bufferedSamples: 0,
      bufferedSessions: 0,
      lostSamples: 0,
      lostSessions: 0,
      lastError: undefined,
      lastWriteAt: T0 + 70_000,
      stalledForMs: undefined,
    });
  });

  it('keeps an open session across a gateway restart and a broker outage without splitting it', async () => {
    const world = liveWorld();
    const { set, clock } = world;
    const cp = (fields: Record<string, Json>) => set('chargepoint', '7', fields);
    const sessionId = crypto.randomUUID();
    clock.now = T0 + 86_400_000;
    const base = clock.now;
    const tick = async (recorder: Recorder, n: number) => {
      clock.now = base + n * INTERVAL;
      await recorder.sampleOnce();
      await recorder.flush();
    };

    let recorder = makeRecorder(target, world, [sessionId]);
    await cp({
      power: 0,
      energyImported: 2_000_000,
      plugged: true,
      charging: false,
      chargeMode: 'pv',
      vehicleId: '1',
      vehicleName: 'e-Golf',
      vehicleSoc: 40,
    });
    await tick(recorder, 0);
    await cp({ power: 11_000, energyImported: 2_000_000, charging: true, rfidTag: '04A1B2C3' });
    await tick(recorder, 1);
    await cp({ power: 11_000, energyImported: 2_000_030 });
    await tick(recorder, 2);
    await recorder.stop();

    // Restart: a new recorder on a new connection finds the open session in the database.
    const db2 = target.reopen();
    recorder = new Recorder({ ...(recorder as unknown as { deps: ConstructorParameters<typeof Recorder>[0] }).deps, db: db2 });
    await cp({ power: 11_000, energyImported: 2_000_061 });
    await tick(recorder, 3);

    // Broker outage: no updates for 5 minutes, the values go stale, the session stays open and is not split.
    for (let n = 4; n < 34; n++) await tick(recorder, n);
    const sessions = new SessionService(new SessionRepository(target.db), { timeZone: 'UTC', currency: 'EUR' });
    const during = await sessions.list({ chargepoint: '7' });
    expect(during.items).toHaveLength(1);
    expect(during.items[0]).toMatchObject({ id: sessionId, end: null, energy: 61 });

    // The broker is back, openWB republishes: still charging, meter moved on during the outage.
    await cp({ power: 11_000, energyImported: 2_001_000, charging: true, vehicleSoc: 47, chargeMode: 'instant' });
    await tick(recorder, 34);
    await cp({ power: 0, energyImported: 2_001_000, charging: false, plugged: false, rfidTag: null });
    await tick(recorder, 35);

    const after = await sessions.list({ chargepoint: '7' });
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toEqual({
      id: sessionId,
      chargepointId: '7',
      start: new Date(base).toISOString(),
      end: new Date(base + 35 * INTERVAL).toISOString(),
      energy: 1000,
      // Observed 80 s (ticks 1→9, the values were fresh until tick 9) and 10 s (34→35); the 250 s gap is
      // estimated from the 939 Wh charged meanwhile at the 11 kW peak (307 s, capped at the gap).
      chargingTime: 340,
      meanPower: 10588.2,
      peakPower: 11_000,
      socStart: 40,
      socEnd: 47,
      chargeModes: ['pv', 'instant'],
      rfidTag: '04A1B2C3',
      vehicle: { id: '1', name: 'e-Golf' },
      user: null,
      cost: 0.3,
      quality: 'measured', // the 939 Wh over the gap are within what 25 kW could add
      correction: null,
    });
    await recorder.stop();
  });
});
