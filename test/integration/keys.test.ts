import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, login, startAuthGateway, FAST_KDF, type TestUser } from '../support/auth.ts';
import { eventually, openPublisher, type TestGateway } from '../support/gateway.ts';
import { runNode } from '../support/process.ts';
import { services, uniqueId } from '../support/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'owg-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('API keys over the API', () => {
  let gw: TestGateway;
  let jane: TestUser;
  let janeToken: string;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startAuthGateway();
    jane = await addUser(gw, 'jane', 'user', ['3', '4']);
    janeToken = (await login(gw, jane)).accessToken;
    publisher = await openPublisher(gw.topicPrefix);
    for (const id of ['3', '4', '5']) await publisher.publish(`openWB/chargepoint/${id}/get/power`, '0');
    await eventually(async () =>
      (await gw.http.get('/api/v1/chargepoints').set('x-api-key', gw.adminKey)).body.items?.length === 3 ? true : undefined,
    );
  });
  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  const create = (token: string, body: object) => gw.http.post('/api/v1/keys').set(bearer(token)).send(body);

  it('creates a key shown once, lists it by prefix with its last use, and never shows the key again', async () => {
    const created = await create(janeToken, { name: 'phone', scopes: ['read'] }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const key = created.body.key as string;
    expect(key).toMatch(/^owg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.body.apiKey).toMatchObject({
      name: 'phone',
      scopes: ['read'],
      userId: jane.id,
      chargepoints: null,
      lastUsedAt: null,
      revokedAt: null,
      expiresAt: null,
    });
    expect(key.startsWith(`${created.body.apiKey.prefix}_`)).toBe(true);

    await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', key).expect(200);
    const listed = await eventually(async () => {
      const res = await gw.http.get('/api/v1/keys').set(bearer(janeToken)).expect(200);
      return res.body.items.find((k: { id: string; lastUsedAt: string | null }) => k.id === created.body.apiKey.id && k.lastUsedAt)
        ? res
        : undefined;
    });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(13));
    expect(listed.body.items.every((k: { userId: string }) => k.userId === jane.id)).toBe(true);
  });

  it("cannot mint a key beyond the owner's role or chargepoints", async () => {
    const admin = await create(janeToken, { name: 'x', scopes: ['read', 'admin'] }).expect(403);
    expect(admin.body.detail).toContain('admin');
    const cp = await create(janeToken, { name: 'x', scopes: ['read'], chargepoints: ['3', '5'] }).expect(403);
    expect(cp.body.detail).toContain('5');
    await create(janeToken, { name: 'x', scopes: ['root'] }).expect(400);
    await create(janeToken, { name: 'x', scopes: [] }).expect(400);
    await create(janeToken, { name: '', scopes: ['read'] }).expect(400);
    await create(janeToken, { name: 'x', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' }).expect(400);
    await create(janeToken, { name: 'x', scopes: ['read'], expiresAt: 'tomorrow' }).expect(400);
  });

  it('narrows a key to some of the owner’s chargepoints', async () => {
    const key = (await create(janeToken, { name: 'garage', scopes: ['read'], chargepoints: ['3'] }).expect(201)).body.key as string;
    const list = await gw.http.get('/api/v1/chargepoints').set('x-api-key', key).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual(['3']);
    await gw.http.get('/api/v1/chargepoints/4').set('x-api-key', key).expect(403);
    const all = await gw.http.get('/api/v1/chargepoints').set(bearer(janeToken)).expect(200);
    expect(all.body.items.map((c: { id: string }) => c.id)).toEqual(['3', '4']);
    const me = await gw.http.get('/api/v1/auth/me').set('x-api-key', key).expect(200);
    expect(me.body).toMatchObject({ kind: 'apiKey', name: 'jane', role: 'user', scopes: ['read'], chargepoints: ['3'] });
  });

  it('lets only access tokens and admin keys create keys, and refuses read keys on every write', async () => {
    const control = (await create(janeToken, { name: 'ctl', scopes: ['control', 'read'] }).expect(201)).body.key as string;
    const refused = await gw.http
      .post('/api/v1/keys')
      .set('x-api-key', control)
      .send({ name: 'copy', scopes: ['read'] })
      .expect(403);
    expect(refused.body.detail).toContain('access token');
    await gw.http
      .post('/api/v1/keys')
      .set('x-api-key', gw.readKey)
      .send({ name: 'copy', scopes: ['read'] })
      .expect(403);
    const system = await gw.http
      .post('/api/v1/keys')
      .set('x-api-key', gw.adminKey)
      .send({ name: 'automation', scopes: ['read'] })
      .expect(201);
    expect(system.body.apiKey.userId).toBeNull();
  });

  it('revokes at once, only the own keys (admins: any), and lists every key for admins only', async () => {
    const { key, apiKey } = (await create(janeToken, { name: 'old', scopes: ['read'] }).expect(201)).body;
    await gw.http.get('/api/v1/site').set('x-api-key', key).expect(200);

    const kim = await addUser(gw, 'kim', 'user', ['3']);
    const kimToken = (await login(gw, kim)).accessToken;
    await gw.http.delete(`/api/v1/keys/${apiKey.id}`).set(bearer(kimToken)).expect(404);
    await gw.http.get('/api/v1/keys?owner=all').set(bearer(kimToken)).expect(403);
    const all = await gw.http.get('/api/v1/keys?owner=all').set('x-api-key', gw.adminKey).expect(200);
    expect(all.body.items.some((k: { id: string }) => k.id === apiKey.id)).toBe(true);

    await gw.http.delete(`/api/v1/keys/${apiKey.id}`).set(bearer(janeToken)).expect(204);
    await gw.http.get('/api/v1/site').set('x-api-key', key).expect(401);
    await gw.http.delete(`/api/v1/keys/${apiKey.id}`).set(bearer(janeToken)).expect(204);
    await gw.http.delete('/api/v1/keys/3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b').set(bearer(janeToken)).expect(404);

    const other = (await create(kimToken, { name: 'kims', scopes: ['read'] }).expect(201)).body;
    await gw.http.delete(`/api/v1/keys/${other.apiKey.id}`).set('x-api-key', gw.adminKey).expect(204);
    await gw.http.get('/api/v1/site').set('x-api-key', other.key).expect(401);
  });

  it('expires keys', async () => {
    const soon = new Date(Date.now() + 1_500).toISOString();
    const { key } = (await create(janeToken, { name: 'short', scopes: ['read'], expiresAt: soon }).expect(201)).body;
    await gw.http.get('/api/v1/site').set('x-api-key', key).expect(200);
    await eventually(async () => ((await gw.http.get('/api/v1/site').set('x-api-key', key)).status === 401 ? true : undefined), 5_000);
  });

  it('checks keys and tokens without a database round trip in the steady state', async () => {
    const { key } = (await create(janeToken, { name: 'hot', scopes: ['read'] }).expect(201)).body;
    await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', key).expect(200);
    await gw.http.get('/api/v1/chargepoints/3').set(bearer(janeToken)).expect(200);
    const db = gw.gateway.db;
    const original = db.query.bind(db);
    const seen: string[] = [];
    (db as { query: typeof db.query }).query = (async (sql: string, params?: readonly never[]) => {
      seen.push(sql);
      return original(sql, params);
    }) as typeof db.query;
    try {
      for (let i = 0; i < 20; i++) {
        await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', key).expect(200);
        await gw.http.get('/api/v1/chargepoints/3').set(bearer(janeToken)).expect(200);
      }
    } finally {
      (db as { query: typeof db.query }).query = original;
    }
    expect(seen.filter((sql) => /api_keys|users|refresh_tokens|signing_keys/.test(sql))).toEqual([]);
  });
});

describe('revocation across instances', () => {
  it('reaches every instance at once through Redis, also from the CLI', async () => {
    const prefix = `${uniqueId('keys')}:`;
    const databaseUrl = `sqlite:${join(dir, 'shared.db')}`;
    const a = await startAuthGateway({ databaseUrl, redisKeyPrefix: prefix, env: { AUTH_CACHE_TTL_S: '3600' } });
    const b = await startAuthGateway({ databaseUrl, redisKeyPrefix: prefix, env: { AUTH_CACHE_TTL_S: '3600' } });
    try {
      const owner = await addUser(a, 'leo', 'user');
      const token = (await login(a, owner)).accessToken;
      const first = (
        await a.http
          .post('/api/v1/keys')
          .set(bearer(token))
          .send({ name: 'one', scopes: ['read'] })
          .expect(201)
      ).body;
      const second = (
        await a.http
          .post('/api/v1/keys')
          .set(bearer(token))
          .send({ name: 'two', scopes: ['read'] })
          .expect(201)
      ).body;
      for (const key of [first.key, second.key]) await b.http.get('/api/v1/site').set('x-api-key', key).expect(200);
      await b.http.get('/api/v1/auth/me').set(bearer(token)).expect(200);

      await a.http.delete(`/api/v1/keys/${first.apiKey.id}`).set(bearer(token)).expect(204);
      await eventually(
        async () => ((await b.http.get('/api/v1/site').set('x-api-key', first.key)).status === 401 ? true : undefined),
        1_000,
        'revocation on B',
      );

      const cli = await runNode('src/cli.ts', ['keys', 'revoke', second.apiKey.prefix], {
        DATABASE_URL: databaseUrl,
        REDIS_URL: services.redisUrl,
        REDIS_KEY_PREFIX: prefix,
        ...FAST_KDF,
      });
      expect(cli.code).toBe(0);
      for (const gw of [a, b])
        await eventually(
          async () => ((await gw.http.get('/api/v1/site').set('x-api-key', second.key)).status === 401 ? true : undefined),
          1_000,
          'CLI revocation',
        );

      // Logging out on A ends the access token on B too.
      await a.http.post('/api/v1/auth/logout').set(bearer(token)).expect(204);
      await eventually(
        async () => ((await b.http.get('/api/v1/auth/me').set(bearer(token))).status === 401 ? true : undefined),
        1_000,
        'logout on B',
      );
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('without Redis, revokes at once in the one process', async () => {
    const gw = await startAuthGateway({ store: 'memory', env: { AUTH_CACHE_TTL_S: '3600' } });
    try {
      const created = await gw.http
        .post('/api/v1/keys')
        .set('x-api-key', gw.adminKey)
        .send({ name: 'mem', scopes: ['read'] })
        .expect(201);
      await gw.http.get('/api/v1/site').set('x-api-key', created.body.key).expect(200);
      await gw.http.delete(`/api/v1/keys/${created.body.apiKey.id}`).set('x-api-key', gw.adminKey).expect(204);
      await gw.http.get('/api/v1/site').set('x-api-key', created.body.key).expect(401);
    } finally {
      await gw.close();
    }
  });
});
