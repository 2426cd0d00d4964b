import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenWbSimulator } from '../../src/openwb/simulator/index.ts';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { services } from '../support/services.ts';
import { get, known, put, SetTopicSpy } from './control-helpers.ts';

/** SoC modules (admins): the list openWB offers, a vehicle's configuration with its secrets never shown. */
describe('SoC modules', () => {
  let gw: TestGateway;
  let sim: OpenWbSimulator;
  let spy: SetTopicSpy;
  let userToken: string;

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory', env: { RECORDER_ENABLED: 'false' } });
    spy = await SetTopicSpy.open(gw.topicPrefix);
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix, intervalMs: 0 });
    await known(gw, '/api/v1/soc-modules');
    await known(gw, '/api/v1/vehicles/2/soc-module');
    userToken = (await login(gw, await addUser(gw, 'driver', 'user', ['3', '4']))).accessToken;
  });
  afterAll(async () => {
    await sim?.stop();
    await spy?.close();
    await gw?.close();
  });

  it('lists the modules openWB publishes, defaults with secrets masked', async () => {
    const res = await get(gw, '/api/v1/soc-modules', gw.readKey).expect(200);
    expect(res.body.items[0]).toEqual({ type: null, name: '- kein SoC Modul -', official: null, configuration: {}, secrets: [] });
    expect(res.body.items.find((m: { type: string }) => m.type === 'kia')).toEqual({
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: null, password: { set: false }, pin: { set: false }, vin: null },
      secrets: ['password', 'pin'],
    });
  });

  it('sets a module; secrets go to openWB but are never returned; a PUT without them keeps them', async () => {
    const since = await spy.mark();
    const set = await put(gw, '/api/v1/vehicles/2/soc-module', {
      type: 'kia',
      configuration: { user_id: 'me@example.com', password: 'hunter2-secret', pin: '4711', vin: 'KNA0001' },
    }).expect(200);
    expect(set.body).toMatchObject({
      action: 'socModule',
      status: 'applied',
      request: { socModuleType: 'kia', socModuleKeys: ['password', 'pin', 'user_id', 'vin'] },
    });
    expect(set.body.socModule).toEqual({
      vehicleId: '2',
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: 'me@example.com', password: { set: true }, pin: { set: true }, vin: 'KNA0001' },
      secrets: ['password', 'pin'],
    });
    expect(JSON.stringify(set.body)).not.toMatch(/hunter2|4711/);
    const [published] = await since();
    expect(published!.topic).toBe('openWB/set/vehicle/2/soc_module/config');
    expect(JSON.parse(published!.payload)).toEqual({
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: 'me@example.com', password: 'hunter2-secret', pin: '4711', vin: 'KNA0001' },
    });

    const read = await get(gw, '/api/v1/vehicles/2/soc-module').expect(200);
    expect(read.body).toEqual(set.body.socModule);
    expect(JSON.stringify(read.body)).not.toMatch(/hunter2|4711/);

    const again = await spy.mark();
    const changed = await put(gw, '/api/v1/vehicles/2/soc-module', {
      type: 'kia',
      configuration: { vin: 'KNA0002', pin: { set: true } },
    }).expect(200);
    expect(JSON.stringify(changed.body)).not.toMatch(/hunter2|4711/);
    expect(JSON.parse((await again())[0]!.payload).configuration).toEqual({
      user_id: 'me@example.com',
      password: 'hunter2-secret',
      pin: '4711',
      vin: 'KNA0002',
    });

    const audit = await get(gw, '/api/v1/audit?action=command.soc-module').expect(200);
    expect(JSON.stringify(audit.body)).not.toMatch(/hunter2|4711/);
    const commands = await get(gw, `/api/v1/commands/${changed.body.id}`).expect(200);
    expect(JSON.stringify(commands.body)).not.toMatch(/hunter2|4711/);
  });

  it('refuses keys the module does not have, wrong types, unknown modules: 400 and nothing published', async () => {
    const since = await spy.mark();
    await put(gw, '/api/v1/vehicles/2/soc-module', { type: 'kia', configuration: { colour: 'red' } }).expect(400);
    await put(gw, '/api/v1/vehicles/2/soc-module', { type: 'manual', configuration: { reset_after_unplug: 'yes' } }).expect(400);
    await put(gw, '/api/v1/vehicles/2/soc-module', { type: 'teleport' }).expect(400);
    await put(gw, '/api/v1/vehicles/2/soc-module', { type: 'Kia!' }).expect(400);
    await put(gw, '/api/v1/vehicles/2/soc-module', { configuration: {} }).expect(400);
    await put(gw, '/api/v1/vehicles/77/soc-module', { type: 'manual' }).expect(404);
    await spy.expectNothingSince(since);
  });

  it('is for admins only', async () => {
    await gw.http.get('/api/v1/vehicles/2/soc-module').set(bearer(userToken)).expect(403);
    await gw.http.put('/api/v1/vehicles/2/soc-module').set(bearer(userToken)).send({ type: 'manual' }).expect(403);
    await get(gw, '/api/v1/vehicles/2/soc-module', gw.readKey).expect(403);
    await gw.http.get('/api/v1/soc-modules').set(bearer(userToken)).expect(200);
  });

  it('removes the module with type null, and a manual SoC then needs a manual module again', async () => {
    await put(gw, '/api/v1/vehicles/2/soc-module', { type: null }).expect(200);
    await put(gw, '/api/v1/vehicles/2/soc', { soc: 40 }).expect(409);
    await put(gw, '/api/v1/vehicles/2/soc-module', { type: 'manual' }).expect(200);
    await put(gw, '/api/v1/vehicles/2/soc', { soc: 40 }).expect(200);
  });
});
