import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import { eventually, openPublisher, type TestGateway } from '../support/gateway.ts';

/** The whole path: openWB 2.x topics on the real broker → ingest → Redis → recorder → SQL → API. */
describe('recorder, sessions and history end to end', () => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  const get = (path: string) => gw.http.get(path).set('x-api-key', gw.readKey);
  let meter = 1_250_000;

  beforeAll(async () => {
    gw = await startAuthGateway({ env: { RECORD_INTERVAL_S: '1', TIME_ZONE: 'Europe/Berlin', TARIFF_PRICE_PER_KWH: '0.30' } });
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish('openWB/system/version', '"2.2.2"');
    await publisher.publish('openWB/counter/get/hierarchy', '[{"id":0,"type":"counter","children":[]}]');
    await publisher.publish('openWB/counter/0/get/power', '1520.5');
    await publisher.publish('openWB/counter/0/get/imported', '5000000');
    await publisher.publish('openWB/counter/0/get/exported', '12000');
    await publisher.publish('openWB/pv/get/power', '-5230');
    await publisher.publish('openWB/chargepoint/3/get/power', '0');
    await publisher.publish('openWB/chargepoint/3/get/imported', String(meter));
    await publisher.publish('openWB/chargepoint/3/get/plug_state', 'false');
    await publisher.publish('openWB/chargepoint/3/get/charge_state', 'false');
  });
  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('records the live values on its own clock and serves them as history', async () => {
    const series = await eventually(
      async () => {
        const res = await get('/api/v1/history/series');
        const ids = res.body.items?.map((s: { id: string }) => s.id) ?? [];
        return ids.includes('grid.power') && ids.includes('chargepoint.3.energyImported') ? res.body.items : undefined;
      },
      10_000,
      'recorded series',
    );
    expect(series.find((s: { id: string }) => s.id === 'pv.power')).toMatchObject({ kind: 'power', unit: 'W' });
    const res = await get('/api/v1/history?series=grid.power,pv.power&duration=10min&interval=5m&fields=avgPower,maxPower').expect(200);
    expect(res.body.timeZone).toBe('Europe/Berlin');
    expect(res.body.series.map((s: { id: string }) => s.id)).toEqual(['grid.power', 'pv.power']);
    const last = res.body.series.map((s: { points: object[] }) =>
      s.points.filter((p) => 'avgPower' in p && (p as { avgPower: number | null }).avgPower !== null).at(-1),
    );
    expect(last).toEqual([
      expect.objectContaining({ avgPower: 1520.5, maxPower: 1520.5 }),
      expect.objectContaining({ avgPower: 5230, maxPower: 5230 }),
    ]);
    expect(res.body.series[0].points[0].start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+0[12]:00$/);
  });

  it('detects a charging session from plug-in to unplug and prices it', async () => {
    await publisher.publish('openWB/chargepoint/3/get/plug_state', 'true');
    await publisher.publish('openWB/chargepoint/3/set/rfid', '"04A1B2C3"');
    await publisher.publish('openWB/chargepoint/3/get/connected_vehicle/info', '{"id":1,"name":"e-Golf"}');
    const open = await eventually(
      async () => {
        const body = (await get('/api/v1/sessions?chargepoint=3')).body;
        return body.items?.length === 1 ? body.items[0] : undefined;
      },
      10_000,
      'an open session',
    );
    expect(open).toMatchObject({ end: null, rfidTag: '04A1B2C3', vehicle: { id: '1', name: 'e-Golf' } });
    await publisher.publish('openWB/chargepoint/3/get/charge_state', 'true');
    for (let i = 0; i < 3; i++) {
      meter += 2; // 2 Wh a recorder pass (1 s) or more apart: a plausible meter at up to 11 kW
      await publisher.publish('openWB/chargepoint/3/get/power', '11040');
      await publisher.publish('openWB/chargepoint/3/get/imported', String(meter));
      // The recorder has taken a sample of this meter reading into the open session.
      const energy = 2 * (i + 1);
      await eventually(
        async () => ((await get(`/api/v1/sessions/${open.id}`)).body.energy === energy ? true : undefined),
        10_000,
        `${energy} Wh`,
      );
    }
    await publisher.publish('openWB/chargepoint/3/get/charge_state', 'false');
    await publisher.publish('openWB/chargepoint/3/get/plug_state', 'false');
    const closed = await eventually(
      async () => {
        const res = await get(`/api/v1/sessions/${open.id}`);
        return res.body.end ? res.body : undefined;
      },
      10_000,
      'the session to end',
    );
    expect(closed).toMatchObject({ id: open.id, chargepointId: '3', energy: 6, peakPower: 11040, cost: 0.0018, rfidTag: '04A1B2C3' });
    expect(closed.chargingTime).toBeGreaterThanOrEqual(2);
    expect((await get('/api/v1/sessions?chargepoint=3')).body.items).toHaveLength(1);
  });

  it('reports the recorder in /health/ready and /metrics', async () => {
    const ready = await gw.http.get('/health/ready').expect(200);
    expect(ready.body.checks.recorder).toEqual({
      ok: true,
      active: true,
      bufferedSamples: expect.any(Number),
      bufferedSessions: expect.any(Number),
      lostSamples: 0,
      lostSessions: 0,
      stalled: false,
      lastWriteAt: expect.any(String),
    });
    const metrics = await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200);
    expect(metrics.text).toMatch(/^recorder_active 1$/m);
    expect(metrics.text).toMatch(/^recorder_samples_written_total [1-9]\d*$/m);
    expect(metrics.text).toMatch(/^recorder_samples_dropped_total 0$/m);
  });

  it.each([
    ['/api/v1/history?duration=1d', 'series'],
    ['/api/v1/history?series=grid.power%3BDROP&duration=1d', 'series'],
    ['/api/v1/history?series=grid.soc&duration=1d', 'series'],
    ['/api/v1/history?series=chargepoint.99.power&duration=1d', 'series'],
    ['/api/v1/history?series=a.b,c.d,e.f,g.h,i.j,k.l,m.n,o.p,q.r,s.t,u.v&duration=1d', 'series'],
    ['/api/v1/history?series=grid.power&end=2026-03-01', 'start'],
    ['/api/v1/history?series=grid.power&start=2026-13-01', 'start'],
    ['/api/v1/history?series=grid.power&start=2026-02-30', 'start'],
    ['/api/v1/history?series=grid.power&start=2026-03-01T00:00:00 01:00', 'start'],
    ['/api/v1/history?series=grid.power&start=2026-03-02&end=2026-03-01', 'end'],
    ['/api/v1/history?series=grid.power&start=2026-03-01&end=2026-03-02&duration=1d', 'duration'],
    ['/api/v1/history?series=grid.power&duration=7days', 'duration'],
    ['/api/v1/history?series=grid.power&duration=1d&interval=minute', 'interval'],
    ['/api/v1/history?series=grid.power&duration=1d&tz=Europe%2FNowhere', 'tz'],
    ['/api/v1/history?series=grid.power&duration=1d&fields=power', 'fields'],
    ['/api/v1/history?series=grid.power&duration=1d&fields=energy', 'fields'],
    ['/api/v1/history?series=grid.power,grid.energyImported&duration=1y&interval=5m', 'maxPoints'],
    ['/api/v1/history?series=grid.power&duration=1d&limit=5', 'limit'],
  ])('answers %s with a 400 problem naming %s', async (path, name) => {
    const res = await get(path).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(name);
  });

  it('limits chargepoint series to the chargepoints a user may use', async () => {
    const user = await addUser(gw, 'other', 'user', ['9']);
    const auth = bearer((await login(gw, user)).accessToken);
    const series = await gw.http.get('/api/v1/history/series').set(auth).expect(200);
    const ids = series.body.items.map((s: { id: string }) => s.id);
    expect(ids).toContain('grid.power');
    expect(ids.filter((id: string) => id.startsWith('chargepoint.'))).toEqual([]);
    const res = await gw.http.get('/api/v1/history?series=grid.power,chargepoint.3.power&duration=1h&interval=5m').set(auth).expect(403);
    expect(res.body.detail).toBe('series: you may not use chargepoint 3');
    await gw.http.get('/api/v1/history?series=grid.power&duration=1h&interval=5m').set(auth).expect(200);
  });

  it('needs credentials', async () => {
    await gw.http.get('/api/v1/history?series=grid.power&duration=1d').expect(401);
    await gw.http.get('/api/v1/history/series').expect(401);
  });

  it('explains what is missing or malformed, and defaults the range to today in TIME_ZONE', async () => {
    const none = await get('/api/v1/history').expect(400);
    expect(none.body.detail).toMatch(/query\/series is required: Comma-separated series ids.*GET \/api\/v1\/history\/series` lists them/);
    const today = await get('/api/v1/history?series=grid.power').expect(200);
    const midnight = new Date().toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).slice(0, 10);
    expect(today.body).toMatchObject({ interval: 'day', timeZone: 'Europe/Berlin' });
    expect(today.body.start).toMatch(new RegExp(`^${midnight}T00:00:00\\+0[12]:00$`));
    const bad = await get('/api/v1/history?series=grid.power&start=notadate').expect(400);
    expect(bad.body.detail).toBe('request/query/start must be an ISO 8601 date or date-time, e.g. 2026-03-01 or 2026-03-01T08:00:00+01:00');
  });

  it('takes 5min as the interval, like the duration unit, and 5m as before', async () => {
    const res = await get('/api/v1/history?series=grid.power&duration=10min&interval=5min').expect(200);
    expect(res.body.interval).toBe('5min');
    const old = await get('/api/v1/history?series=grid.power&duration=10min&interval=5m').expect(200);
    expect(old.body.series[0].points).toEqual(res.body.series[0].points);
  });
});
