import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFile, createGatewayClient, GatewayProblem, unwrap, type StreamMessage, type TokenPair } from '../../sdk/src/index.ts';
import { MESSAGES } from '../fixtures/openwb-v2-charging.ts';
import { addUser, startAuthGateway, type TestUser } from '../support/auth.ts';
import { eventually, openPublisher, type TestGateway } from '../support/gateway.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/** A `fetch` that counts the requests per path, to see how often the SDK refreshed. */
function countingFetch() {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return fetch(input, init);
  };
  return { calls, fetchImpl };
}

/** Collects the messages of a stream and waits for one that matches. */
function collector() {
  const messages: StreamMessage[] = [];
  const waiters = new Set<() => void>();
  return {
    messages,
    onMessage(message: StreamMessage) {
      messages.push(message);
      for (const wake of waiters) wake();
    },
    next<M extends StreamMessage>(match: (message: StreamMessage) => message is M, from = 0, timeoutMs = 5_000): Promise<M> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.slice(from).find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 1000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

const isSnapshot = (m: StreamMessage): m is Extract<StreamMessage, { type: 'snapshot' }> => m.type === 'snapshot';
const isChanged = (m: StreamMessage): m is Extract<StreamMessage, { type: 'changed' }> => m.type === 'changed';

/** A WebSocket that cannot send headers, as in a browser: the SDK must use a ticket. */
class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
  }
}

describe('the TypeScript SDK against a real gateway (Mosquitto, Redis, SQLite)', () => {
  let gw: TestGateway;
  let user: TestUser;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startAuthGateway({ env: { STREAM_REAUTH_S: '1' } });
    user = await addUser(gw, 'sdk-alice', 'admin');
    publisher = await openPublisher(gw.topicPrefix);
    for (const [topic, value] of MESSAGES) await publisher.publish(topic, JSON.stringify(value));
    await eventually(async () => {
      const res = await gw.http.get('/api/v1/chargepoints').set('x-api-key', gw.readKey);
      return res.body?.items?.length > 0 ? true : undefined;
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('reads with an API key, typed by the spec', async () => {
    const client = createGatewayClient({ baseUrl: gw.gateway.url, apiKey: gw.readKey });
    const list = unwrap(await client.GET('/api/v1/chargepoints'));
    expect(list.items.map((chargepoint) => chargepoint.id)).toContain('3');
    const one = unwrap(await client.GET('/api/v1/chargepoints/{chargepointId}', { params: { path: { chargepointId: '3' } } }));
    expect(one.id).toBe('3');
  });

  it('turns an error into a GatewayProblem with the problem+json fields and the response', async () => {
    const client = createGatewayClient({ baseUrl: gw.gateway.url, apiKey: gw.readKey });
    const result = await client.GET('/api/v1/chargepoints/{chargepointId}', { params: { path: { chargepointId: '99' } } });
    expect(result.error?.status).toBe(404);
    const thrown = (() => {
      try {
        unwrap(result);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(GatewayProblem);
    const problem = thrown as GatewayProblem;
    expect(problem).toMatchObject({ status: 404, type: '/problems/not-found', title: 'Not Found' });
    expect(problem.detail).toMatch(/99/);
    expect(problem.response.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const anonymous = createGatewayClient({ baseUrl: gw.gateway.url });
    await expect(anonymous.GET('/api/v1/site').then(unwrap)).rejects.toMatchObject({ name: 'GatewayProblem', status: 401 });
  });

  it('downloads a non-JSON response as a Blob or as a stream', async () => {
    const client = createGatewayClient({ baseUrl: gw.gateway.url, apiKey: gw.adminKey });
    const blob = asFile(await client.GET('/metrics', { parseAs: 'blob' }));
    expect(blob.contentType).toMatch(/^text\/plain/);
    expect(await blob.data.text()).toMatch(/^# HELP /m);
    expect(blob.fileName).toBeUndefined();

    const streamed = asFile(await client.GET('/metrics', { parseAs: 'stream' }));
    let text = '';
    for await (const chunk of streamed.data!.pipeThrough(new TextDecoderStream())) text += chunk;
    expect(text).toMatch(/^# HELP /m);

    const readOnly = createGatewayClient({ baseUrl: gw.gateway.url, apiKey: gw.readKey });
    expect(() => asFile({ error: undefined, response: new Response(null, { status: 403 }) })).toThrow(GatewayProblem);
    await expect(readOnly.GET('/metrics', { parseAs: 'blob' }).then(asFile)).rejects.toMatchObject({ status: 403 });
  });

  it('logs in, and renews the refused access token with one refresh for many concurrent 401s, rotating the refresh token', async () => {
    const persisted: (TokenPair | undefined)[] = [];
    const login = createGatewayClient({ baseUrl: gw.gateway.url, onTokens: (tokens) => void persisted.push(tokens) });
    const first = await login.login(user.name, user.password);
    expect(persisted).toEqual([first]);
    expect(unwrap(await login.GET('/api/v1/auth/me'))).toMatchObject({ name: user.name });

    // The app restarts with its persisted tokens, and the access token is refused (here: it was tampered with).
    const { calls, fetchImpl } = countingFetch();
    const restored = createGatewayClient({
      baseUrl: gw.gateway.url,
      tokens: { ...first, accessToken: `${first.accessToken.slice(0, -4)}AAAA` },
      onTokens: (tokens) => void persisted.push(tokens),
      fetch: fetchImpl,
    });
    const answers = await Promise.all(Array.from({ length: 8 }, () => restored.GET('/api/v1/auth/me')));
    expect(answers.map((answer) => answer.response.status)).toEqual(Array(8).fill(200));
    expect(calls.filter((path) => path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(calls.filter((path) => path === '/api/v1/auth/me')).toHaveLength(16);

    const rotated = persisted.at(-1)!;
    expect(persisted).toHaveLength(2);
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect(restored.tokens).toEqual(rotated);

    // A refresh on request rotates again; the rotated-away token is refused.
    const again = await restored.refresh();
    expect(again.refreshToken).not.toBe(rotated.refreshToken);
    expect(persisted.at(-1)).toEqual(again);
    const reused = await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: rotated.refreshToken });
    expect(reused.status).toBe(401);
    // Reusing a rotated token revoked the whole session: the SDK's next refresh is refused and it forgets the tokens.
    await expect(restored.refresh()).rejects.toMatchObject({ status: 401 });
    expect(restored.tokens).toBeUndefined();
    expect(persisted.at(-1)).toBeUndefined();
  });

  it('with an API key too: uses the access token after login, and the key again after logout', async () => {
    const persisted: (TokenPair | undefined)[] = [];
    const client = createGatewayClient({ baseUrl: gw.gateway.url, apiKey: gw.readKey, onTokens: (tokens) => void persisted.push(tokens) });
    expect(unwrap(await client.GET('/api/v1/auth/me')).kind).toBe('apiKey');
    const tokens = await client.login(user.name, user.password);
    expect(unwrap(await client.GET('/api/v1/auth/me'))).toMatchObject({ kind: 'token', name: user.name });
    await client.logout();
    expect(persisted).toEqual([tokens, undefined]);
    expect(unwrap(await client.GET('/api/v1/auth/me')).kind).toBe('apiKey');
    // The logout ended the session on the gateway: its refresh token no longer works.
    const refused = await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken });
    expect(refused.status).toBe(401);
  });

  it('streams a snapshot and then a delta over ws with header credentials', async () => {
    const client = createGatewayClient({ baseUrl: gw.gateway.url, apiKey: gw.readKey });
    const received = collector();
    const stream = client.stream({ WebSocket, onMessage: received.onMessage });
    try {
      const snapshot = await received.next(isSnapshot);
      expect(snapshot.seq).toBe(1);
      expect((snapshot.chargepoints ?? []).map((chargepoint) => chargepoint.id)).toContain('3');
      await publisher.publish('openWB/chargepoint/3/get/power', '4321');
      const changed = await received.next(
        (m): m is Extract<StreamMessage, { type: 'changed' }> => isChanged(m) && m.fields.power?.value === 4321,
      );
      expect(changed).toMatchObject({ kind: 'chargepoint', id: '3' });
      expect(received.messages.map((message) => message.seq)).toEqual(received.messages.map((_, index) => index + 1));
    } finally {
      stream.close();
    }
    expect(await stream.closed).toEqual({ code: 1000, reason: 'Closed by the client', reauthenticate: false });
  });

  it('streams with a ticket where the WebSocket cannot send headers, on a login session', async () => {
    const { calls, fetchImpl } = countingFetch();
    const client = createGatewayClient({ baseUrl: gw.gateway.url, fetch: fetchImpl });
    await client.login(user.name, user.password);
    const received = collector();
    const stream = client.stream({ PlainWebSocket: BrowserLikeWebSocket, onMessage: received.onMessage });
    try {
      expect((await received.next(isSnapshot)).seq).toBe(1);
      expect(calls).toContain('/api/v1/stream/tickets');
      // The session ends elsewhere: the gateway closes the stream with 4401, the refresh is refused, the app must log in.
      const other = createGatewayClient({ baseUrl: gw.gateway.url, tokens: client.tokens });
      await other.logout();
      expect(await stream.closed).toMatchObject({ code: 4401, reauthenticate: true });
    } finally {
      stream.close();
    }
  });

  it('renews a refused access token when the upgrade is answered 401, and connects with the new one', async () => {
    const session = createGatewayClient({ baseUrl: gw.gateway.url });
    const first = await session.login(user.name, user.password);
    const { calls, fetchImpl } = countingFetch();
    const client = createGatewayClient({
      baseUrl: gw.gateway.url,
      tokens: { ...first, accessToken: `${first.accessToken.slice(0, -4)}AAAA` },
      fetch: fetchImpl,
    });
    const received = collector();
    const disconnects: number[] = [];
    const stream = client.stream({
      WebSocket,
      backoff: { initialMs: 20, maxMs: 100 },
      onMessage: received.onMessage,
      onDisconnect: ({ code }) => disconnects.push(code),
    });
    try {
      expect((await received.next(isSnapshot)).seq).toBe(1);
      expect(disconnects).toEqual([4401]);
      expect(calls).toEqual(['/api/v1/auth/refresh']);
      expect(client.tokens?.refreshToken).not.toBe(first.refreshToken);
    } finally {
      stream.close();
    }
  });

  it('reconnects with backoff after the connection drops, and starts again from a fresh snapshot', async () => {
    const port = Number(new URL(gw.gateway.url).port);
    const proxy = await TcpProxy.start('127.0.0.1', port);
    const client = createGatewayClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, apiKey: gw.readKey });
    const received = collector();
    const disconnects: { code: number; reconnectInMs: number | undefined }[] = [];
    const stream = client.stream({
      WebSocket,
      backoff: { initialMs: 50, maxMs: 200 },
      onMessage: received.onMessage,
      onDisconnect: ({ code, reconnectInMs }) => disconnects.push({ code, reconnectInMs }),
    });
    try {
      await received.next(isSnapshot);
      const before = received.messages.length;
      await proxy.cut();
      await eventually(async () => (disconnects.length > 0 ? true : undefined));
      await proxy.restore();
      const fresh = await received.next(isSnapshot, before, 10_000);
      expect(fresh.seq).toBe(1);
      expect(disconnects[0]).toMatchObject({ code: 1006 });
      expect(disconnects[0]!.reconnectInMs).toBeGreaterThanOrEqual(25);
      expect(disconnects[0]!.reconnectInMs).toBeLessThanOrEqual(50);
    } finally {
      stream.close();
      await proxy.close();
    }
  });
});
