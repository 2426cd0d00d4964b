import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const AUTH = { AUTH_CACHE_TTL_S: '1', AUTH_CACHE_MAX_STALE_S: '300', RECORDER_ENABLED: 'false' };

/** The count of a labelled counter in a Prometheus text exposition (0 when absent). */
const counted = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 0);

describe('when MariaDB becomes unreachable for longer than the credential cache TTL', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  /** Reaches the database through the proxy the test cuts. */
  let cut: TestGateway;
  /** Same database (direct) and Redis: the instance where an admin still revokes keys. */
  let other: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  let bearer: string;
  let doomedKey: string;
  let doomedId: string;

  beforeAll(async () => {
    database = await createMariaDbDatabase('authoutage');
    const url = new URL(database.url);
    proxy = await TcpProxy.start(url.hostname, Number(url.port || 3306));
    url.port = String(proxy.port);
    cut = await startTestGateway({ databaseUrl: url.toString(), env: AUTH });
    other = await startTestGateway({
      databaseUrl: database.url,
      redisKeyPrefix: cut.redisKeyPrefix,
      topicPrefix: cut.topicPrefix,
      env: AUTH,
    });
    publisher = await openPublisher(cut.topicPrefix);
    await publisher.publish('openWB/chargepoint/3/get/power', '7360.0');

    const auth = cut.gateway.auth;
    const user = await auth.users.create({ name: 'driver', role: 'user', password: 'correct horse battery staple', chargepoints: ['3'] });
    bearer = (await auth.tokens.startSession(user.id)).accessToken;
    const doomed = await cut.gateway.apiKeys.create({ name: 'doomed', scopes: ['read'] });
    doomedKey = doomed.key;
    doomedId = doomed.record.id;
  });

  afterAll(async () => {
    await publisher?.close();
    await other?.close();
    await cut?.close();
    await proxy?.close();
    await database?.drop();
  });

  const live = (credentials: { key?: string; bearer?: string }) => {
    const request = cut.http.get('/api/v1/chargepoints/3');
    return credentials.key ? request.set('x-api-key', credentials.key) : request.set('authorization', `Bearer ${credentials.bearer}`);
  };

  it('keeps live reads at 200 with a key and a token, still refuses a revoked key, and fails database operations fast with 503', async () => {
    const callers = [{ key: cut.readKey }, { key: doomedKey }, { bearer }];
    for (const caller of callers) await eventually(async () => ((await live(caller)).status === 200 ? true : undefined));
    await cut.http.get('/metrics').set('x-api-key', cut.adminKey).expect(200);

    await proxy.cut();
    const statuses: number[] = [];
    const slowest = { ms: 0 };
    const read = async (caller: { key?: string; bearer?: string }) => {
      const started = performance.now();
      const res = await live(caller);
      slowest.ms = Math.max(slowest.ms, performance.now() - started);
      statuses.push(res.status);
      return res;
    };
    // Poll until the cached keys and user have outlived their TTL and were served from the last known state.
    await eventually(
      async () => {
        for (const caller of callers) await read(caller);
        const metrics = (await cut.http.get('/metrics').set('x-api-key', cut.adminKey)).text;
        const keys = counted(metrics, 'auth_cache_stale_served_total{cache="apiKeys"}');
        const users = counted(metrics, 'auth_cache_stale_served_total{cache="users"}');
        return keys >= 6 && users >= 2 ? true : undefined;
      },
      15_000,
      'stale credentials served',
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // Only the first look-up after the cut waits for the database (its fail-fast timeout); the others answer from memory.
    // (The connect timeout is 1 s; the bounds leave slack for a loaded machine, far below the old 5 s.)
    expect(slowest.ms).toBeLessThan(2_000);

    // Revoked on an instance that still reaches the database: refused here at once, through Redis.
    expect(await other.gateway.apiKeys.revoke(doomedId)).toBe(1);
    await eventually(async () => ((await live({ key: doomedKey })).status === 401 ? true : undefined), 5_000, 'the revocation');
    expect((await read({ key: cut.readKey })).status).toBe(200);
    expect((await read({ bearer })).status).toBe(200);

    const started = performance.now();
    const keys = await cut.http.get('/api/v1/keys').set('x-api-key', cut.adminKey);
    const elapsed = performance.now() - started;
    expect(keys.status).toBe(503);
    expect(keys.headers['content-type']).toContain('application/problem+json');
    expect(Number(keys.headers['retry-after'])).toBeGreaterThan(0);
    expect(keys.body).toMatchObject({ type: '/problems/unavailable', status: 503 });
    expect(elapsed).toBeLessThan(2_000);

    await proxy.restore();
    await eventually(
      async () => ((await cut.http.get('/api/v1/keys').set('x-api-key', cut.adminKey)).status === 200 ? true : undefined),
      10_000,
    );
    expect((await live({ key: doomedKey })).status).toBe(401);
  });
});
