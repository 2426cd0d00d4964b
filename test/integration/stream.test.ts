import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../fixtures/openwb-v2-charging.ts';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { openEventStream, openStream, type StreamClient } from '../support/stream-client.ts';

const APP_ORIGIN = 'https://app.example';

describe('the live stream over WebSocket, against the real broker and Redis', () => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  const clients: StreamClient[] = [];
  const open = async (...args: Parameters<typeof openStream>) => {
    const client = await openStream(...args);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    gw = await startTestGateway({ env: { CORS_ORIGINS: APP_ORIGIN, STREAM_REAUTH_S: '1', STREAM_PING_S: '1' } });
    publisher = await openPublisher(gw.topicPrefix);
    for (const [topic, value] of MESSAGES) await publisher.publish(topic, JSON.stringify(value));
    await publisher.publish('openWB/chargepoint/4/get/power', '1000');
    await eventually(async () => {
      const res = await gw.http.get('/api/v1/chargepoints').set('x-api-key', gw.readKey);
      return res.body?.items?.length === 2 && res.body.items[1].power === 1000 ? true : undefined;
    });
    const site = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey);
    await eventually(async () =>
      (await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey)).body?.home?.energyToday === 6120 ? true : undefined,
    );
    expect(site.status).toBe(200);
  });

  afterEach(() => {
    for (const client of clients) expect(client.violations).toEqual([]);
  });

  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await publisher?.close();
    await gw?.close();
  });

  it('sends first a snapshot with the REST bodies, then only the changed field of one chargepoint', async () => {
    const client = await open(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    const snapshot = await client.next((m) => m.type === 'snapshot');
    expect(snapshot.seq).toBe(1);
    const [chargepoints, site, vehicles, system] = await Promise.all(
      ['/api/v1/chargepoints', '/api/v1/site', '/api/v1/vehicles', '/api/v1/system'].map((path) =>
        gw.http.get(path).set('x-api-key', gw.readKey).expect(200),
      ),
    );
    expect(snapshot.chargepoints).toEqual(chargepoints!.body.items);
    expect(snapshot.site).toEqual(site!.body);
    expect(snapshot.vehicles).toEqual(vehicles!.body.items);
    expect((snapshot.system as { openwb: unknown }).openwb).toEqual(system!.body.openwb);

    await publisher.publish('openWB/chargepoint/3/get/power', '7000');
    const changed = await client.next((m) => m.type === 'changed' && m.kind === 'chargepoint' && m.id === '3');
    expect(changed).toMatchObject({ seq: 2, kind: 'chargepoint', id: '3', stale: false });
    expect(Object.keys(changed.fields as object)).toEqual(['power']);
    const power = (changed.fields as Record<string, { value: unknown; updatedAt: string }>).power!;
    expect(power.value).toBe(7000);
    expect(power.updatedAt).toBe(changed.updatedAt);
    const rest = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey).expect(200);
    expect(rest.body.updatedAt).toBe(changed.updatedAt);
  });

  it('shows a key restricted to chargepoint 3 neither chargepoint 4 in the snapshot nor its changes', async () => {
    const narrowKey = (await gw.gateway.apiKeys.create({ name: 'cp3-only', scopes: ['read'], chargepoints: ['3'] })).key;
    const client = await open(gw.gateway.url, { headers: { 'x-api-key': narrowKey } });
    const snapshot = await client.next((m) => m.type === 'snapshot');
    expect((snapshot.chargepoints as { id: string }[]).map((cp) => cp.id)).toEqual(['3']);

    await publisher.publish('openWB/chargepoint/4/get/power', '4444');
    await publisher.publish('openWB/chargepoint/3/get/power', '3333');
    await client.next((m) => m.type === 'changed' && m.id === '3' && (m.fields as { power?: { value: number } }).power?.value === 3333);
    expect(client.messages.filter((m) => m.kind === 'chargepoint' && m.id === '4')).toEqual([]);
  });

  it('opens once with a ticket from POST /api/v1/stream/tickets, never twice', async () => {
    const issued = await gw.http.post('/api/v1/stream/tickets').set('x-api-key', gw.readKey).expect(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const query = `?ticket=${issued.body.ticket as string}`;
    const client = await open(gw.gateway.url, { query, headers: { Origin: APP_ORIGIN } });
    await client.next((m) => m.type === 'snapshot');
    await expect(openStream(gw.gateway.url, { query })).rejects.toThrow('refused: 401');
    await expect(openStream(gw.gateway.url, { query: '?ticket=st_unknown' })).rejects.toThrow('refused: 401');
  });

  it('refuses missing or unknown credentials and origins outside CORS_ORIGINS', async () => {
    await expect(openStream(gw.gateway.url)).rejects.toThrow('refused: 401');
    await expect(openStream(gw.gateway.url, { headers: { 'x-api-key': 'owg_nonsense' } })).rejects.toThrow('refused: 401');
    await expect(openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey, Origin: 'https://evil.example' } })).rejects.toThrow(
      'refused: 403',
    );
    const allowed = await open(gw.gateway.url, { headers: { 'x-api-key': gw.readKey, Origin: APP_ORIGIN } });
    await allowed.next((m) => m.type === 'snapshot');
  });

  it('closes the stream of a revoked key with 4401 within seconds, and of a ticket whose key was revoked', async () => {
    const created = await gw.gateway.apiKeys.create({ name: 'soon-revoked', scopes: ['read'] });
    const byHeader = await open(gw.gateway.url, { headers: { 'x-api-key': created.key } });
    const issued = await gw.http.post('/api/v1/stream/tickets').set('x-api-key', created.key).expect(201);
    const byTicket = await open(gw.gateway.url, { query: `?ticket=${issued.body.ticket as string}` });
    await byHeader.next((m) => m.type === 'snapshot');
    await byTicket.next((m) => m.type === 'snapshot');
    await gw.gateway.apiKeys.revoke(created.record.id);
    expect(await byHeader.closed).toMatchObject({ code: 4401 });
    expect(await byTicket.closed).toMatchObject({ code: 4401 });
  });

  it('pings every client and drops one that does not answer', async () => {
    const answering = await open(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    const silent = await open(gw.gateway.url, { headers: { 'x-api-key': gw.readKey }, autoPong: false });
    const pinged = new Promise((resolve) => answering.ws.once('ping', resolve));
    expect((await silent.closed).code).toBe(1006);
    await pinged;
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
  });

  it('answers a plain GET without the upgrade with 400', async () => {
    const res = await gw.http.get('/api/v1/stream').set('x-api-key', gw.readKey).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers garbage with an error message, closes on a huge message, and keeps serving others', async () => {
    const client = await open(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await client.next((m) => m.type === 'snapshot');
    client.ws.send('{not json');
    client.ws.send(JSON.stringify({ type: 'subscribe', what: 'everything' }));
    const error = await client.next((m) => m.type === 'error');
    expect(error).toMatchObject({ seq: 2, code: 'unsupported-message' });
    await client.next((m) => m.type === 'error' && m.seq === 3);

    const huge = await open(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await huge.next((m) => m.type === 'snapshot');
    huge.ws.send('x'.repeat(100_000));
    expect((await huge.closed).code).toBe(1009);

    await publisher.publish('openWB/chargepoint/3/get/power', '5555');
    await client.next((m) => m.type === 'changed' && (m.fields as { power?: { value: number } }).power?.value === 5555);
  });
});

describe('the live stream pushes the stale flip', () => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { STALE_AFTER_S: '1' } });
    publisher = await openPublisher(gw.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('sends stale for a chargepoint nothing was received for, without being asked', async () => {
    const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } });
    await client.next((m) => m.type === 'snapshot');
    await publisher.publish('openWB/chargepoint/7/get/power', '2000');
    const appeared = await client.next((m) => m.type === 'changed' && m.id === '7');
    expect(appeared.stale).toBe(false);
    const stale = await client.next((m) => m.type === 'stale' && m.id === '7', 5_000);
    expect(stale).toMatchObject({ kind: 'chargepoint', updatedAt: appeared.updatedAt });
    expect(stale.seq).toBeGreaterThan(appeared.seq);
    expect(client.violations).toEqual([]);
    client.ws.terminate();
  });
});

describe('the live stream as Server-Sent Events', () => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startTestGateway();
    publisher = await openPublisher(gw.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    // With an event stream still open: the gateway ends it rather than waiting for it.
    await gw?.close();
  });

  it('sends the same messages as data lines to a GET that accepts text/event-stream', async () => {
    const events = await openEventStream(gw.gateway.url, { 'x-api-key': gw.readKey, accept: 'text/event-stream' });
    expect(events.status).toBe(200);
    expect(events.headers['content-type']).toBe('text/event-stream');
    expect(events.headers['cache-control']).toBe('no-store');
    const snapshot = await events.next((m) => m.type === 'snapshot');
    expect(snapshot.seq).toBe(1);
    await publisher.publish('openWB/chargepoint/5/get/power', '900');
    const changed = await events.next((m) => m.type === 'changed' && m.id === '5');
    expect(changed).toMatchObject({ seq: 2, kind: 'chargepoint', fields: { power: { value: 900 } } });
    expect(events.violations).toEqual([]);
  });

  it('refuses an event stream without credentials with 401', async () => {
    const events = await openEventStream(gw.gateway.url, { accept: 'text/event-stream' });
    expect(events.status).toBe(401);
    events.close();
  });
});

describe('live stream limits and metrics', () => {
  let gw: TestGateway;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ env: { STREAM_MAX_PER_PRINCIPAL: '2', STREAM_MAX_PER_ADDRESS: '3' } });
  });

  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await gw?.close();
  });

  it('refuses a stream over the limit per principal or per address with 429, counted in /metrics', async () => {
    const first = (await gw.gateway.apiKeys.create({ name: 'first', scopes: ['read'] })).key;
    const second = (await gw.gateway.apiKeys.create({ name: 'second', scopes: ['read'] })).key;
    const open = async (key: string) => {
      const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': key } });
      clients.push(client);
      await client.next((m) => m.type === 'snapshot');
      return client;
    };
    const a1 = await open(first);
    await open(first);
    await expect(openStream(gw.gateway.url, { headers: { 'x-api-key': first } })).rejects.toThrow('refused: 429');
    const events = await openEventStream(gw.gateway.url, { 'x-api-key': first, accept: 'text/event-stream' });
    expect(events.status).toBe(429);
    events.close();
    await open(second);
    await expect(openStream(gw.gateway.url, { headers: { 'x-api-key': second } })).rejects.toThrow('refused: 429');

    const metrics = await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200);
    expect(metrics.text).toMatch(/^stream_connections\{transport="websocket"\} 3$/m);
    expect(metrics.text).toMatch(/^stream_connections_refused_total\{reason="principal-limit"\} 2$/m);
    expect(metrics.text).toMatch(/^stream_connections_refused_total\{reason="address-limit"\} 1$/m);
    // One snapshot each at least; a stale flip or a resync may add more while the test runs, so the counter is held
    // to what the three clients really received.
    await eventually(async () => {
      const text = (await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200)).text;
      const sent = Number(/^stream_messages_sent_total (\d+)$/m.exec(text)?.[1]);
      const received = clients.reduce((sum, client) => sum + client.messages.length, 0);
      return sent >= 3 && sent === received ? sent : undefined;
    });

    a1.close();
    await a1.closed;
    await eventually(async () => {
      const client = await openStream(gw.gateway.url, { headers: { 'x-api-key': second } }).catch(() => undefined);
      if (client) clients.push(client);
      return client;
    });
  });
});

describe('the live stream with two instances sharing Redis', () => {
  let first: TestGateway;
  let second: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    first = await startTestGateway();
    second = await startTestGateway({ topicPrefix: first.topicPrefix, redisKeyPrefix: first.redisKeyPrefix });
    publisher = await openPublisher(first.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await second?.close();
    await first?.close();
  });

  it('shows a client of either instance every change', async () => {
    await publisher.publish('openWB/chargepoint/3/get/power', '1200');
    const clients = await Promise.all([first, second].map((gw) => openStream(gw.gateway.url, { headers: { 'x-api-key': gw.readKey } })));
    for (const client of clients) await client.next((m) => m.type === 'snapshot');
    await publisher.publish('openWB/chargepoint/3/get/power', '6600');
    for (const client of clients) {
      await client.next((m) => m.type === 'changed' && (m.fields as { power?: { value: number } }).power?.value === 6600);
      expect(client.violations).toEqual([]);
      client.ws.terminate();
    }
  });
});
