/** Pulse meters over HTTP, with device keys, on both databases; the clock-dependent arithmetic is in meter-service.test.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';

describe.each(BOTH_DATABASES)('pulse meters on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let alice: TestUser;
  let aliceAuth: { Authorization: string };
  let bobAuth: { Authorization: string };
  let meterId: string;
  let deviceKey: string;

  beforeAll(async () => {
    target = await makeTarget('meters');
    gw = await startAuthGateway({
      store: 'memory',
      databaseUrl: target.url,
      env: { RECORDER_ENABLED: 'false', PULSE_METER_COMPAT_ENABLED: 'true', PULSE_METER_COMPAT_BASE_PATH: '', TIME_ZONE: 'Europe/Berlin' },
    });
    alice = await addUser(gw, 'alice', 'user', []);
    const bob = await addUser(gw, 'bob', 'user', []);
    aliceAuth = bearer((await login(gw, alice)).accessToken);
    bobAuth = bearer((await login(gw, bob)).accessToken);
  });
  afterAll(async () => {
    await gw?.close();
    await target?.dispose();
  });

  const device = () => ({ 'x-api-key': deviceKey });

  it('creates a meter owned by the caller, hidden from other users', async () => {
    const created = await gw.http
      .post('/api/v1/meters')
      .set(aliceAuth)
      .send({ name: 'House', energyPerPulseWh: 13.333, startReadingWh: 25_503_550 })
      .expect(201);
    meterId = created.body.id;
    expect(created.body).toMatchObject({ name: 'House', userId: alice.id, energyPerPulseWh: 13.333, startReadingWh: 25_503_550 });
    await gw.http.get(`/api/v1/meters/${meterId}`).set(bobAuth).expect(404);
    expect((await gw.http.get('/api/v1/meters').set(bobAuth).expect(200)).body).toEqual({ items: [], nextCursor: null });
    const admin = await gw.http.get('/api/v1/meters').set('x-api-key', gw.adminKey).expect(200);
    expect(admin.body.items.map((m: { id: string }) => m.id)).toContain(meterId);
    await gw.http.patch(`/api/v1/meters/${meterId}`).set(aliceAuth).send({ name: 'Haus' }).expect(200);
  });

  it('pages meters with a cursor', async () => {
    for (const name of ['a', 'b']) await gw.http.post('/api/v1/meters').set(aliceAuth).send({ name, energyPerPulseWh: 1 }).expect(201);
    const first = await gw.http.get('/api/v1/meters?limit=2').set(aliceAuth).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].id).toBe(meterId);
    const second = await gw.http.get(`/api/v1/meters?limit=2&cursor=${first.body.nextCursor}`).set(aliceAuth).expect(200);
    expect(second.body.items.map((m: { name: string }) => m.name)).toEqual(['b']);
    expect(second.body.nextCursor).toBeNull();
    await gw.http.get('/api/v1/meters?cursor=nonsense').set(aliceAuth).expect(400);
  });

  it('gives out a device key only to the owner, bound to the meter and listed with it', async () => {
    await gw.http.post(`/api/v1/meters/${meterId}/keys`).set(bobAuth).send({ name: 'esp' }).expect(404);
    const created = await gw.http.post(`/api/v1/meters/${meterId}/keys`).set(aliceAuth).send({ name: 'esp' }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    deviceKey = created.body.key;
    expect(created.body.apiKey).toMatchObject({ scopes: ['device'], device: { kind: 'meter', id: meterId }, userId: alice.id });
    const listed = await gw.http.get('/api/v1/keys').set(aliceAuth).expect(200);
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.apiKey.id).device).toEqual({ kind: 'meter', id: meterId });
  });

  it('lets the device key reach its own meter only', async () => {
    const other = (await gw.http.post('/api/v1/meters').set(bobAuth).send({ name: 'Bob', energyPerPulseWh: 1 }).expect(201)).body.id;
    const refused = await gw.http.post(`/api/v1/meters/${other}/pulses`).set(device()).expect(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    await gw.http.get(`/api/v1/meters/${other}/reading`).set(device()).expect(403);
    await gw.http.get('/api/v1/chargepoints').set(device()).expect(403);
    await gw.http.get(`/api/v1/meters/${meterId}`).set(device()).expect(403);
    await gw.http.delete(`/api/v1/meters/${meterId}`).set(device()).expect(403);
    await gw.http.post(`/api/v1/meters/${meterId}/keys`).set(device()).send({ name: 'copy' }).expect(403);
    await gw.http.get(`/api/v1/meters/${meterId}/summary`).set(device()).expect(200);
  });

  it('counts pulses one at a time and in batches, out of order, duplicates once', async () => {
    const one = await gw.http.post(`/api/v1/meters/${meterId}/pulses`).set(device()).expect(200);
    expect(one.body).toEqual({ received: 1, recorded: 1, duplicates: 0, meterReadingWh: 25_503_563.33 });
    const now = Date.now();
    const times = [now - 30_000, now - 50_000, now - 40_000].map((t) => new Date(t).toISOString());
    const batch = await gw.http.post(`/api/v1/meters/${meterId}/pulses`).set(device()).send({ times }).expect(200);
    expect(batch.body).toMatchObject({ received: 3, recorded: 3, duplicates: 0 });
    const again = await gw.http
      .post(`/api/v1/meters/${meterId}/pulses`)
      .set(device())
      .send({ times: [times[0], times[0], new Date(now - 20_000).toISOString()] })
      .expect(200);
    expect(again.body).toEqual({ received: 3, recorded: 1, duplicates: 2, meterReadingWh: 25_503_616.67 });
  });

  it('reads the reading, today, power and the summary', async () => {
    const reading = await gw.http.get(`/api/v1/meters/${meterId}/reading`).set(device()).expect(200);
    expect(reading.body).toMatchObject({ meterId, pulses: 5, missedPulses: 0, meterReadingWh: 25_503_616.67, timeZone: 'Europe/Berlin' });
    expect(reading.body.energyTodayWh).toBeGreaterThan(0);
    expect(reading.body.powerW).toBeGreaterThan(0);
    expect(reading.body.powerW).toBeLessThanOrEqual(reading.body.lastIntervalPowerW);
    const summary = await gw.http.get(`/api/v1/meters/${meterId}/summary`).set(device()).expect(200);
    expect(Object.keys(summary.body).sort()).toEqual(['kwh', 'w', 'wh']);
    expect(summary.body.kwh).toBe(25_503.62);
    expect(summary.text.length).toBeLessThan(60);
  });

  it('records a connection loss once, into the reading but not the power', async () => {
    const endedAt = new Date().toISOString();
    const first = await gw.http
      .post(`/api/v1/meters/${meterId}/connection-losses`)
      .set(device())
      .send({ durationMs: 60_000, pulsesMissed: 3, endedAt })
      .expect(201);
    expect(first.body).toEqual({ recorded: true, meterReadingWh: 25_503_656.66 });
    const again = await gw.http
      .post(`/api/v1/meters/${meterId}/connection-losses`)
      .set(device())
      .send({ durationMs: 60_000, pulsesMissed: 3, endedAt })
      .expect(201);
    expect(again.body.recorded).toBe(false);
    const history = await gw.http.get(`/api/v1/meters/${meterId}/history?interval=day`).set(aliceAuth).expect(200);
    expect(history.body.points).toHaveLength(1);
    expect(history.body.points[0]).toMatchObject({ pulses: 5, missedPulses: 3, energyWh: 106.66 });
  });

  it('serves the smartmeter paths to the device key', async () => {
    const tick = await gw.http.get('/tick').set(device()).expect(200);
    expect(tick.body.recorded).toBe(1);
    const lcd = await gw.http.get('/lcdinfo').set(device()).expect(200);
    expect(Object.keys(lcd.body).sort()).toEqual(['current_power', 'daily_power']);
    expect(Number.isInteger(lcd.body.current_power)).toBe(true);
    await gw.http.get('/connloss/1500/2').set(device()).expect(200);
    await gw.http.get('/connloss/abc/2').set(device()).expect(400);
    await gw.http.get('/tick').expect(401);
    await gw.http.get('/tick').set('x-api-key', gw.adminKey).expect(403);
  });

  it('refuses bad input with 4xx problem+json', async () => {
    const post = (body: unknown) =>
      gw.http
        .post(`/api/v1/meters/${meterId}/pulses`)
        .set(device())
        .send(body as object);
    const future = await post({ times: [new Date(Date.now() + 3_600_000).toISOString()] }).expect(400);
    expect(future.body.detail).toContain('future');
    await post({ times: ['yesterday'] }).expect(400);
    await post({ times: [] }).expect(400);
    await post({ times: Array.from({ length: 2001 }, (_, i) => new Date(i * 1000).toISOString()) }).expect(400);
    const infinite = await gw.http
      .post('/api/v1/meters')
      .set(aliceAuth)
      .set('content-type', 'application/json')
      .send('{"name":"x","energyPerPulseWh":1e400}')
      .expect(400);
    expect(infinite.headers['content-type']).toMatch(/^application\/problem\+json/);
    await gw.http.post('/api/v1/meters').set(aliceAuth).send({ name: 'x', energyPerPulseWh: 0 }).expect(400);
    await gw.http
      .post(`/api/v1/meters/${meterId}/connection-losses`)
      .set(device())
      .set('content-type', 'application/json')
      .send('{"durationMs":1e400,"pulsesMissed":1}')
      .expect(400);
    const huge = await gw.http
      .post(`/api/v1/meters/${meterId}/pulses`)
      .set(device())
      .set('content-type', 'application/json')
      .send(`{"times":["${'x'.repeat(10 * 1024 * 1024)}"]}`)
      .expect(413);
    expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('revokes the device keys when the meter is deleted', async () => {
    await gw.http.delete(`/api/v1/meters/${meterId}`).set(bobAuth).expect(404);
    await gw.http.delete(`/api/v1/meters/${meterId}`).set(aliceAuth).expect(204);
    await gw.http.get(`/api/v1/meters/${meterId}/summary`).set(device()).expect(401);
    await gw.http.get(`/api/v1/meters/${meterId}`).set(aliceAuth).expect(404);
  });
});
