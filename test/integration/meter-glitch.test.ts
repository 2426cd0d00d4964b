import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryService } from '../../src/history/history-service.ts';
import { SampleWriter, type CounterEvents } from '../../src/history/sample-writer.ts';
import type { Recorder } from '../../src/recorder/recorder.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { SessionService } from '../../src/sessions/session-service.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import { liveWorld, makeRecorder } from '../support/recorder-world.ts';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';

const INTERVAL = 10_000;
const T0 = Date.parse('2030-01-07T10:00:00Z');
const METER = 1_250_000;
/** 11 kW for 10 s is 30.56 Wh: the meter counts 30.5 Wh per tick while charging. */
const STEP = 30.5;

/**
 * A meter glitch through the whole path: openWB 2.x topics on the real broker → the gateway's ingest →
 * its recorder (driven tick by tick) → SQL → the sessions and history API and /metrics.
 */
describe.each(BOTH_DATABASES)('a meter reading 0 for two ticks during a session, on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  let recorder: Recorder;
  let sessionId: string;
  const get = (path: string) => gw.http.get(path).set('x-api-key', gw.readKey);

  /** Publishes chargepoint 3's values and waits until the live API shows them. */
  async function publish(values: { imported: number; power: number; plugged: boolean; charging: boolean }) {
    await publisher.publish('openWB/chargepoint/3/get/imported', String(values.imported));
    await publisher.publish('openWB/chargepoint/3/get/power', String(values.power));
    await publisher.publish('openWB/chargepoint/3/get/plug_state', String(values.plugged));
    await publisher.publish('openWB/chargepoint/3/get/charge_state', String(values.charging));
    await eventually(
      async () => {
        const cp = (await get('/api/v1/chargepoints/3')).body;
        const shown = cp.energyImported === values.imported && cp.power === values.power;
        return shown && cp.plugged === values.plugged && cp.charging === values.charging ? cp : undefined;
      },
      5_000,
      `chargepoint 3 at ${values.imported} Wh`,
    );
  }

  async function tick(n: number) {
    expect(await recorder.sampleOnce(T0 + n * INTERVAL)).toBe(true);
    await recorder.flush();
  }

  beforeAll(async () => {
    target = await makeTarget('meter_glitch');
    gw = await startTestGateway({ databaseUrl: target.url, store: 'memory', env: { TIME_ZONE: 'UTC' } });
    recorder = gw.gateway.recorder!;
    await recorder.stop(); // its own timer is off: the test moves it from tick to tick
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish('openWB/system/version', '"2.2.2"');

    await publish({ imported: METER, power: 0, plugged: true, charging: false });
    await tick(0);
    for (let n = 1; n <= 9; n++) {
      const glitch = n === 4 || n === 5;
      await publish({ imported: glitch ? 0 : METER + STEP * n, power: n === 1 ? 11_077 : 11_000, plugged: true, charging: true });
      await tick(n);
    }
    await publish({ imported: METER + STEP * 9, power: 0, plugged: true, charging: false });
    await tick(10);
    await publish({ imported: METER + STEP * 9, power: 0, plugged: false, charging: false });
    await tick(11);
    const { items } = (await get('/api/v1/sessions?chargepoint=3')).body as { items: { id: string }[] };
    expect(items).toHaveLength(1);
    sessionId = items[0]!.id;
  }, 60_000);

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
    await target?.dispose();
  });

  it('gives the session the true meter delta, and a mean power within its peak', async () => {
    const session = (await get(`/api/v1/sessions/${sessionId}`).expect(200)).body;
    expect(session).toMatchObject({
      start: new Date(T0).toISOString(),
      end: new Date(T0 + 11 * INTERVAL).toISOString(),
      quality: 'corrected',
    });
    expect(Math.abs(session.energy - STEP * 9)).toBeLessThan(1);
    // Ticks 1→10 charging (90 s), plus the first interval: its 30.5 Wh at 11,077 W took 9.9 s.
    expect(session.chargingTime).toBe(100);
    expect(session.peakPower).toBe(11_077);
    expect(session.meanPower).toBeLessThanOrEqual(session.peakPower);
    expect(session.meanPower).toBeCloseTo((STEP * 9 * 3600) / (90 + (STEP / 11_077) * 3600), 1);
  });

  it("shows the hour's true energy in history, marked as corrected", async () => {
    const res = await get(
      '/api/v1/history?series=chargepoint.3.energyImported&start=2030-01-07T10:00Z&end=2030-01-07T11:00Z&interval=hour&tz=UTC',
    ).expect(200);
    expect(res.body.series[0].points).toEqual([{ start: '2030-01-07T10:00:00Z', energy: STEP * 9, quality: 'corrected' }]);
    const fiveMinutes = await get(
      '/api/v1/history?series=chargepoint.3.energyImported&start=2030-01-07T09:55Z&end=2030-01-07T10:05Z&interval=5m&tz=UTC',
    ).expect(200);
    expect(fiveMinutes.body.series[0].points).toEqual([
      { start: '2030-01-07T09:55:00Z', energy: null, quality: null },
      { start: '2030-01-07T10:00:00Z', energy: STEP * 9, quality: 'corrected' },
    ]);
  });

  it('counts the two glitches in /metrics and no meter reset', async () => {
    const metrics = (await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200)).text;
    expect(metrics).toMatch(/^meter_counter_glitches_total\{series="chargepoint\.energyImported"\} 2$/m);
    expect(metrics).toMatch(/^meter_counter_resets_total\{series="chargepoint\.energyImported"\} 0$/m);
  });
});

describe.each(BOTH_DATABASES)('meter-counter state kept in SQL across batches and restarts, on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  const H0 = Date.parse('2030-02-01T10:00:00Z');

  beforeAll(async () => {
    target = await makeTarget('meter_state');
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('recognises a glitch and a meter swap though every reading is written by a new writer in its own batch', async () => {
    const events: [string, CounterEvents][] = [];
    // grid.energyImported every 10 s: a glitch at 10:00:30–40, then a swap to a new meter at 10:30 (counting 20 Wh per tick).
    const glitch = [5_000_000, 5_000_020, 5_000_040, 0, 0, 5_000_100, 5_000_120];
    const swap = Array.from({ length: 10 }, (_, i) => 100 + 20 * i);
    const readings: [number, number][] = [
      ...glitch.map((value, i): [number, number] => [H0 + i * INTERVAL, value]),
      ...swap.map((value, i): [number, number] => [H0 + 1_800_000 + i * INTERVAL, value]),
    ];
    for (const [ts, value] of readings) {
      const writer = new SampleWriter(target.reopen(), { onCounterEvents: (family, counted) => events.push([family, counted]) });
      expect(await writer.write([{ series: 'grid.energyImported', ts, value }])).toEqual({ written: 1, skipped: 0 });
    }
    expect(events).toEqual([
      ['grid.energyImported', { glitches: 2, resets: 0, rollovers: 0 }],
      ['grid.energyImported', { glitches: 0, resets: 1, rollovers: 0 }],
    ]);
    const history = new HistoryService(target.db, { timeZone: 'UTC' });
    const result = await history.query({
      series: ['grid.energyImported'],
      start: '2030-02-01T10:00Z',
      end: '2030-02-01T10:45Z',
      interval: '5m',
    });
    const points = result.series[0]!.points.filter((p) => p.energy !== null);
    expect(points).toEqual([
      { start: '2030-02-01T10:00:00Z', energy: 120, quality: 'corrected' },
      { start: '2030-02-01T10:30:00Z', energy: 180, quality: 'incomplete' },
    ]);
  });
});

describe.each(BOTH_DATABASES)('a meter reset in the middle of a session, on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  beforeAll(async () => {
    target = await makeTarget('meter_reset_session');
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('marks the session incomplete and keeps the verdict across a recorder restart', async () => {
    const world = liveWorld(Date.parse('2030-03-04T10:00:00Z'));
    const sessionId = '5b2c1e9d-0000-4000-8000-00000000000a';
    let h = makeRecorder(target.db, world, { ids: [sessionId] });
    const tick = async (energyImported: number, plugged = true) => {
      await world.set('chargepoint', '3', { power: plugged ? 10_800 : 0, energyImported, plugged, charging: plugged });
      world.clock.now += INTERVAL;
      await h.recorder.sampleOnce();
      await h.recorder.flush();
    };
    const sessions = new SessionService(new SessionRepository(target.db), { timeZone: 'UTC', currency: 'EUR' });
    const quality = async () => (await sessions.get(sessionId)).quality;
    await tick(5_000);
    await tick(5_030);
    expect(await quality()).toBe('measured');
    await tick(0); // a glitch
    await tick(5_090);
    expect(await quality()).toBe('corrected');
    // A new meter from here on: the sixth of its readings (a minute counting on) confirms the reset.
    await h.recorder.stop();
    h = makeRecorder(target.reopen(), world);
    for (const reading of [20, 50, 80, 110, 140, 170, 200]) await tick(reading);
    await tick(200, false);
    const closed = await sessions.get(sessionId);
    expect(closed).toMatchObject({ quality: 'incomplete', energy: 90 + 180 });
    expect(closed.end).not.toBeNull();
  });
});
