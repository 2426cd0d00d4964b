import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenWb19Simulator } from '../../src/openwb/simulator/v19.ts';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import { eventually, type TestGateway } from '../support/gateway.ts';
import { services } from '../support/services.ts';
import { get, known, post, put, retained, SetTopicSpy, type Since } from './control-helpers.ts';

/** openWB 1.9: its own topics, plain-text payloads, one global charge mode. */
describe('control commands on openWB 1.9', () => {
  let gw: TestGateway;
  let sim: OpenWb19Simulator;
  let spy: SetTopicSpy;
  let lp1Token: string;

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory', env: { RECORDER_ENABLED: 'false' } });
    spy = await SetTopicSpy.open(gw.topicPrefix);
    sim = await OpenWb19Simulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix });
    await known(gw, '/api/v1/chargepoints/2/charge-settings');
    lp1Token = (await login(gw, await addUser(gw, 'lp1only', 'user', ['1']))).accessToken;
  });
  afterAll(async () => {
    await sim?.stop();
    await spy?.close();
    await gw?.close();
  });

  const sent = async (since: Since) => (await since()).map((m) => [m.topic, m.payload]);

  it('sets the global charge mode with openWB/set/ChargeMode and confirms it on openWB/global/ChargeMode', async () => {
    const since = await spy.mark();
    const res = await put(gw, '/api/v1/chargepoints/1/charge-mode', { mode: 'pv' }).expect(200);
    expect(await sent(since)).toEqual([['openWB/set/ChargeMode', '2']]);
    expect(res.body.settings).toMatchObject({ chargeMode: 'pv', global: true, templateId: null, pvCharging: null });
    expect(await retained(gw.topicPrefix, 'openWB/global/ChargeMode')).toBe('2');
    // Chargepoint 2 shows it too: the mode is global.
    expect((await get(gw, '/api/v1/chargepoints/2')).body.chargeMode).toBe('pv');
  });

  it('confirms at once when the mode already holds (1.9 publishes only changes)', async () => {
    await put(gw, '/api/v1/chargepoints/2/charge-mode', { mode: 'minPv' }).expect(200);
    const again = await put(gw, '/api/v1/chargepoints/2/charge-mode', { mode: 'minPv' }).expect(200);
    expect(again.body.status).toBe('applied');
  });

  it.each(['eco', 'scheduled'])('has no %s mode: 400 with the reason, nothing published', async (mode) => {
    const since = await spy.mark();
    const res = await put(gw, '/api/v1/chargepoints/1/charge-mode', { mode }).expect(400);
    expect(res.body.detail).toBe(`openWB 1.9 has no ${mode} charge mode (it has instant, minPv, pv and stop)`);
    await spy.expectNothingSince(since);
  });

  it('needs access to every chargepoint for the global mode', async () => {
    const since = await spy.mark();
    const res = await gw.http.put('/api/v1/chargepoints/1/charge-mode').set(bearer(lp1Token)).send({ mode: 'stop' }).expect(403);
    expect(res.body.detail).toMatch(/one global charge mode/);
    await spy.expectNothingSince(since);
    // Per-chargepoint settings of their own chargepoint are fine.
    await gw.http.put('/api/v1/chargepoints/1/lock').set(bearer(lp1Token)).send({ locked: false }).expect(200);
  });

  it('writes instant-charging settings as plain text to config/set/sofort, energy in kWh', async () => {
    const since = await spy.mark();
    const res = await put(gw, '/api/v1/chargepoints/1/instant-charging', { current: 20, limit: { type: 'energy', energy: 12000 } }).expect(
      200,
    );
    expect(await sent(since)).toEqual([
      ['openWB/config/set/sofort/lp/1/current', '20'],
      ['openWB/config/set/sofort/lp/1/energyToCharge', '12'],
      ['openWB/config/set/sofort/lp/1/chargeLimitation', '1'],
    ]);
    expect(res.body.settings.instantCharging).toEqual({ current: 20, phases: null, limit: { type: 'energy', soc: 80, energy: 12000 } });
    const soc = await put(gw, '/api/v1/chargepoints/2/instant-charging', { limit: { type: 'soc', soc: 90 } }).expect(200);
    expect(soc.body.settings.instantCharging.limit).toEqual({ type: 'soc', soc: 90, energy: 10000 });
  });

  it.each([
    ['instant-charging', { phases: 3 }, /phase setting/],
    ['instant-charging', { limit: { type: 'energy', energy: 1500 } }, /whole kWh/],
    ['pv-charging', { minCurrent: 8 }, /PV settings globally/],
    ['vehicle', { vehicleId: '1' }, /no vehicles/],
    ['charge-mode', { mode: 'minPv', minCurrent: 8 }, /globally/],
  ])('refuses %s %j (400), nothing published', async (path, body, reason) => {
    const since = await spy.mark();
    const res = await put(gw, `/api/v1/chargepoints/1/${path}`, body).expect(400);
    expect(res.body.detail).toMatch(reason);
    await spy.expectNothingSince(since);
  });

  it('locks with ChargePointEnabled 0 and unlocks with 1', async () => {
    const since = await spy.mark();
    expect((await put(gw, '/api/v1/chargepoints/2/lock', { locked: true }).expect(200)).body.chargepoint.locked).toBe(true);
    expect((await put(gw, '/api/v1/chargepoints/2/lock', { locked: false }).expect(200)).body.chargepoint.locked).toBe(false);
    expect(await sent(since)).toEqual([
      ['openWB/set/lp/2/ChargePointEnabled', '0'],
      ['openWB/set/lp/2/ChargePointEnabled', '1'],
    ]);
  });

  it('sets a manual SoC (lp/n/manualSoc) and sends a SoC request that 1.9 cannot confirm', async () => {
    const since = await spy.mark();
    const soc = await put(gw, '/api/v1/chargepoints/1/vehicle-soc', { soc: 55 }).expect(200);
    expect(soc.body.chargepoint.vehicle.soc).toBe(55);
    const update = await post(gw, '/api/v1/chargepoints/1/soc-update').expect(202);
    expect(update.body).toMatchObject({ status: 'sent', detail: 'openWB 1.9 publishes nothing that confirms a SoC request' });
    expect(await sent(since)).toEqual([
      ['openWB/set/lp/1/manualSoc', '55'],
      ['openWB/set/lp/1/ForceSoCUpdate', '1'],
    ]);
    expect((await get(gw, update.headers.location as string)).body.status).toBe('sent');
  });

  it('has no vehicles to address', async () => {
    await put(gw, '/api/v1/vehicles/1/soc', { soc: 40 }).expect(404);
    expect((await get(gw, '/api/v1/charge-templates')).body.items).toEqual([]);
  });

  it('reads the settings openWB 1.9 publishes', async () => {
    await eventually(async () => {
      const res = await get(gw, '/api/v1/chargepoints/2/charge-settings');
      return res.body.instantCharging?.current === 16 ? res.body : undefined;
    });
  });
});
