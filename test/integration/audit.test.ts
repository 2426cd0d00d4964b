import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';

interface Entry {
  id: string;
  at: string;
  action: string;
  outcome: string;
  actor: { type: string; id: string | null; name: string | null };
  target: { type: string; id: string } | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, string> | null;
}

let mariadb: TestDatabase | undefined;
afterAll(async () => {
  await mariadb?.drop();
});

describe.each([
  ['SQLite', async () => undefined],
  ['MariaDB', async () => (mariadb ??= await createMariaDbDatabase('audit')).url],
])('the audit log on %s', (_name, databaseUrl) => {
  let gw: TestGateway;
  let admin: TestUser;
  let adminToken: string;
  const secrets: string[] = [];

  const read = async (query = ''): Promise<{ items: Entry[]; nextCursor: string | null }> =>
    (await gw.http.get(`/api/v1/audit${query}`).set(bearer(adminToken)).expect(200)).body;

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory', databaseUrl: await databaseUrl() });
    admin = await addUser(gw, 'auditor', 'admin');
    const tokens = await login(gw, admin);
    adminToken = tokens.accessToken;
    secrets.push(admin.password, tokens.accessToken, tokens.refreshToken, gw.adminKey, gw.readKey);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('records logins with who and from where; unknown names are not stored', async () => {
    await gw.http
      .post('/api/v1/auth/login')
      .set('User-Agent', 'audit-test/1.0')
      .send({ username: 'auditor', password: 'wrong password' })
      .expect(401);
    await gw.http.post('/api/v1/auth/login').send({ username: 'my secret password typed here', password: 'x' }).expect(401);
    const { items } = await read('?action=auth.login');
    const [unknown, wrong, ok] = items;
    expect(unknown).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous', id: null, name: null },
      detail: { reason: 'unknown-user' },
    });
    expect(wrong).toMatchObject({
      outcome: 'failure',
      actor: { type: 'user', id: admin.id, name: 'auditor' },
      userAgent: 'audit-test/1.0',
      detail: { reason: 'wrong-password' },
    });
    expect(wrong!.ip).toMatch(/127\.0\.0\.1/);
    expect(ok).toMatchObject({ outcome: 'success', actor: { type: 'user', id: admin.id } });
    expect(JSON.stringify(items)).not.toContain('my secret password');
  });

  it('records user and key changes with actor and target, never secrets', async () => {
    const created = await gw.http
      .post('/api/v1/users')
      .set(bearer(adminToken))
      .send({ name: 'mia', role: 'user', password: 'mias long password' })
      .expect(201);
    secrets.push('mias long password');
    await gw.http
      .patch(`/api/v1/users/${created.body.id}`)
      .set(bearer(adminToken))
      .send({ password: 'mias newer password', chargepoints: ['3'] })
      .expect(200);
    secrets.push('mias newer password');
    const key = await gw.http
      .post('/api/v1/keys')
      .set('x-api-key', gw.adminKey)
      .send({ name: 'ci', scopes: ['read'] })
      .expect(201);
    secrets.push(key.body.key);
    await gw.http.delete(`/api/v1/keys/${key.body.apiKey.id}`).set(bearer(adminToken)).expect(204);
    await gw.http.delete(`/api/v1/users/${created.body.id}`).set(bearer(adminToken)).expect(204);

    const { items } = await read();
    const byAction = (action: string) => items.find((e) => e.action === action);
    expect(byAction('user.create')).toMatchObject({
      actor: { type: 'user', name: 'auditor' },
      target: { type: 'user', id: created.body.id },
      detail: { name: 'mia', role: 'user' },
    });
    expect(byAction('user.update')).toMatchObject({ detail: { password: 'changed', chargepoints: '3' } });
    expect(byAction('key.create')).toMatchObject({
      actor: { type: 'apiKey', name: 'test-admin' },
      target: { type: 'apiKey', id: key.body.apiKey.id },
      detail: { name: 'ci', scopes: 'read' },
    });
    expect(byAction('key.revoke')).toMatchObject({ actor: { type: 'user', id: admin.id }, target: { id: key.body.apiKey.id } });
    expect(byAction('user.delete')).toMatchObject({ target: { id: created.body.id } });
    const text = JSON.stringify(items);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('scrypt');
  });

  it('keeps every entry within the spec: long lists are summarised, long values cut with a marker', async () => {
    const chargepoints = Array.from({ length: 40 }, (_, i) => `cp${String(i).padStart(2, '0')}${'x'.repeat(28)}`);
    const created = await gw.http
      .post('/api/v1/users')
      .set(bearer(adminToken))
      .send({ name: 'fleet', role: 'user', password: 'fleet long password', chargepoints })
      .expect(201);
    const entry = (await read('?action=user.create')).items.find((e) => e.target?.id === created.body.id);
    expect(entry?.detail?.chargepoints).toMatch(/^40 chargepoints: cp00x+,cp01x+,.*…$/);
    expect(entry!.detail!.chargepoints!.length).toBeLessThanOrEqual(1000);
  });

  it('reads entries stored before the bounds within the spec', async () => {
    const oversized = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`key${i}`, 'é'.repeat(1200)]));
    await gw.gateway.db.execute(
      'INSERT INTO audit_log (at, action, outcome, actor_type, actor_id, actor_name, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [Date.now(), 'legacy.oversized', 'success', 'system', null, 'cli', JSON.stringify(oversized)],
    );
    const [entry] = (await read('?action=legacy.oversized')).items;
    expect(Object.keys(entry!.detail!)).toHaveLength(20);
    expect(entry!.detail!.key0).toMatch(/^é+… \(\d+ more characters\)$/);
  });

  it('filters by actor, action and time, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++)
      await gw.gateway.audit.record({ action: 'command.test', actor: { type: 'user', id: 'u-1', name: 'pager' }, detail: { n: i } });
    const first = await read('?action=command.test&limit=2');
    expect(first.items.map((e) => e.detail?.n)).toEqual(['4', '3']);
    const second = await read(`?action=command.test&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((e) => e.detail?.n)).toEqual(['2', '1']);
    const third = await read(`?action=command.test&limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((e) => e.detail?.n)).toEqual(['0']);
    expect(third.nextCursor).toBeNull();

    expect((await read('?actor=pager')).items).toHaveLength(5);
    expect((await read('?actor=u-1&action=command.test')).items).toHaveLength(5);
    expect((await read('?actor=nobody')).items).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await read(`?from=${encodeURIComponent(future)}`)).items).toHaveLength(0);
    expect((await read(`?to=${encodeURIComponent(future)}&action=command.test`)).items).toHaveLength(5);
  });

  it('rejects bad filters with 400 and non-admins with 403', async () => {
    for (const query of [
      '?cursor=bm90LWEtY3Vyc29y',
      '?limit=0',
      '?limit=201',
      '?from=yesterday',
      '?action=DROP%20TABLE',
      '?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      '?sort=id',
    ]) {
      const res = await gw.http.get(`/api/v1/audit${query}`).set(bearer(adminToken));
      expect([query, res.status]).toEqual([query, 400]);
    }
    await gw.http.get('/api/v1/audit').set('x-api-key', gw.readKey).expect(403);
    const user = await addUser(gw, 'nosy', 'user');
    await gw.http
      .get('/api/v1/audit')
      .set(bearer((await login(gw, user)).accessToken))
      .expect(403);
  });
});
