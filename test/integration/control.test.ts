import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenWbSimulator } from '../../src/openwb/simulator/index.ts';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import { eventually, openPublisher, type TestGateway } from '../support/gateway.ts';
import { services } from '../support/services.ts';
import { get, known, post, put, retained, SetTopicSpy } from './control-helpers.ts';

/** openWB 2.x end to end: real Mosquitto and Redis, the simulator answering like setdata.py. */
describe('control commands on openWB 2.x', () => {
  let gw: TestGateway;
  let sim: OpenWbSimulator;
  let spy: SetTopicSpy;
  let userToken: string;

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'redis', env: { RECORDER_ENABLED: 'false' } });
    spy = await SetTopicSpy.open(gw.topicPrefix);
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix, intervalMs: 0 });
    await known(gw, '/api/v1/chargepoints/3/charge-settings');
    await known(gw, '/api/v1/vehicles/2');
    const user = await addUser(gw, 'carport', 'user', ['4']);
    userToken = (await login(gw, user)).accessToken;
  });
  afterAll(async () => {
    await sim?.stop();
    await spy?.close();
    await gw?.close();
  });

  const templateOnBroker = async (cp: string) =>
    JSON.parse((await retained(gw.topicPrefix, `openWB/chargepoint/${cp}/set/charge_template`)) ?? 'null');

  it('changes the charge mode by publishing the whole template, id unchanged, and answers 200 with the new state', async () => {
    const before = await templateOnBroker('3');
    const since = await spy.mark();
    const res = await put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'pv' }).expect(200);
    expect(res.body).toMatchObject({
      action: 'chargeMode',
      status: 'applied',
      via: 'api',
      request: { mode: 'pv' },
      target: { type: 'chargepoint', id: '3' },
    });
    expect(res.body.topics).toEqual(['openWB/set/chargepoint/3/set/charge_template']);
    expect(res.body.chargepoint.chargeMode).toBe('pv');
    expect(res.body.settings).toMatchObject({ chargeMode: 'pv', templateId: String(before.id), pvCharging: { minCurrent: 0 } });
    expect(res.headers.location).toBe(`/api/v1/commands/${res.body.id}`);
    const sent = await since();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: 'openWB/set/chargepoint/3/set/charge_template', retain: false, qos: 1 });
    const template = JSON.parse(sent[0]!.payload);
    expect(template).toEqual({
      ...before,
      chargemode: { ...before.chargemode, selected: 'pv_charging', pv_charging: { ...before.chargemode.pv_charging, min_current: 0 } },
    });
    expect(template.id).toBe(before.id);
    expect(await templateOnBroker('3')).toEqual(template);
  });

  it('changes only the instant-charging fields sent, with openWB types', async () => {
    const before = await templateOnBroker('3');
    const since = await spy.mark();
    const res = await put(gw, '/api/v1/chargepoints/3/instant-charging', {
      current: 20,
      phases: 1,
      limit: { type: 'energy', energy: 12000 },
    }).expect(200);
    expect(res.body.settings.instantCharging).toEqual({ current: 20, phases: 1, limit: { type: 'energy', soc: 50, energy: 12000 } });
    const [message] = await since();
    expect(message!.payload).toContain('"current":20,');
    expect(message!.payload).toContain('"phases_to_use":1,');
    const template = JSON.parse(message!.payload);
    expect(template.chargemode.instant_charging).toEqual({
      ...before.chargemode.instant_charging,
      current: 20,
      phases_to_use: 1,
      limit: { selected: 'amount', amount: 12000, soc: 50 },
    });
    expect({ ...template, chargemode: { ...template.chargemode, instant_charging: before.chargemode.instant_charging } }).toEqual(before);
    expect(Number.isInteger(template.chargemode.instant_charging.current)).toBe(true);
  });

  it('switches to Min+PV with the remembered minimum current, and PV settings', async () => {
    await put(gw, '/api/v1/chargepoints/3/pv-charging', { minCurrent: 10, minSoc: 20, limit: { type: 'soc', soc: 90 } }).expect(200);
    await put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'pv' }).expect(200);
    const minPv = await put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'minPv' }).expect(200);
    expect(minPv.body.chargepoint.chargeMode).toBe('minPv');
    expect(minPv.body.settings.pvCharging).toMatchObject({ minCurrent: 10, minSoc: 20, limit: { type: 'soc', soc: 90 } });
    const explicit = await put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'minPv', minCurrent: 8 }).expect(200);
    expect(explicit.body.settings.pvCharging.minCurrent).toBe(8);
  });

  it('locks and unlocks with manual_lock true/false', async () => {
    const since = await spy.mark();
    const locked = await put(gw, '/api/v1/chargepoints/4/lock', { locked: true }).expect(200);
    expect(locked.body.chargepoint.locked).toBe(true);
    const unlocked = await put(gw, '/api/v1/chargepoints/4/lock', { locked: false }).expect(200);
    expect(unlocked.body.chargepoint.locked).toBe(false);
    expect((await since()).map((m) => [m.topic, m.payload])).toEqual([
      ['openWB/set/chargepoint/4/set/manual_lock', 'true'],
      ['openWB/set/chargepoint/4/set/manual_lock', 'false'],
    ]);
  });

  it('assigns an existing vehicle as an integer and never names an unknown one', async () => {
    const since = await spy.mark();
    await put(gw, '/api/v1/chargepoints/4/vehicle', { vehicleId: '2' }).expect(200);
    expect((await since()).map((m) => [m.topic, m.payload])).toEqual([['openWB/set/chargepoint/4/config/ev', '2']]);
    const after = await spy.mark();
    const unknown = await put(gw, '/api/v1/chargepoints/4/vehicle', { vehicleId: '9' }).expect(400);
    expect(unknown.body.detail).toMatch(/no vehicle 9/);
    await spy.expectNothingSince(after);
    await put(gw, '/api/v1/chargepoints/4/vehicle', { vehicleId: '0' }).expect(200);
  });

  it.each([
    ['charge-mode', { mode: 'standby' }],
    ['charge-mode', { mode: 'turbo' }],
    ['charge-mode', {}],
    ['charge-mode', { mode: 'pv', minCurrent: 8 }],
    ['charge-mode', { mode: 'minPv', minCurrent: 40 }],
    ['instant-charging', { current: 5 }],
    ['instant-charging', { current: 33 }],
    ['instant-charging', { current: 16.5 }],
    ['instant-charging', { current: '16' }],
    ['instant-charging', { phases: 2 }],
    ['instant-charging', {}],
    ['instant-charging', { limit: { type: 'soc', soc: 101 } }],
    ['instant-charging', { limit: { type: 'energy', energy: 0 } }],
    ['instant-charging', { limit: { type: 'soc', energy: 1000 } }],
    ['instant-charging', { current: 16, colour: 'red' }],
    ['pv-charging', { minCurrent: 3 }],
    ['pv-charging', { minSoc: -1 }],
    ['lock', { locked: 'yes' }],
    ['vehicle', { vehicleId: '../1' }],
    ['vehicle-soc', { soc: 120 }],
  ])('refuses PUT %s %j with 400 and publishes nothing', async (path, body) => {
    const since = await spy.mark();
    const res = await put(gw, `/api/v1/chargepoints/3/${path}`, body).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    await spy.expectNothingSince(since);
  });

  it('answers 404 for an unknown chargepoint or vehicle and publishes nothing', async () => {
    const since = await spy.mark();
    await put(gw, '/api/v1/chargepoints/99/lock', { locked: true }).expect(404);
    await put(gw, '/api/v1/vehicles/99/soc', { soc: 50 }).expect(404);
    await post(gw, '/api/v1/vehicles/99/soc-update').expect(404);
    await spy.expectNothingSince(since);
  });

  it('refuses (403) a chargepoint the caller may not use, and credentials without control scope; nothing published', async () => {
    const since = await spy.mark();
    await gw.http.put('/api/v1/chargepoints/3/lock').set(bearer(userToken)).send({ locked: true }).expect(403);
    await gw.http.put('/api/v1/chargepoints/3/charge-mode').set(bearer(userToken)).send({ mode: 'stop' }).expect(403);
    await put(gw, '/api/v1/chargepoints/4/lock', { locked: true }, gw.readKey).expect(403);
    await gw.http.put('/api/v1/vehicles/1/charge-template').set(bearer(userToken)).send({ chargeTemplateId: '1' }).expect(403);
    await gw.http.put('/api/v1/chargepoints/4/lock').send({ locked: true }).expect(401);
    await spy.expectNothingSince(since);
    // Their own chargepoint works.
    await gw.http.put('/api/v1/chargepoints/4/lock').set(bearer(userToken)).send({ locked: false }).expect(200);
  });

  it('never lets two concurrent commands on one chargepoint undo each other', async () => {
    await put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'instant' }).expect(200);
    const since = await spy.mark();
    const results = await Promise.all([
      put(gw, '/api/v1/chargepoints/3/instant-charging', { current: 24 }),
      put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'stop' }),
      put(gw, '/api/v1/chargepoints/3/pv-charging', { minSoc: 35 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const final = await templateOnBroker('3');
    expect(final.chargemode.instant_charging.current).toBe(24);
    expect(final.chargemode.selected).toBe('stop');
    expect(final.chargemode.pv_charging.min_soc).toBe(35);
    // The last template published carries all three changes.
    const last = JSON.parse((await since()).at(-1)!.payload);
    expect([last.chargemode.instant_charging.current, last.chargemode.selected, last.chargemode.pv_charging.min_soc]).toEqual([
      24,
      'stop',
      35,
    ]);
  });

  it('answers 202 at once with Prefer: respond-async; the command moves from pending to applied', async () => {
    const res = await put(gw, '/api/v1/chargepoints/3/lock', { locked: true }).set('Prefer', 'respond-async').expect(202);
    expect(res.body.status).toBe('pending');
    expect(res.headers['preference-applied']).toBe('respond-async');
    const applied = await eventually(async () => {
      const command = await get(gw, res.headers.location as string).expect(200);
      return command.body.status === 'applied' ? command.body : undefined;
    });
    expect(applied.completedAt).not.toBeNull();
    await put(gw, '/api/v1/chargepoints/3/lock', { locked: false }).expect(200);
  });

  it('shows a command to its owner and admins only', async () => {
    const mine = await gw.http.put('/api/v1/chargepoints/4/lock').set(bearer(userToken)).send({ locked: true }).expect(200);
    await gw.http.get(`/api/v1/commands/${mine.body.id}`).set(bearer(userToken)).expect(200);
    await get(gw, `/api/v1/commands/${mine.body.id}`).expect(200);
    const admins = await put(gw, '/api/v1/chargepoints/4/lock', { locked: false }).expect(200);
    await gw.http.get(`/api/v1/commands/${admins.body.id}`).set(bearer(userToken)).expect(404);
    await get(gw, '/api/v1/commands/00000000-0000-4000-8000-000000000000').expect(404);
    await get(gw, '/api/v1/commands/not-a-uuid').expect(400);
  });

  it('audits every command with who, what and the result, and refused ones as failures', async () => {
    const res = await put(gw, '/api/v1/chargepoints/3/charge-mode', { mode: 'eco' }).expect(200);
    await put(gw, '/api/v1/chargepoints/4/vehicle', { vehicleId: '7' }).expect(400);
    const audit = await get(gw, '/api/v1/audit?action=command.charge-mode&limit=50').expect(200);
    const entry = audit.body.items.find((e: { detail: { commandId?: string } }) => e.detail?.commandId === res.body.id);
    expect(entry).toMatchObject({
      outcome: 'success',
      actor: { type: 'apiKey', name: 'test-admin' },
      target: { type: 'chargepoint', id: '3' },
    });
    expect(entry.detail).toMatchObject({ status: 'applied', via: 'api', mode: 'eco' });
    const refused = await get(gw, '/api/v1/audit?action=command.vehicle&limit=50').expect(200);
    expect(refused.body.items[0]).toMatchObject({ outcome: 'failure', detail: { status: 'rejected', vehicleId: '7' } });
  });

  describe('vehicles', () => {
    it('sets a manual SoC (vehicle with the manual module) and confirms it', async () => {
      const since = await spy.mark();
      const res = await put(gw, '/api/v1/vehicles/1/soc', { soc: 55 }).expect(200);
      expect(res.body).toMatchObject({ action: 'vehicleSoc', status: 'applied', target: { type: 'vehicle', id: '1' } });
      expect(res.body.vehicle.id).toBe('1');
      expect((await since()).map((m) => [m.topic, m.payload])).toEqual([
        ['openWB/set/vehicle/1/soc_module/calculated_soc_state/manual_soc', '55'],
      ]);
      await sim.tick();
      await eventually(async () => ((await get(gw, '/api/v1/vehicles/1')).body.soc === 55 ? true : undefined));
    });

    it('refuses a manual SoC for a module that does not take one (409)', async () => {
      const since = await spy.mark();
      const res = await put(gw, '/api/v1/vehicles/2/soc', { soc: 55 }).expect(409);
      expect(res.body.detail).toMatch(/mqtt/);
      await put(gw, '/api/v1/chargepoints/3/vehicle-soc', { soc: 50 }).expect(409); // vehicle 0: no SoC module
      await spy.expectNothingSince(since);
    });

    it('requests a SoC update and is confirmed by openWB republishing the request', async () => {
      const since = await spy.mark();
      const res = await post(gw, '/api/v1/vehicles/1/soc-update').expect(200);
      expect(res.body.status).toBe('applied');
      expect((await since()).map((m) => [m.topic, m.payload])).toEqual([['openWB/set/vehicle/1/get/force_soc_update', 'true']]);
    });

    it('switches a vehicle to an existing charge template only', async () => {
      const templates = await get(gw, '/api/v1/charge-templates').expect(200);
      expect(templates.body.items.map((t: { id: string }) => t.id)).toEqual(['0', '1', '2']);
      const since = await spy.mark();
      await put(gw, '/api/v1/vehicles/2/charge-template', { chargeTemplateId: '1' }).expect(200);
      await put(gw, '/api/v1/vehicles/2/charge-template', { chargeTemplateId: '8' }).expect(400);
      expect((await since()).map((m) => [m.topic, m.payload])).toEqual([['openWB/set/vehicle/2/charge_template', '1']]);
      await put(gw, '/api/v1/vehicles/2/charge-template', { chargeTemplateId: '2' }).expect(200);
    });

    it('lets users act only on vehicles at their chargepoints', async () => {
      // Chargepoint 4 uses vehicle 0.
      await gw.http.post('/api/v1/vehicles/0/soc-update').set(bearer(userToken)).expect(200);
      await gw.http.post('/api/v1/vehicles/1/soc-update').set(bearer(userToken)).expect(403);
    });
  });
});

describe('command timeout', () => {
  let gw: TestGateway;
  let spy: SetTopicSpy;
  let openwb: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    // No simulator: chargepoint 7 exists on the broker, but nobody answers its set topics.
    gw = await startAuthGateway({ store: 'memory', env: { RECORDER_ENABLED: 'false', COMMAND_TIMEOUT_S: '1', OPENWB_GENERATION: '2' } });
    spy = await SetTopicSpy.open(gw.topicPrefix);
    openwb = await openPublisher(gw.topicPrefix);
    await openwb.publish('openWB/system/version', '"2.2.2"');
    await openwb.publish('openWB/chargepoint/7/set/manual_lock', 'false');
    await known(gw, '/api/v1/chargepoints/7');
  });
  afterAll(async () => {
    await openwb?.close();
    await spy?.close();
    await gw?.close();
  });

  it('answers 202 when openWB shows nothing within COMMAND_TIMEOUT_S; the command ends as timeout', async () => {
    const since = await spy.mark();
    const res = await put(gw, '/api/v1/chargepoints/7/lock', { locked: true }).expect(202);
    expect(['pending', 'timeout']).toContain(res.body.status);
    expect((await since()).map((m) => m.topic)).toEqual(['openWB/set/chargepoint/7/set/manual_lock']);
    const command = await eventually(async () => {
      const got = await get(gw, res.headers.location as string).expect(200);
      return got.body.status === 'timeout' ? got.body : undefined;
    });
    expect(command.detail).toMatch(/did not show the change within 1 s/);
  });

  it('is pending right after a respond-async request, then timeout', async () => {
    const res = await put(gw, '/api/v1/chargepoints/7/lock', { locked: true }).set('Prefer', 'respond-async').expect(202);
    expect(res.body.status).toBe('pending');
    expect((await get(gw, res.headers.location as string).expect(200)).body.status).toBe('pending');
    await eventually(async () => ((await get(gw, res.headers.location as string)).body.status === 'timeout' ? true : undefined));
  });

  it('answers 503 for a charge template never received', async () => {
    const res = await put(gw, '/api/v1/chargepoints/7/charge-mode', { mode: 'stop' }).expect(503);
    expect(res.body.detail).toMatch(/charge template/);
  });
});
