import { createHmac, createPublicKey, randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/auth/password.ts';
import { rotateSigningKey } from '../../src/auth/signing-keys.ts';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/auth/token-service.ts';
import { addUser, bearer, decodeJwt, encodeJwt, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import { eventually, openPublisher, type TestGateway } from '../support/gateway.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'owg-auth-'));
let mariadb: TestDatabase | undefined;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await mariadb?.drop();
});

describe.each([
  ['SQLite', async () => `sqlite:${join(dir, 'auth.db')}`],
  ['MariaDB', async () => (mariadb ??= await createMariaDbDatabase('auth')).url],
])('logins and tokens on %s with Redis', (_name, databaseUrl) => {
  let gw: TestGateway;
  let alice: TestUser;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startAuthGateway({ databaseUrl: await databaseUrl() });
    alice = await addUser(gw, 'Alice', 'user', ['3']);
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish('openWB/chargepoint/3/get/power', '1200');
    await publisher.publish('openWB/chargepoint/4/get/power', '0');
    await eventually(async () =>
      (await gw.http.get('/api/v1/chargepoints/4').set('x-api-key', gw.adminKey)).status === 200 ? true : undefined,
    );
  });
  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('logs in case-insensitively and returns a short-lived EdDSA access token and a refresh token, not cached', async () => {
    const res = await gw.http.post('/api/v1/auth/login').send({ username: 'ALICE', password: alice.password }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.expiresIn).toBe(900);
    expect(res.body.refreshToken).toMatch(/^owr_[A-Za-z0-9_-]{43}$/);
    const { header, payload } = decodeJwt(res.body.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sub: alice.id });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    expect(JSON.stringify(payload)).not.toContain(alice.password);
  });

  it('accepts the access token everywhere credentials are, with the user role and chargepoints', async () => {
    const { accessToken } = await login(gw, alice);
    const me = await gw.http.get('/api/v1/auth/me').set(bearer(accessToken)).expect(200);
    expect(me.body).toEqual({
      kind: 'token',
      userId: alice.id,
      name: 'alice',
      role: 'user',
      scopes: ['read', 'control'],
      chargepoints: ['3'],
      keyId: null,
    });
    const list = await gw.http.get('/api/v1/chargepoints').set(bearer(accessToken)).expect(200);
    expect(list.body.items.map((cp: { id: string }) => cp.id)).toEqual(['3']);
    await gw.http.get('/api/v1/chargepoints/3').set(bearer(accessToken)).expect(200);
    const forbidden = await gw.http.get('/api/v1/chargepoints/4').set(bearer(accessToken)).expect(403);
    expect(forbidden.body.type).toBe('/problems/forbidden');
    await gw.http.get('/api/v1/chargepoints/99').set(bearer(accessToken)).expect(403);
    await gw.http.get('/api/v1/users').set(bearer(accessToken)).expect(403);
  });

  it('answers wrong passwords and unknown users identically', async () => {
    const wrong = await gw.http.post('/api/v1/auth/login').send({ username: 'alice', password: 'not the password' }).expect(401);
    const unknown = await gw.http.post('/api/v1/auth/login').send({ username: 'mallory', password: 'not the password' }).expect(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.detail).toBe('Invalid username or password');
    expect(wrong.headers['www-authenticate']).toContain('Bearer');
    await gw.http.post('/api/v1/auth/login').send({ username: 'alice' }).expect(400);
  });

  it('rotates refresh tokens and revokes the whole session when an old one is reused', async () => {
    const first = await login(gw, alice);
    const second = (await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await gw.http.get('/api/v1/auth/me').set(bearer(second.accessToken)).expect(200);

    // The first token again: theft assumed, the session (every token of this login) ends.
    await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    await gw.http.get('/api/v1/auth/me').set(bearer(second.accessToken)).expect(401);
    await gw.http.get('/api/v1/auth/me').set(bearer(first.accessToken)).expect(401);

    // Another login of the same user is a separate session and unaffected.
    const other = await login(gw, alice);
    await gw.http.get('/api/v1/auth/me').set(bearer(other.accessToken)).expect(200);
  });

  it('lets exactly one of two racing refreshes win (the other is reuse)', async () => {
    const pair = await login(gw, alice);
    const results = await Promise.all([0, 1].map(() => gw.http.post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses malformed and unknown refresh tokens', async () => {
    await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: 'owr_short' }).expect(400);
    await gw.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: `owr_${'A'.repeat(43)}` })
      .expect(401);
  });

  it('logs out: the access token and its refresh token stop working at once', async () => {
    const pair = await login(gw, alice);
    await gw.http.post('/api/v1/auth/logout').set(bearer(pair.accessToken)).send({ refreshToken: pair.refreshToken }).expect(204);
    await gw.http.get('/api/v1/auth/me').set(bearer(pair.accessToken)).expect(401);
    await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
    await gw.http.post('/api/v1/auth/logout').expect(401);
  });
});

describe('access token forgery and signing keys', () => {
  let gw: TestGateway;
  let bob: TestUser;
  const dbFile = join(dir, 'keys.db');

  beforeAll(async () => {
    gw = await startAuthGateway({ databaseUrl: `sqlite:${dbFile}` });
    bob = await addUser(gw, 'bob', 'admin');
  });
  afterAll(async () => {
    await gw?.close();
  });

  const me = (token: string) => gw.http.get('/api/v1/auth/me').set(bearer(token));

  it('refuses tampered tokens: changed claims, changed header, cut signature', async () => {
    const { accessToken } = await login(gw, bob);
    const { header, payload, signature } = decodeJwt(accessToken);
    await me(accessToken).expect(200);
    await me(encodeJwt(header, { ...payload, sub: 'someone-else' }, signature)).expect(401);
    await me(encodeJwt(header, { ...payload, exp: (payload.exp as number) + 3600 }, signature)).expect(401);
    await me(encodeJwt({ ...header, kid: 'unknown' }, payload, signature)).expect(401);
    await me(accessToken.slice(0, -4)).expect(401);
    await me(`${accessToken}x`).expect(401);
  });

  it('refuses alg none, HS256 signed with the public key, and another algorithm with a foreign key', async () => {
    const { accessToken } = await login(gw, bob);
    const { header, payload } = decodeJwt(accessToken);
    await me(encodeJwt({ ...header, alg: 'none' }, payload, '')).expect(401);
    await me(encodeJwt({ alg: 'none' }, payload, '')).expect(401);

    // Key confusion: HMAC with the server's public key as the secret.
    const rows = await gw.gateway.db.query<{ public_jwk: string }>('SELECT public_jwk FROM signing_keys WHERE kid = ?', [
      header.kid as string,
    ]);
    const publicJwk = JSON.parse(rows[0]!.public_jwk) as Record<string, string>;
    const publicPem = createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    for (const secret of [publicPem, JSON.stringify(publicJwk), publicJwk.x as string]) {
      const hsHeader = { ...header, alg: 'HS256' };
      const unsigned = `${Buffer.from(JSON.stringify(hsHeader)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const mac = createHmac('sha256', secret).update(unsigned).digest('base64url');
      await me(`${unsigned}.${mac}`).expect(401);
    }

    const foreign = await generateKeyPair('ES256');
    const es256 = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: header.kid as string, typ: 'at+jwt' })
      .sign(foreign.privateKey);
    await me(es256).expect(401);
    const otherEd = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', kid: header.kid as string, typ: 'at+jwt' })
      .sign(otherEd.privateKey);
    await me(forged).expect(401);
    expect(await exportJWK(otherEd.publicKey)).not.toEqual(publicJwk);
  });

  it('refuses expired tokens and tokens for another issuer, audience or type, even when properly signed', async () => {
    const { kid, privateKey } = gw.gateway.auth.keyring.current();
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: { iss?: string; aud?: string; typ?: string; iat?: number; exp?: number }) =>
      new SignJWT({ sid: 'forged-session' })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: claims.typ ?? 'at+jwt' })
        .setIssuer(claims.iss ?? TOKEN_ISSUER)
        .setAudience(claims.aud ?? TOKEN_AUDIENCE)
        .setSubject(bob.id)
        .setIssuedAt(claims.iat ?? now)
        .setExpirationTime(claims.exp ?? now + 600)
        .sign(privateKey);
    await me(await sign({})).expect(200);
    await me(await sign({ iat: now - 1200, exp: now - 300 })).expect(401);
    await me(await sign({ iss: 'someone-else' })).expect(401);
    await me(await sign({ aud: 'another-api' })).expect(401);
    await me(await sign({ typ: 'JWT' })).expect(401);
  });

  it('accepts an API key sent as a bearer token, and refuses other Authorization schemes or two credentials', async () => {
    await gw.http.get('/api/v1/auth/me').set(bearer(gw.adminKey)).expect(200);
    await gw.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Basic ${Buffer.from('bob:x').toString('base64')}`)
      .expect(401);
    await gw.http.get('/api/v1/auth/me').set('Authorization', 'Bearer').expect(401);
    const { accessToken } = await login(gw, bob);
    await gw.http.get('/api/v1/auth/me').set(bearer(accessToken)).set('x-api-key', gw.adminKey).expect(401);
  });

  it('keeps signing keys across restarts, and after a rotation verifies old tokens while signing with the new key', async () => {
    const before = await login(gw, bob);
    const oldKid = decodeJwt(before.accessToken).header.kid;
    await gw.gateway.close();

    const restarted = await startAuthGateway({ databaseUrl: `sqlite:${dbFile}` });
    try {
      await restarted.http.get('/api/v1/auth/me').set(bearer(before.accessToken)).expect(200);
      const newKid = await rotateSigningKey(restarted.gateway.db);
      await restarted.gateway.auth.invalidation.publish({ type: 'signingKeys' });
      await eventually(async () => {
        const pair = await login(restarted, bob);
        return decodeJwt(pair.accessToken).header.kid === newKid ? pair : undefined;
      });
      expect(newKid).not.toBe(oldKid);
      await restarted.http.get('/api/v1/auth/me').set(bearer(before.accessToken)).expect(200);
      const keys = await restarted.gateway.db.query<{ kid: string; retired_at: number | null }>(
        'SELECT kid, retired_at FROM signing_keys ORDER BY created_at',
      );
      expect(keys.filter((k) => k.retired_at === null).map((k) => k.kid)).toEqual([newKid]);
    } finally {
      await restarted.close();
    }
  });
});

describe('password changes and disabled users', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('changes the own password with an access token only, then ends every session', async () => {
    const carol = await addUser(gw, 'carol', 'user');
    const [a, b] = [await login(gw, carol), await login(gw, carol)];
    const change = (token: string, currentPassword: string, newPassword = 'a brand new passphrase') =>
      gw.http.put('/api/v1/auth/password').set(bearer(token)).send({ currentPassword, newPassword });
    await change(a.accessToken, 'wrong password!!').expect(403);
    await change(a.accessToken, carol.password, 'short').expect(400);
    await gw.http
      .put('/api/v1/auth/password')
      .set('x-api-key', gw.adminKey)
      .send({ currentPassword: carol.password, newPassword: 'a brand new passphrase' })
      .expect(403);
    await change(a.accessToken, carol.password).expect(204);
    await gw.http.get('/api/v1/auth/me').set(bearer(a.accessToken)).expect(401);
    await gw.http.get('/api/v1/auth/me').set(bearer(b.accessToken)).expect(401);
    await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: b.refreshToken }).expect(401);
    await gw.http.post('/api/v1/auth/login').send({ username: 'carol', password: carol.password }).expect(401);
    await login(gw, { name: 'carol', password: 'a brand new passphrase' });
  });

  it('refuses a disabled user at once: tokens, refresh and login', async () => {
    const dave = await addUser(gw, 'dave', 'user');
    const pair = await login(gw, dave);
    await gw.http.patch(`/api/v1/users/${dave.id}`).set('x-api-key', gw.adminKey).send({ disabled: true }).expect(200);
    await gw.http.get('/api/v1/auth/me').set(bearer(pair.accessToken)).expect(401);
    await gw.http.post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
    const res = await gw.http.post('/api/v1/auth/login').send({ username: 'dave', password: dave.password }).expect(401);
    expect(res.body.detail).toBe('Invalid username or password');
  });

  it('re-hashes a password stored with a lower cost at the next login', async () => {
    const erin = await addUser(gw, 'erin', 'user');
    // As if written by an older release with a lower cost (ln=10) than configured (15).
    const salt = randomBytes(16);
    const key = scryptSync(erin.password.normalize('NFKC'), salt, 32, { N: 2 ** 10, r: 8, p: 1 });
    const stored = `$scrypt$ln=10,r=8,p=1$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
    await gw.gateway.db.execute('UPDATE users SET password_hash = ? WHERE id = ?', [stored, erin.id]);
    await login(gw, erin);
    const row = await eventually(async () => {
      const [r] = await gw.gateway.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', [erin.id]);
      return r && r.password_hash !== stored ? r : undefined;
    });
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=15,/);
    expect(new PasswordHasher({ logN: 15 }).needsRehash(row.password_hash)).toBe(false);
    await login(gw, erin);
  });
});
