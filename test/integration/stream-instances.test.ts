import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import { eventually, gatewayOnOwnRedis, openPublisher, startTestGateway, type Publisher, type TestGateway } from '../support/gateway.ts';
import { PrivateMosquitto } from '../support/mosquitto-server.ts';
import type { PrivateRedis } from '../support/redis-server.ts';
import { services, uniqueId } from '../support/services.ts';
import { openEventStream, openStream, type StreamClient, type StreamMessage } from '../support/stream-client.ts';

const powerOf = (m: StreamMessage) => (m.fields as { power?: { value: number } } | undefined)?.power?.value;

async function ticketFrom(gw: TestGateway, headers: Record<string, string>): Promise<string> {
  const res = await gw.http.post('/api/v1/stream/tickets').set(headers).expect(201);
  return res.body.ticket as string;
}

/** The status and headers of a refused upgrade. */
function refusedUpgrade(baseUrl: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/stream`, { headers });
    ws.once('unexpected-response', (_req, res) => resolve(res));
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('error', reject);
  });
}

describe('the live stream on two instances sharing Redis and the database, one of them not ingesting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-stream-inst-'));
  let ingesting: TestGateway;
  let replicaOnly: TestGateway;
  let publisher: Publisher;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    const redisKeyPrefix = `${uniqueId('stream_inst')}:`;
    const shared = { redisKeyPrefix, databaseUrl: `sqlite:${join(dir, 'gw.db')}`, env: { RECORDER_ENABLED: 'false' } };
    ingesting = await startAuthGateway(shared);
    // It listens on a topic prefix nobody publishes on: whatever it streams came through Redis.
    replicaOnly = await startAuthGateway({ ...shared, topicPrefix: `${uniqueId('silent')}/` });
    publisher = await openPublisher(ingesting.topicPrefix);
    await publisher.publish('openWB/chargepoint/3/get/power', '1500');
    await eventually(async () => {
      const res = await replicaOnly.http.get('/api/v1/chargepoints/3').set('x-api-key', replicaOnly.readKey);
      return res.status === 200 && res.body.power === 1500 ? true : undefined;
    });
  });

  afterAll(async () => {
    for (const client of clients) {
      expect(client.violations).toEqual([]);
      client.ws.terminate();
    }
    await publisher?.close();
    await replicaOnly?.close();
    await ingesting?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes the snapshot and the delta of a publish to a client of the instance that does not ingest', async () => {
    const client = await openStream(replicaOnly.gateway.url, { headers: { 'x-api-key': replicaOnly.readKey } });
    clients.push(client);
    const snapshot = await client.next((m) => m.type === 'snapshot');
    expect((snapshot.chargepoints as { id: string; power: number }[]).find((cp) => cp.id === '3')?.power).toBe(1500);
    await publisher.publish('openWB/chargepoint/3/get/power', '4321');
    const changed = await client.next((m) => m.type === 'changed' && m.id === '3' && powerOf(m) === 4321);
    expect(Object.keys(changed.fields as object)).toEqual(['power']);
    expect(changed.seq).toBe(2);
  });

  it('opens the stream on instance B with a ticket issued on instance A, once across instances and transports', async () => {
    const ticket = await ticketFrom(ingesting, { 'x-api-key': ingesting.readKey });
    const client = await openStream(replicaOnly.gateway.url, { query: `?ticket=${ticket}` });
    clients.push(client);
    await client.next((m) => m.type === 'snapshot');
    await expect(openStream(ingesting.gateway.url, { query: `?ticket=${ticket}` })).rejects.toThrow('refused: 401');
    const again = await openEventStream(ingesting.gateway.url, { accept: 'text/event-stream' }, `?ticket=${ticket}`);
    expect(again.status).toBe(401);
    again.close();
  });

  it('serves Server-Sent Events to ?ticket= (EventSource cannot send headers), then refuses the ticket on the WebSocket', async () => {
    const ticket = await ticketFrom(replicaOnly, { 'x-api-key': replicaOnly.readKey });
    const events = await openEventStream(ingesting.gateway.url, { accept: 'text/event-stream' }, `?ticket=${ticket}`);
    try {
      expect(events.status).toBe(200);
      await events.next((m) => m.type === 'snapshot');
      await publisher.publish('openWB/chargepoint/3/get/power', '2468');
      await events.next((m) => m.type === 'changed' && powerOf(m) === 2468);
      expect(events.violations).toEqual([]);
    } finally {
      events.close();
    }
    await expect(openStream(replicaOnly.gateway.url, { query: `?ticket=${ticket}` })).rejects.toThrow('refused: 401');
  });

  it('answers a bad narrowing with 400 before redeeming the ticket, which then still opens the stream', async () => {
    const ticket = await ticketFrom(ingesting, { 'x-api-key': ingesting.readKey });
    const refused = await openEventStream(ingesting.gateway.url, { accept: 'text/event-stream' }, `?ticket=${ticket}&topics=nonsense`);
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    refused.close();
    await expect(openStream(ingesting.gateway.url, { query: `?ticket=${ticket}&chargepoint=3` })).rejects.toThrow('refused: 400');
    const events = await openEventStream(ingesting.gateway.url, { accept: 'text/event-stream' }, `?ticket=${ticket}&topics=values`);
    try {
      expect(events.status).toBe(200);
      await events.next((m) => m.type === 'snapshot');
    } finally {
      events.close();
    }
    // Without a ticket nothing about the parameters is told before the credentials: 401.
    const anonymous = await openEventStream(ingesting.gateway.url, { accept: 'text/event-stream' }, '?topics=nonsense');
    expect(anonymous.status).toBe(401);
    anonymous.close();
  });

  it("binds a ticket to a user's session: issued with an access token on A, it streams on B until the session ends", async () => {
    const user = await addUser(ingesting, uniqueId('streamer'), 'user', ['3']);
    const tokens = await login(ingesting, user);
    const ticket = await ticketFrom(ingesting, bearer(tokens.accessToken));
    const client = await openStream(replicaOnly.gateway.url, { query: `?ticket=${ticket}` });
    clients.push(client);
    const snapshot = await client.next((m) => m.type === 'snapshot');
    expect((snapshot.chargepoints as { id: string }[]).map((cp) => cp.id)).toEqual(['3']);
    await ingesting.http
      .post('/api/v1/auth/logout')
      .set(bearer(tokens.accessToken))
      .send({ refreshToken: tokens.refreshToken })
      .expect(204);
    expect(await client.closed).toMatchObject({ code: 4401 });
  });

  it('keeps in Redis only the hash of a ticket and a reference to the credentials, never the key', async () => {
    const ticket = await ticketFrom(ingesting, { 'x-api-key': ingesting.readKey });
    const redis = new Redis(services.redisUrl);
    try {
      const keys = await redis.keys(`${ingesting.redisKeyPrefix}stream:ticket:*`);
      expect(keys.length).toBeGreaterThan(0);
      const values = await Promise.all(keys.map((key) => redis.get(key)));
      for (const text of [...keys, ...values.map(String)]) {
        expect(text).not.toContain(ticket.slice(3));
        expect(text).not.toContain(ingesting.readKey);
        expect(text).not.toContain(ingesting.readKey.slice('owg_12345678_'.length));
      }
      expect(await redis.pttl(keys[0]!)).toBeLessThanOrEqual(30_000);
    } finally {
      redis.disconnect();
    }
  });
});

describe('the live stream tells clients when openWB retires an object', () => {
  let gw: TestGateway;
  let publisher: Publisher;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { RETIRE_AFTER_S: '1', RECORDER_ENABLED: 'false' } });
    publisher = await openPublisher(gw.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('sends removed (kind, id) for a chargepoint that left the REST list', async () => {
    const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await client.next((m) => m.type === 'snapshot');
    await publisher.publish('openWB/chargepoint/3/get/power', '100', false);
    await publisher.publish('openWB/chargepoint/88/get/power', '200', false);
    await client.next((m) => m.type === 'changed' && m.id === '88');
    let power = 100;
    const removed = await eventually(
      async () => {
        await publisher.publish('openWB/chargepoint/3/get/power', String(++power), false);
        return client.messages.find((m) => m.type === 'removed');
      },
      10_000,
      'the removed message',
    );
    expect(removed).toEqual({ seq: removed.seq, type: 'removed', kind: 'chargepoint', id: '88' });
    const list = await gw.http.get('/api/v1/chargepoints').set('x-api-key', gw.readKey).expect(200);
    expect((list.body.items as { id: string }[]).map((cp) => cp.id)).toEqual(['3']);
    expect(client.messages.filter((m) => m.id === '88' && m.seq > removed.seq)).toEqual([]);
    expect(client.violations).toEqual([]);
    client.ws.terminate();
  });
});

describe('failed authentications of the stream upgrade', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startAuthGateway({ env: { LOGIN_MAX_FAILURES_PER_IP: '3', LOGIN_LOCKOUT_S: '60', RECORDER_ENABLED: 'false' } });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('count against the address like failed logins; past the budget even good credentials are refused with 429', async () => {
    const good = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await good.next((m) => m.type === 'snapshot');
    good.ws.terminate();
    expect((await refusedUpgrade(gw.gateway.url, { 'x-api-key': 'owg_nonsense' })).statusCode).toBe(401);
    expect((await refusedUpgrade(gw.gateway.url, { 'x-api-key': `owg_abcdefgh_${'A'.repeat(43)}` })).statusCode).toBe(401);
    const wrongTicket = await new Promise<IncomingMessage>((resolve, reject) => {
      const ws = new WebSocket(`${gw.gateway.url.replace(/^http/, 'ws')}/api/v1/stream?ticket=st_${'0'.repeat(48)}`);
      ws.once('unexpected-response', (_req, res) => resolve(res));
      ws.once('error', reject);
    });
    expect(wrongTicket.statusCode).toBe(401);

    const blocked = await refusedUpgrade(gw.gateway.url, { 'x-api-key': gw.readKey });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // One budget per address: the failed upgrades lock out password guessing from the same address as well.
    const loginAttempt = await gw.http.post('/api/v1/auth/login').send({ username: 'nobody', password: 'wrong-password-1' });
    expect(loginAttempt.status).toBe(429);
  });
});

describe('stream tickets while Redis is away', () => {
  let redis: PrivateRedis;
  let gw: TestGateway;
  let publisher: Publisher;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ redis, gw, publisher, close } = await gatewayOnOwnRedis());
    await ticketFrom(gw, { 'x-api-key': gw.readKey });
  });

  afterAll(async () => {
    await close?.();
  });

  it('answers a ticket request with 503 and Retry-After, while streams opened with headers keep working', async () => {
    await redis.stop();
    const refused = await eventually(async () => {
      const res = await gw.http.post('/api/v1/stream/tickets').set('x-api-key', gw.readKey);
      return res.status === 503 ? res : undefined;
    });
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await client.next((m) => m.type === 'snapshot');
    await publisher.publish('openWB/chargepoint/3/get/power', '777');
    await client.next((m) => m.type === 'changed' && powerOf(m) === 777);
    expect((await refusedUpgrade(gw.gateway.url, {}).then((res) => res.statusCode)) as number).toBe(401);
    expect(client.violations).toEqual([]);
    client.ws.terminate();
  });
});

describe('a stream whose instance lost Redis for a while', () => {
  let redis: PrivateRedis;
  let gw: TestGateway;
  let publisher: Publisher;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ redis, gw, publisher, close } = await gatewayOnOwnRedis());
  });

  afterAll(async () => {
    await close?.();
  });

  it('sends its clients a fresh snapshot once it hears the other instances again (their events in between are not replayed)', async () => {
    const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await client.next((m) => m.type === 'snapshot');
    await redis.stop();
    await publisher.publish('openWB/chargepoint/3/get/power', '555');
    await client.next((m) => m.type === 'changed' && powerOf(m) === 555);
    await redis.start();
    const fresh = await client.next((m) => m.type === 'snapshot', 20_000, 1);
    expect((fresh.chargepoints as { id: string; power: number }[]).find((cp) => cp.id === '3')?.power).toBe(555);
    expect(fresh.seq).toBeGreaterThan(2);
    await publisher.publish('openWB/chargepoint/3/get/power', '556');
    const after = await client.next((m) => m.type === 'changed' && powerOf(m) === 556);
    expect(after.seq).toBeGreaterThan(fresh.seq);
    expect(client.violations).toEqual([]);
    client.ws.terminate();
  });
});

describe('a client that stops reading, over a real socket', () => {
  let gw: TestGateway;
  let publisher: Publisher;

  beforeAll(async () => {
    // Pings far apart: the stalled client, which answers none, is to be closed for being slow, not dropped as dead.
    gw = await startTestGateway({ env: { STREAM_STALL_S: '2', STREAM_REAUTH_S: '1', STREAM_PING_S: '300', RECORDER_ENABLED: 'false' } });
    publisher = await openPublisher(gw.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  const metric = async (pattern: RegExp) => {
    const text = (await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200)).text;
    return Number(pattern.exec(text)?.[1] ?? 'NaN');
  };

  it('gets its changes coalesced and is closed with 4008, while another client receives every delta promptly', async () => {
    const healthy = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    const stalled = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await healthy.next((m) => m.type === 'snapshot');
    await stalled.next((m) => m.type === 'snapshot');
    const chargepoints = Array.from({ length: 48 }, (_, i) => String(i + 1));
    // A fault state first: the fault (and its message below) is part of a chargepoint's body only with one.
    await Promise.all(chargepoints.map((id) => publisher.publish(`openWB/chargepoint/${id}/get/fault_state`, '0', false)));
    for (const id of chargepoints)
      await stalled.next((m) => m.id === id && (m.fields as { fault?: unknown } | undefined)?.fault !== undefined);
    // Texts near their 2000-character limit; two waves per round (status, then fault), so while the stalled
    // client is backed up the second change of a chargepoint merges into the first one still waiting.
    const text = (round: number, id: string) => `${'x'.repeat(1_900)} ${id}/${round}`;
    const statusText = (m: StreamMessage) => (m.fields as { statusText?: { value: string } } | undefined)?.statusText?.value;
    const faultText = (m: StreamMessage) =>
      (m.fields as { fault?: { value: { message: string } | null } } | undefined)?.fault?.value?.message;
    const latencies: number[] = [];
    const wave = async (topic: string, received: (m: StreamMessage) => string | undefined, round: number) => {
      const startedAt = performance.now();
      const from = healthy.messages.length;
      await Promise.all(
        chargepoints.map((id) => publisher.publish(`openWB/chargepoint/${id}/get/${topic}`, JSON.stringify(text(round, id)), false)),
      );
      for (const id of chargepoints) await healthy.next((m) => m.id === id && received(m) === text(round, id), 5_000, from);
      latencies.push(performance.now() - startedAt);
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    let round = 0;
    // The healthy client's latency with no stalled client beside it, measured now, on this machine as it is.
    while (round < 3) {
      round++;
      await wave('state_str', statusText, round);
      await wave('fault_str', faultText, round);
    }
    const baseline = median(latencies.splice(0));

    // The client stops reading: the kernel's buffers fill first (about 2,000 frames on loopback), then the gateway's.
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();

    await eventually(
      async () => {
        for (let i = 0; i < 5; i++) {
          round++;
          await wave('state_str', statusText, round);
          await wave('fault_str', faultText, round);
        }
        return (await metric(/^stream_closed_total\{reason="tooSlow"\} (\d+)$/m)) >= 1 ? true : undefined;
      },
      150_000,
      'the stalled client to be closed',
    );
    expect(await metric(/^stream_changes_coalesced_total (\d+)$/m)).toBeGreaterThan(0);

    // Every delta reached the healthy client, in order, without gaps.
    const seqs = healthy.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Each wave (48 changes) reached it before the next was published, typically about as fast as with nobody stalled.
    expect(median(latencies)).toBeLessThan(2 * baseline + 250);

    // Reading again, the stalled client finds what it was sent (far fewer messages), then the close.
    (stalled.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await stalled.closed).toMatchObject({ code: 4008 });
    expect(stalled.messages.length).toBeLessThan(healthy.messages.length);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    expect(healthy.violations).toEqual([]);
    expect(stalled.violations).toEqual([]);
    healthy.ws.terminate();
  }, 180_000);
});

describe('broker connection events on two instances, one of them not ingesting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-stream-conn-'));
  let broker: PrivateMosquitto;
  let ingesting: TestGateway;
  let replicaOnly: TestGateway;

  beforeAll(async () => {
    broker = await PrivateMosquitto.start();
    const shared = { redisKeyPrefix: `${uniqueId('stream_conn')}:`, databaseUrl: `sqlite:${join(dir, 'gw.db')}` };
    ingesting = await startTestGateway({ ...shared, env: { OPENWB_MQTT_URL: broker.url, RECORDER_ENABLED: 'false' } });
    // On the shared broker, under a prefix nobody publishes on: it reads nothing from openWB's broker.
    replicaOnly = await startTestGateway({ ...shared, topicPrefix: `${uniqueId('silent')}/`, env: { RECORDER_ENABLED: 'false' } });
    const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await publisher.publishAsync(`${ingesting.topicPrefix}openWB/chargepoint/3/get/power`, '1500', { qos: 1 });
    await publisher.endAsync();
    await eventually(async () => {
      const res = await ingesting.http.get('/api/v1/system').set('x-api-key', ingesting.readKey).expect(200);
      return res.body.broker.messagesReceived > 0 ? true : undefined;
    });
  });

  afterAll(async () => {
    await replicaOnly?.close();
    await ingesting?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tells the clients of the instance that does not ingest that the ingesting instance's broker connection was lost and is back", async () => {
    const query = '?topics=connection';
    const own = await openEventStream(ingesting.gateway.url, { 'x-api-key': ingesting.readKey, accept: 'text/event-stream' }, query);
    const followed = await openEventStream(
      replicaOnly.gateway.url,
      { 'x-api-key': replicaOnly.readKey, accept: 'text/event-stream' },
      query,
    );
    for (const client of [own, followed]) await client.next((m) => m.type === 'snapshot');

    await broker.kill();
    for (const client of [own, followed]) expect(await client.next((m) => m.type === 'connection')).toMatchObject({ connected: false });
    await broker.start();
    for (const client of [own, followed])
      expect(await client.next((m) => m.type === 'connection' && m.connected === true, 15_000)).toMatchObject({ connected: true });
    // Once each: the instance that does not ingest passes on the other's events, its own broker connection never changed.
    for (const client of [own, followed]) {
      expect(client.messages.map((m) => m.type)).toEqual(['snapshot', 'connection', 'connection']);
      expect(client.violations).toEqual([]);
      client.close();
    }
  }, 60_000);
});
