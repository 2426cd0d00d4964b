import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, login, startAuthGateway, FAST_KDF, type TestUser } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { runNode } from '../support/process.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';

describe('users over the API (admins)', () => {
  let gw: TestGateway;
  let root: TestUser;
  let adminToken: string;

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory' });
    root = await addUser(gw, 'root', 'admin');
    adminToken = (await login(gw, root)).accessToken;
  });
  afterAll(async () => {
    await gw?.close();
  });

  const asAdmin = <T extends { set(h: Record<string, string>): T }>(req: T) => req.set(bearer(adminToken));

  it('creates, reads, lists, changes and deletes a user, never showing password hashes', async () => {
    const created = await asAdmin(gw.http.post('/api/v1/users'))
      .send({ name: 'Frank', role: 'user', password: 'frank the tank 123', chargepoints: ['3', '1'] })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'frank', role: 'user', chargepoints: ['1', '3'], disabled: false });
    const id = created.body.id as string;
    expect(JSON.stringify(created.body)).not.toMatch(/scrypt|frank the tank/);

    const one = await asAdmin(gw.http.get(`/api/v1/users/${id}`)).expect(200);
    expect(one.body).toEqual(created.body);
    const list = await asAdmin(gw.http.get('/api/v1/users')).expect(200);
    expect(list.body.items.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['frank', 'root']));
    expect(JSON.stringify(list.body)).not.toContain('scrypt');

    const patched = await asAdmin(gw.http.patch(`/api/v1/users/${id}`))
      .send({ chargepoints: ['7'], role: 'admin' })
      .expect(200);
    expect(patched.body).toMatchObject({ chargepoints: ['7'], role: 'admin' });
    await asAdmin(gw.http.patch(`/api/v1/users/${id}`))
      .send({ role: 'user' })
      .expect(200);

    const frank = await login(gw, { name: 'frank', password: 'frank the tank 123' });
    await asAdmin(gw.http.delete(`/api/v1/users/${id}`)).expect(204);
    await gw.http.get('/api/v1/auth/me').set(bearer(frank.accessToken)).expect(401);
    await asAdmin(gw.http.get(`/api/v1/users/${id}`)).expect(404);
    await asAdmin(gw.http.delete(`/api/v1/users/${id}`)).expect(404);
  });

  it('rejects bad input with 400 and a taken name with 409', async () => {
    const bad = [
      { name: 'x', role: 'user', password: 'short' },
      { name: 'bad name!', role: 'user', password: 'long enough password' },
      { name: 'ok', role: 'superuser', password: 'long enough password' },
      { name: 'ok', role: 'user', password: 'long enough password', extra: 1 },
      { name: 'ok', role: 'user', password: 'long enough password', chargepoints: ['a/b'] },
    ];
    for (const body of bad) await asAdmin(gw.http.post('/api/v1/users')).send(body).expect(400);
    await asAdmin(gw.http.post('/api/v1/users')).send({ name: 'grace', role: 'user', password: 'long enough password' }).expect(201);
    const taken = await asAdmin(gw.http.post('/api/v1/users'))
      .send({ name: 'GRACE', role: 'admin', password: 'long enough password' })
      .expect(409);
    expect(taken.body.type).toBe('/problems/conflict');
    await asAdmin(gw.http.patch('/api/v1/users/3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b')).send({ role: 'user' }).expect(404);
    await asAdmin(gw.http.patch(`/api/v1/users/${root.id}`))
      .send({})
      .expect(400);
    await asAdmin(gw.http.get('/api/v1/users/not-a-uuid')).expect(400);
  });

  it('keeps the last active admin: cannot demote, disable or delete them', async () => {
    for (const body of [{ role: 'user' }, { disabled: true }]) {
      const res = await asAdmin(gw.http.patch(`/api/v1/users/${root.id}`))
        .send(body)
        .expect(409);
      expect(res.body.detail).toContain('last active admin');
    }
    await asAdmin(gw.http.delete(`/api/v1/users/${root.id}`)).expect(409);
    const second = await addUser(gw, 'second-admin', 'admin');
    await asAdmin(gw.http.patch(`/api/v1/users/${second.id}`))
      .send({ disabled: true })
      .expect(200);
    await asAdmin(gw.http.delete(`/api/v1/users/${root.id}`)).expect(409);
    await asAdmin(gw.http.patch(`/api/v1/users/${second.id}`))
      .send({ disabled: false })
      .expect(200);
  });

  it('applies a role change to live tokens and keys at once', async () => {
    const henry = await addUser(gw, 'henry', 'admin');
    const token = (await login(gw, henry)).accessToken;
    const key = (
      await gw.http
        .post('/api/v1/keys')
        .set(bearer(token))
        .send({ name: 'ops', scopes: ['admin'] })
        .expect(201)
    ).body.key as string;
    await gw.http.get('/api/v1/users').set(bearer(token)).expect(200);
    await gw.http.get('/api/v1/users').set('x-api-key', key).expect(200);
    await asAdmin(gw.http.patch(`/api/v1/users/${henry.id}`))
      .send({ role: 'user' })
      .expect(200);
    await gw.http.get('/api/v1/users').set(bearer(token)).expect(403);
    await gw.http.get('/api/v1/users').set('x-api-key', key).expect(403);
    // The key had only `admin`, which a `user` cannot hold: nothing is left of it.
    await gw.http.get('/api/v1/auth/me').set('x-api-key', key).expect(403);
    const me = await gw.http.get('/api/v1/auth/me').set(bearer(token)).expect(200);
    expect(me.body).toMatchObject({ role: 'user', scopes: ['read', 'control'], chargepoints: [] });
  });

  it('refuses users and non-admin keys', async () => {
    const ivy = await addUser(gw, 'ivy', 'user');
    const token = (await login(gw, ivy)).accessToken;
    await gw.http.get('/api/v1/users').set(bearer(token)).expect(403);
    await gw.http.post('/api/v1/users').set(bearer(token)).send({}).expect(403);
    await gw.http.delete(`/api/v1/users/${root.id}`).set('x-api-key', gw.readKey).expect(403);
  });
});

describe('the users CLI', () => {
  let mariadb: TestDatabase;
  beforeAll(async () => {
    mariadb = await createMariaDbDatabase('users_cli');
  });
  afterAll(async () => {
    await mariadb?.drop();
  });
  const cli = (args: string[]) => runNode('src/cli.ts', args, { DATABASE_URL: mariadb.url, ...FAST_KDF });
  const cliWithStdin = (args: string[], stdin: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: new URL('../../', import.meta.url),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: mariadb.url, ...FAST_KDF },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(stdin);
    });

  it('adds an admin with a generated password printed once, which logs in', async () => {
    const added = await cli(['users', 'add', '--name', 'Owner', '--role', 'admin']);
    expect(added.code).toBe(0);
    const password = added.stdout.trim().split('\n').at(-1) as string;
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    const listed = await cli(['users', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'owner', role: 'admin', disabled: false })]);
    expect(listed.stdout).not.toContain(password);
    expect(listed.stdout).not.toContain('scrypt');

    const gw = await startAuthGateway({ store: 'memory', databaseUrl: mariadb.url });
    try {
      await login(gw, { name: 'owner', password });
      const audit = await gw.http.get('/api/v1/audit?action=user.create').set('x-api-key', gw.adminKey).expect(200);
      expect(audit.body.items[0]).toMatchObject({ actor: { type: 'system', name: 'cli' }, detail: { name: 'owner', role: 'admin' } });
    } finally {
      await gw.close();
    }
  });

  it('rejects a bad role, a taken name and a short password from stdin', async () => {
    const role = await cli(['users', 'add', '--name', 'x', '--role', 'root']);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain('admin or user');
    const taken = await cli(['users', 'add', '--name', 'owner', '--role', 'user']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('exists already');
    const short = await cliWithStdin(['users', 'add', '--name', 'y', '--role', 'user', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');
  });

  it('reads a password from stdin and never prints it', async () => {
    const password = 'piped passphrase 42';
    const added = await cliWithStdin(
      ['users', 'add', '--name', 'piped', '--role', 'user', '--password-stdin', '--chargepoints', '3'],
      `${password}\n`,
    );
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(password);
    expect(added.stdout).toContain('for chargepoints 3');
    const gw = await startAuthGateway({ store: 'memory', databaseUrl: mariadb.url });
    try {
      await login(gw, { name: 'piped', password });
    } finally {
      await gw.close();
    }
  });
});
