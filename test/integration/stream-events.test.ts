import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenWbSimulator } from '../../src/openwb/simulator/index.ts';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { PrivateMosquitto } from '../support/mosquitto-server.ts';
import { services } from '../support/services.ts';
import { openEventStream, openStream, type StreamClient, type StreamMessage } from '../support/stream-client.ts';
import { known } from './control-helpers.ts';

type Session = { id: string; chargepointId: string; end: string | null; energy: number; user: { id: string } | null };
type Command = { id: string; status: string; target: { type: string; id: string }; action: string };
type RfidEvent = { id: string; tag: string; chargepointId: string; outcome: string; userId: string | null };

const sessionOf = (m: StreamMessage) => m.session as Session;
const commandOf = (m: StreamMessage) => m.command as Command;
const rfidOf = (m: StreamMessage) => m.rfidEvent as RfidEvent;
const EVENT_TYPES = new Set(['session', 'command', 'rfid', 'connection']);

/**
 * Events on the stream end to end: openWB 2.x simulated on the real broker (it confirms commands like openWB),
 * the recorder on its own clock, Redis, real WebSocket clients; every message checked against asyncapi.yaml.
 */
describe('live stream events', () => {
  let gw: TestGateway;
  let sim: OpenWbSimulator;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let aliceId: string;
  const clients: StreamClient[] = [];
  const open = async (headers: Record<string, string>, query = '') => {
    const client = await openStream(gw.gateway.url, { headers, query });
    clients.push(client);
    await client.next((m) => m.type === 'snapshot');
    return client;
  };
  /** Every message sent to `client` before this call has arrived once it returns (frames keep their order). */
  const fence = async (...targets: StreamClient[]) => {
    const power = String(1000 + Math.floor(Math.random() * 9000));
    await publisher.publish('openWB/chargepoint/3/get/power', power, false);
    for (const client of targets)
      await client.next((m) => m.type === 'changed' && (m.fields as { power?: { value: number } }).power?.value === Number(power));
  };
  const admin = () => ({ 'x-api-key': gw.adminKey });

  beforeAll(async () => {
    gw = await startAuthGateway({ env: { RECORD_INTERVAL_S: '1', COMMAND_TIMEOUT_S: '2' } });
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix, intervalMs: 0 });
    publisher = await openPublisher(gw.topicPrefix);
    await known(gw, '/api/v1/chargepoints/3/charge-settings');
    await known(gw, '/api/v1/chargepoints/4');
    const aliceUser = await addUser(gw, 'alice', 'user', ['3']);
    aliceId = aliceUser.id;
    alice = bearer((await login(gw, aliceUser)).accessToken);
    bob = bearer((await login(gw, await addUser(gw, 'bob', 'user', ['3', '4']))).accessToken);
    await gw.http
      .post('/api/v1/profiles')
      .set(admin())
      .send({ name: 'Alice', userId: aliceUser.id, tags: ['04A1B2C3'], preset: { chargeMode: 'pv' } })
      .expect(201);
  });

  afterEach(() => {
    for (const client of clients) expect(client.violations).toEqual([]);
  });

  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await publisher?.close();
    await sim?.stop();
    await gw?.close();
  });

  it("tells a command's pending and applied to its issuer and admins, never to another user", async () => {
    const [mine, others, all] = [await open(alice), await open(bob), await open(admin())];
    const res = await gw.http
      .put('/api/v1/chargepoints/3/charge-mode')
      .set(alice)
      .set('Prefer', 'respond-async')
      .send({ mode: 'instant' })
      .expect(202);
    const id = res.body.id as string;
    for (const client of [mine, all]) {
      const pending = await client.next((m) => m.type === 'command' && commandOf(m).id === id);
      expect(commandOf(pending)).toMatchObject({ status: 'pending', action: 'chargeMode', target: { type: 'chargepoint', id: '3' } });
      const applied = await client.next((m) => m.type === 'command' && commandOf(m).id === id && commandOf(m).status === 'applied');
      expect(applied.seq).toBeGreaterThan(pending.seq);
    }
    const rest = await gw.http.get(`/api/v1/commands/${id}`).set(alice).expect(200);
    expect(commandOf(mine.messages.findLast((m) => m.type === 'command')!)).toEqual(rest.body);
    await fence(others);
    expect(others.messages.filter((m) => m.type === 'command')).toEqual([]);
  });

  describe('sessions and RFID scans', () => {
    let mine: StreamClient;
    let others: StreamClient;
    let all: StreamClient;
    let cp4Session: string;

    it('tells an RFID scan with its outcome to the tag owner and admins; an unknown tag to admins only', async () => {
      [mine, others, all] = [await open(alice), await open(bob), await open(admin())];
      await gw.http.put('/api/v1/chargepoints/4/charge-mode').set(admin()).send({ mode: 'instant' }).expect(200);
      await gw.http.put('/api/v1/chargepoints/4/lock').set(admin()).send({ locked: false }).expect(200);
      await sim.plug(4, true);
      await sim.tick();
      const started = await all.next((m) => m.type === 'session' && sessionOf(m).chargepointId === '4', 10_000);
      expect(started).toMatchObject({ change: 'started', session: { end: null, user: null } });
      cp4Session = sessionOf(started).id;

      await sim.plug(3, true);
      await sim.tick();
      await sim.scanTag(3, '04A1B2C3');
      await sim.tick();
      for (const client of [mine, all]) {
        await client.next((m) => m.type === 'rfid' && rfidOf(m).tag === '04A1B2C3' && rfidOf(m).outcome === 'pending');
        const done = await client.next((m) => m.type === 'rfid' && rfidOf(m).tag === '04A1B2C3' && rfidOf(m).outcome !== 'pending', 10_000);
        expect(rfidOf(done)).toMatchObject({ chargepointId: '3', outcome: 'applied', userId: aliceId });
        // The preset ran as a command of Alice's.
        await client.next((m) => m.type === 'command' && commandOf(m).action === 'preset' && commandOf(m).status === 'applied');
      }
      await sim.scanTag(4, 'DEADBEEF');
      const unknown = await all.next((m) => m.type === 'rfid' && rfidOf(m).tag === 'DEADBEEF' && rfidOf(m).outcome !== 'pending');
      expect(rfidOf(unknown)).toMatchObject({ chargepointId: '4', outcome: 'unknownTag', userId: null });
      await fence(mine, others);
      expect(mine.messages.filter((m) => m.type === 'rfid' && rfidOf(m).tag !== '04A1B2C3')).toEqual([]);
      expect(others.messages.filter((m) => m.type === 'rfid')).toEqual([]);
    });

    it('tells sessions started, updated and ended; a user restricted to chargepoint 3 only hers', async () => {
      // Chargepoint 4 charges at once (instant): each cycle's energy reaches the stream with the recorder's next write.
      const cycles = all.messages.length;
      await sim.tick();
      const charged = await all.next(
        (m) => m.type === 'session' && sessionOf(m).id === cp4Session && sessionOf(m).energy > 0,
        10_000,
        cycles,
      );
      expect(charged.change).toBe('updated');
      await sim.tick();
      await all.next(
        (m) => m.type === 'session' && sessionOf(m).id === cp4Session && sessionOf(m).energy > sessionOf(charged).energy,
        10_000,
        cycles,
      );
      // Attributed through her tag: Alice hears of her session from then on.
      const own = await mine.next((m) => m.type === 'session' && sessionOf(m).user?.id === aliceId, 15_000);
      expect(own).toMatchObject({ change: 'updated', session: { chargepointId: '3', end: null } });
      const aliceSession = sessionOf(own).id;
      await sim.plug(3, false);
      await sim.plug(4, false);
      await sim.tick();
      for (const client of [mine, all]) {
        const ended = await client.next((m) => m.type === 'session' && sessionOf(m).id === aliceSession && m.change === 'ended', 10_000);
        expect(sessionOf(ended).end).not.toBeNull();
      }
      const ended = await all.next((m) => m.type === 'session' && sessionOf(m).id === cp4Session && m.change === 'ended', 10_000);
      const rest = await gw.http.get(`/api/v1/sessions/${cp4Session}`).set(admin()).expect(200);
      expect(ended.session).toEqual(rest.body);
      const told = all.messages.filter((m) => m.type === 'session' && sessionOf(m).id === cp4Session);
      expect(told.map((m) => m.change)).toEqual(['started', ...told.slice(1, -1).map(() => 'updated'), 'ended']);
      // Unchanged figures are not told again.
      const figures = told.map((m) => JSON.stringify(m.session));
      expect(new Set(figures).size).toBe(figures.length);
      await fence(mine, others);
      expect(mine.messages.filter((m) => m.type === 'session' && sessionOf(m).id !== aliceSession)).toEqual([]);
      expect(others.messages.filter((m) => m.type === 'session')).toEqual([]);
    });
  });

  it('narrows to the chargepoints and topics the URL names, in the snapshot and after', async () => {
    const cp4Values = await open(admin(), '?chargepoints=4&topics=values');
    const snapshot = cp4Values.messages[0]!;
    expect((snapshot.chargepoints as { id: string }[]).map((cp) => cp.id)).toEqual(['4']);
    expect(snapshot.site).toBeDefined();
    const eventsOnly = await open(admin(), '?topics=events');
    expect(Object.keys(eventsOnly.messages[0]!).sort()).toEqual(['seq', 'system', 'type']);
    const cp3Commands = await open(alice, '?chargepoints=3&topics=commands');

    await publisher.publish('openWB/chargepoint/4/get/power', '4321', false);
    await cp4Values.next((m) => m.type === 'changed' && m.id === '4');
    const res = await gw.http.put('/api/v1/chargepoints/3/charge-mode').set(alice).set('Prefer', 'respond-async').send({ mode: 'pv' });
    expect(res.status).toBe(202);
    await cp3Commands.next((m) => m.type === 'command' && commandOf(m).id === res.body.id && commandOf(m).status === 'applied');
    await eventsOnly.next((m) => m.type === 'command' && commandOf(m).id === res.body.id && commandOf(m).status === 'applied');
    await fence();
    await publisher.publish('openWB/chargepoint/4/get/power', '4322', false);
    await cp4Values.next((m) => m.type === 'changed' && (m.fields as { power?: { value: number } }).power?.value === 4322);

    expect(cp4Values.messages.filter((m) => EVENT_TYPES.has(m.type) || m.id === '3')).toEqual([]);
    expect(eventsOnly.messages.filter((m) => m.type === 'changed' || m.type === 'stale')).toEqual([]);
    expect(cp3Commands.messages.slice(1).every((m) => m.type === 'command')).toBe(true);
  });

  it('changes the narrowing of a WebSocket on a subscribe message, with a fresh snapshot; a bad one is answered with an error', async () => {
    const client = await open(admin(), '?topics=commands');
    client.ws.send(JSON.stringify({ type: 'subscribe', chargepoints: ['4'], topics: ['values'] }));
    const snapshot = await client.next((m) => m.type === 'snapshot' && m.seq === 2);
    expect((snapshot.chargepoints as { id: string }[]).map((cp) => cp.id)).toEqual(['4']);
    await publisher.publish('openWB/chargepoint/3/get/power', '3210', false);
    await publisher.publish('openWB/chargepoint/4/get/power', '4210', false);
    await client.next((m) => m.type === 'changed' && m.id === '4' && (m.fields as { power?: { value: number } }).power?.value === 4210);
    expect(client.messages.filter((m) => m.type === 'changed' && m.id === '3')).toEqual([]);

    client.ws.send(JSON.stringify({ type: 'subscribe', topics: ['values', 'weather'] }));
    const error = await client.next((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'invalid-subscription', message: expect.stringContaining('"weather"') });
    client.ws.send('{"type":"hello"}');
    expect(await client.next((m) => m.type === 'error' && m.seq > error.seq)).toMatchObject({ code: 'unsupported-message' });
    // The connection kept its narrowing.
    await publisher.publish('openWB/chargepoint/4/get/power', '4211', false);
    await client.next((m) => m.type === 'changed' && m.id === '4' && (m.fields as { power?: { value: number } }).power?.value === 4211);
  });

  it('refuses an invalid narrowing with 400, on the upgrade and as problem+json for Server-Sent Events', async () => {
    for (const query of ['?topics=everything', '?chargepoints=', '?chargepoints=3%204', '?chargepoint=3']) {
      await expect(openStream(gw.gateway.url, { headers: admin(), query })).rejects.toThrow('refused: 400');
    }
    const events = await openEventStream(gw.gateway.url, { ...admin(), accept: 'text/event-stream' }, '?topics=values,nonsense');
    expect(events.status).toBe(400);
    expect(events.headers['content-type']).toContain('application/problem+json');
    events.close();
  });

  it('tells a command timeout', async () => {
    const all = await open(admin());
    await sim.stop();
    const res = await gw.http.put('/api/v1/chargepoints/3/charge-mode').set(admin()).set('Prefer', 'respond-async').send({ mode: 'stop' });
    expect(res.status).toBe(202);
    const timeout = await all.next((m) => m.type === 'command' && commandOf(m).id === res.body.id && commandOf(m).status === 'timeout');
    expect(commandOf(timeout)).toMatchObject({ status: 'timeout', detail: expect.stringContaining('did not show the change') });
  });
});

describe('live stream broker connection events', () => {
  let broker: PrivateMosquitto;
  let gw: TestGateway;

  beforeAll(async () => {
    broker = await PrivateMosquitto.start();
    gw = await startTestGateway({ env: { OPENWB_MQTT_URL: broker.url, RECORDER_ENABLED: 'false' } });
    await eventually(async () => {
      const system = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey).expect(200);
      return system.body.broker.connected === true ? true : undefined;
    });
  });

  afterAll(async () => {
    await gw?.close();
    await broker?.close();
  });

  it('tells every client that the broker connection was lost and is back, over WebSocket and Server-Sent Events', async () => {
    const ws = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await ws.next((m) => m.type === 'snapshot');
    const sse = await openEventStream(gw.gateway.url, { 'x-api-key': gw.readKey, accept: 'text/event-stream' }, '?topics=connection');
    expect(sse.status).toBe(200);
    const snapshot = await sse.next((m) => m.type === 'snapshot');
    expect(Object.keys(snapshot).sort()).toEqual(['seq', 'system', 'type']);
    expect(snapshot.system).toMatchObject({ broker: { connected: true } });

    await broker.kill();
    for (const client of [ws, sse]) expect(await client.next((m) => m.type === 'connection')).toMatchObject({ connected: false });
    await broker.start();
    for (const client of [ws, sse]) {
      expect(await client.next((m) => m.type === 'connection' && m.connected === true, 15_000)).toMatchObject({ seq: expect.any(Number) });
    }
    const system = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey).expect(200);
    expect(system.body.broker.connected).toBe(true);
    expect(sse.messages.map((m) => m.type)).toEqual(['snapshot', 'connection', 'connection']);
    for (const client of [ws, sse]) expect(client.violations).toEqual([]);
    ws.ws.terminate();
    sse.close();
  });
});

describe('live stream events across instances sharing Redis', () => {
  let first: TestGateway;
  let second: TestGateway;
  let sim: OpenWbSimulator;

  beforeAll(async () => {
    first = await startTestGateway({ env: { RECORDER_ENABLED: 'false' } });
    second = await startTestGateway({
      topicPrefix: first.topicPrefix,
      redisKeyPrefix: first.redisKeyPrefix,
      env: { RECORDER_ENABLED: 'false' },
    });
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: first.topicPrefix, intervalMs: 0 });
    await known(first, '/api/v1/chargepoints/3/charge-settings');
  });

  afterAll(async () => {
    await sim?.stop();
    await second?.close();
    await first?.close();
  });

  it('shows a client of one instance the commands sent on the other', async () => {
    const client = await openStream(second.gateway.url, { headers: { 'x-api-key': second.adminKey } });
    await client.next((m) => m.type === 'snapshot');
    const res = await first.http
      .put('/api/v1/chargepoints/3/charge-mode')
      .set('x-api-key', first.adminKey)
      .set('Prefer', 'respond-async')
      .send({ mode: 'pv' });
    expect(res.status).toBe(202);
    await client.next((m) => m.type === 'command' && commandOf(m).id === res.body.id && commandOf(m).status === 'pending');
    await client.next((m) => m.type === 'command' && commandOf(m).id === res.body.id && commandOf(m).status === 'applied');
    expect(client.violations).toEqual([]);
    client.ws.terminate();
  });
});
