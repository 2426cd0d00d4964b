import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenWbSimulator } from '../../src/openwb/simulator/index.ts';
import { OpenWb19Simulator } from '../../src/openwb/simulator/v19.ts';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import { eventually, type TestGateway } from '../support/gateway.ts';
import { mariadbTarget, type DatabaseTarget } from '../support/databases.ts';
import { services } from '../support/services.ts';
import { get, known, SetTopicSpy } from './control-helpers.ts';

type Event = {
  tag: string;
  chargepointId: string;
  outcome: string;
  source: string;
  commandIds: string[];
  sessionId: string | null;
  userId: string | null;
  detail: string | null;
};

async function events(gw: TestGateway): Promise<Event[]> {
  return (await get(gw, '/api/v1/rfid-events?limit=200').expect(200)).body.items;
}

/**
 * openWB 2.x simulator → a tag scanned and bound → the profile's preset on the broker → the session
 * attributed to the profile's user; MariaDB and Redis as in production.
 */
describe('RFID profile presets end to end (openWB 2.x)', () => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let sim: OpenWbSimulator;
  let spy: SetTopicSpy;
  let alice: TestUser;
  let bob: TestUser;
  const env = { RECORD_INTERVAL_S: '1', RECORDER_LOCK_TTL_S: '5' };
  const templates = () =>
    spy.messages.filter((m) => m.topic === 'openWB/set/chargepoint/3/set/charge_template').map((m) => JSON.parse(m.payload));

  beforeAll(async () => {
    target = await mariadbTarget('rfid');
    gw = await startAuthGateway({ store: 'redis', databaseUrl: target.url, env });
    spy = await SetTopicSpy.open(gw.topicPrefix);
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix, intervalMs: 0 });
    await known(gw, '/api/v1/chargepoints/3/charge-settings');
    alice = await addUser(gw, 'alice', 'user', ['3', '4']);
    bob = await addUser(gw, 'bob', 'user', ['4']);
    await gw.http
      .post('/api/v1/profiles')
      .set('x-api-key', gw.adminKey)
      .send({ name: 'Alice e-Golf', userId: alice.id, tags: ['04A1B2C3'], preset: { chargeMode: 'pv', instantCharging: { current: 20 } } })
      .expect(201);
    await gw.http
      .post('/api/v1/profiles')
      .set('x-api-key', gw.adminKey)
      .send({ name: 'Bob', userId: bob.id, tags: ['1234567890'], chargepoints: ['4'], preset: { chargeMode: 'stop' } })
      .expect(201);
  });
  afterAll(async () => {
    await sim?.stop();
    await spy?.close();
    await gw?.close();
    await target?.dispose();
  });

  it('applies the preset when the tag is bound, on the vehicle template openWB switched to, as the profile user', async () => {
    await sim.plug(3, true);
    await sim.tick();
    await sim.scanTag(3, '04A1B2C3');
    await eventually(async () => ((await events(gw)).length === 1 ? true : undefined));
    expect(templates()).toEqual([]); // waits for openWB to bind the tag and switch the template
    await sim.tick(); // binds: vehicle 1, template 1
    const event = await eventually(async () => (await events(gw)).find((e) => e.tag === '04A1B2C3' && e.outcome !== 'pending'), 10_000);
    expect(event).toMatchObject({ chargepointId: '3', source: 'scan', outcome: 'applied', userId: alice.id });
    expect(event.commandIds).toHaveLength(1);
    const [template] = templates();
    expect(template.id).toBe(1); // the e-Golf's template, not the default one the chargepoint had at the scan
    expect(template.chargemode.selected).toBe('pv_charging');
    expect(template.chargemode.pv_charging.min_current).toBe(0);
    expect(template.chargemode.instant_charging.current).toBe(20);
    const command = await get(gw, `/api/v1/commands/${event.commandIds[0]}`).expect(200);
    expect(command.body).toMatchObject({
      action: 'preset',
      via: 'rfid',
      status: 'applied',
      request: { chargeMode: 'pv', instantCharging: { current: 20 } },
    });
    const aliceAuth = bearer((await login(gw, alice)).accessToken);
    await gw.http.get(`/api/v1/commands/${event.commandIds[0]}`).set(aliceAuth).expect(200);
    const audit = await get(gw, '/api/v1/audit?action=command.preset').expect(200);
    expect(audit.body.items[0]).toMatchObject({
      outcome: 'success',
      actor: { type: 'user', id: alice.id, name: 'alice' },
      detail: { via: 'rfid', tag: '04A1B2C3', status: 'applied' },
    });
  });

  it('attributes the session to the profile user, who then sees it (and others do not)', async () => {
    const event = await eventually(async () => (await events(gw)).find((e) => e.tag === '04A1B2C3' && e.sessionId !== null), 15_000);
    const session = await get(gw, `/api/v1/sessions/${event.sessionId}`).expect(200);
    expect(session.body).toMatchObject({ chargepointId: '3', user: { id: alice.id, name: 'alice' } });
    // The recorder keeps rewriting the open session: the attribution stays.
    await sim.tick();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await get(gw, `/api/v1/sessions/${event.sessionId}`)).body.user).toEqual({ id: alice.id, name: 'alice' });
    const aliceAuth = bearer((await login(gw, alice)).accessToken);
    const mine = await gw.http.get('/api/v1/sessions').set(aliceAuth).expect(200);
    expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([event.sessionId]);
    await gw.http.get(`/api/v1/sessions/${event.sessionId}`).set(aliceAuth).expect(200);
    const bobAuth = bearer((await login(gw, bob)).accessToken);
    expect((await gw.http.get('/api/v1/sessions').set(bobAuth).expect(200)).body.items).toEqual([]);
    // Alice's own events, not Bob's.
    expect((await gw.http.get('/api/v1/rfid-events').set(aliceAuth).expect(200)).body.items.map((e: Event) => e.tag)).toEqual(['04A1B2C3']);
  });

  it('does not apply again for the same session: more cycles, a rescan, a restarted instance', async () => {
    const before = templates().length;
    await sim.tick();
    await sim.scanTag(3, '04A1B2C3');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sim.tick();
    const second = await startAuthGateway({
      store: 'redis',
      databaseUrl: target.url,
      topicPrefix: gw.topicPrefix,
      redisKeyPrefix: gw.redisKeyPrefix,
      env,
    });
    try {
      await known(second, '/api/v1/chargepoints/3');
      await sim.tick();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await events(gw)).filter((e) => e.tag === '04A1B2C3')).toHaveLength(1);
      expect(templates()).toHaveLength(before);
    } finally {
      await second.close();
    }
  });

  it('records an unknown tag and changes nothing', async () => {
    const since = await spy.mark();
    await sim.plug(4, true);
    await sim.tick();
    await sim.scanTag(4, 'DEADBEEF');
    // Ingest keeps only the newest value of a field per batch: let it see the scan before openWB drops it.
    const event = await eventually(async () => (await events(gw)).find((e) => e.tag === 'DEADBEEF' && e.outcome !== 'pending'));
    await sim.tick(); // openWB drops a tag it does not know
    expect(event).toMatchObject({ outcome: 'unknownTag', userId: null, commandIds: [] });
    await spy.expectNothingSince(since);
  });

  it('does not apply a profile where it does not apply, or over a session bound to another tag', async () => {
    const since = await spy.mark();
    // Bob's profile applies only on chargepoint 4; chargepoint 3 runs Alice's session.
    await sim.scanTag(3, '1234567890');
    await eventually(async () => (await events(gw)).find((e) => e.tag === '1234567890'));
    await sim.tick();
    const event = await eventually(async () => (await events(gw)).find((e) => e.tag === '1234567890' && e.outcome !== 'pending'), 10_000);
    expect(event).toMatchObject({ chargepointId: '3', outcome: 'notAllowed' });
    await spy.expectNothingSince(since);
  });

  it('applies again in the next plug-in session', async () => {
    const before = templates().length;
    const cp3 = async () => (await get(gw, '/api/v1/chargepoints/3')).body;
    // Ingest keeps the newest value per field and batch, and openWB's cycles are 10 s apart: step like openWB does.
    await sim.plug(3, false);
    await sim.tick();
    await eventually(async () => ((await cp3()).plugged === false ? true : undefined));
    await sim.tick(); // openWB ends the session: set/rfid null
    await eventually(async () => ((await cp3()).rfidTag === null ? true : undefined));
    await sim.plug(3, true);
    await sim.tick();
    await eventually(async () => ((await cp3()).plugged === true ? true : undefined));
    await sim.scanTag(3, '04A1B2C3');
    await eventually(async () => ((await events(gw)).filter((e) => e.tag === '04A1B2C3').length === 2 ? true : undefined));
    await sim.tick();
    await eventually(
      async () => ((await events(gw)).filter((e) => e.tag === '04A1B2C3' && e.outcome === 'applied').length === 2 ? true : undefined),
      10_000,
    );
    expect(templates()).toHaveLength(before + 1);
  });
});

describe('RFID profile presets on openWB 1.9', () => {
  let gw: TestGateway;
  let sim: OpenWb19Simulator;
  let spy: SetTopicSpy;

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory', env: { RECORDER_ENABLED: 'false' } });
    spy = await SetTopicSpy.open(gw.topicPrefix);
    sim = await OpenWb19Simulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix });
    await known(gw, '/api/v1/chargepoints/1/charge-settings');
    const owner = await addUser(gw, 'dora', 'admin');
    await gw.http
      .post('/api/v1/profiles')
      .set('x-api-key', gw.adminKey)
      .send({ name: 'Dora', userId: owner.id, tags: ['ABC123'], preset: { chargeMode: 'minPv', instantCharging: { current: 12 } } })
      .expect(201);
  });
  afterAll(async () => {
    await sim?.stop();
    await spy?.close();
    await gw?.close();
  });

  it('applies the preset on lastRfId of a plugged chargepoint with 1.9 topics', async () => {
    const since = await spy.mark();
    await sim.plug(1, true);
    await sim.scan('ABC123');
    const event = await eventually(async () => (await events(gw)).find((e) => e.tag === 'ABC123' && e.outcome !== 'pending'), 10_000);
    expect(event).toMatchObject({ chargepointId: '1', source: 'bind', outcome: 'applied' });
    expect(event.commandIds).toHaveLength(2);
    expect(since().map((m) => [m.topic, m.payload])).toEqual([
      ['openWB/set/ChargeMode', '1'],
      ['openWB/config/set/sofort/lp/1/current', '12'],
    ]);
  });

  it('does not apply again when lastRfId is republished while unplugged', async () => {
    await sim.plug(1, false);
    const since = await spy.mark();
    await gw.gateway.ingest.resync();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await events(gw)).filter((e) => e.tag === 'ABC123')).toHaveLength(1);
    await spy.expectNothingSince(since);
  });
});
