/**
 * The security suite, generated from openapi.yaml: every operation in the spec is checked, so a new
 * operation is covered without touching this file. Every response seen here is also checked for echoed
 * secrets, the RateLimit headers and the security headers.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Response, Test } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/auth/token-service.ts';
import { addUser, bearer, decodeJwt, encodeJwt, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { specOperations, urlOf, type SpecOperationInfo } from '../support/spec-requests.ts';

const operations = specOperations();
const PUBLIC = ['getLiveness', 'getReadiness', 'login', 'refreshToken'];
const secured = operations.filter((o) => o.authentication !== 'none');
const label = (o: SpecOperationInfo) => `${o.method.toUpperCase()} ${o.path} (${o.operationId})`;
const CHARGEPOINT_PARAMS = ['chargepointId', 'chargepoint'];
const chargepointBound = operations.filter(
  (o) => o.authentication !== 'none' && o.parameters.some((p) => CHARGEPOINT_PARAMS.includes(p.name)),
);

interface Seen {
  request: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Secrets known when the request was sent: none of them may come back. */
  secretsBefore: number;
}

const secrets: string[] = [];
const seen: Seen[] = [];
const secret = (value: string) => {
  secrets.push(value);
  return value;
};

/** Sends a request and keeps its response for the echo check. */
async function send(request: Test, what: string): Promise<Response> {
  const secretsBefore = secrets.length;
  const res = await request;
  seen.push({ request: what, status: res.status, headers: res.headers as Record<string, string>, text: res.text ?? '', secretsBefore });
  return res;
}

function call(
  gw: TestGateway,
  operation: SpecOperationInfo,
  headers: Record<string, string> = {},
  options: { url?: string; query?: string } = {},
): Promise<Response> {
  const url = (options.url ?? urlOf(operation)) + (options.query ?? '');
  let req = gw.http[operation.method](url).set(headers);
  if (operation.method !== 'get') req = req.set('content-type', 'application/json').send('{}');
  return send(req, `${operation.method.toUpperCase()} ${url}`);
}

describe('the spec itself', () => {
  it('names exactly the public operations of the design', () => {
    expect(
      operations
        .filter((o) => o.authentication === 'none')
        .map((o) => o.operationId)
        .sort(),
    ).toEqual([...PUBLIC].sort());
  });

  it('lists both credentials (API key and bearer token) on every secured operation', () => {
    for (const operation of secured) {
      const schemes = operation.security.flatMap((requirement) => Object.keys(requirement));
      expect([label(operation), schemes]).toEqual([label(operation), expect.arrayContaining(['ApiKeyAuth', 'BearerAuth'])]);
    }
  });

  it('needs control or admin for every non-GET operation outside /api/v1/auth/ and the stream tickets', () => {
    // A stream ticket changes nothing: it trades the caller's read credentials for a single-use one.
    const writes = operations.filter(
      (o) => o.method !== 'get' && !o.path.startsWith('/api/v1/auth/') && o.path !== '/api/v1/stream/tickets',
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const operation of writes)
      expect([label(operation), operation.requiredScope]).toEqual([label(operation), expect.stringMatching(/^(control|admin)$/)]);
  });
});

describe('every operation of openapi.yaml', () => {
  let gw: TestGateway;
  let readKey: string;
  let expiredKey: string;
  let revokedKey: string;
  let user: TestUser;
  let userKey: string;
  let userToken: string;
  let userRefreshToken: string;
  let adminToken: string;
  const badTokens: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory' });
    readKey = secret(gw.readKey);
    secret(gw.adminKey);
    const expired = await gw.gateway.apiKeys.create({ name: 'expired', scopes: ['admin'], expiresAt: Date.now() - 1_000 });
    expiredKey = secret(expired.key);
    const revoked = await gw.gateway.apiKeys.create({ name: 'revoked', scopes: ['admin'] });
    revokedKey = secret(revoked.key);
    await gw.gateway.apiKeys.revoke(revoked.record.id);

    const admin = await addUser(gw, 'suite-admin', 'admin');
    secret(admin.password);
    const adminPair = await login(gw, admin);
    adminToken = secret(adminPair.accessToken);
    secret(adminPair.refreshToken);

    user = await addUser(gw, 'suite-user', 'user', ['3']);
    secret(user.password);
    const userPair = await login(gw, user);
    userToken = secret(userPair.accessToken);
    userRefreshToken = secret(userPair.refreshToken);
    const created = await send(
      gw.http
        .post('/api/v1/keys')
        .set(bearer(userToken))
        .send({ name: 'suite', scopes: ['read', 'control'] }),
      'POST /api/v1/keys',
    );
    userKey = secret(created.body.key as string);

    // Forgeries of an admin token: each must be refused everywhere.
    const { header, payload, signature } = decodeJwt(adminToken);
    badTokens.tampered = encodeJwt(header, { ...payload, sub: user.id }, signature);
    badTokens.algNone = encodeJwt({ ...header, alg: 'none' }, payload, '');
    const [row] = await gw.gateway.db.query<{ public_jwk: string }>('SELECT public_jwk FROM signing_keys WHERE kid = ?', [
      header.kid as string,
    ]);
    const hsHeader = Buffer.from(JSON.stringify({ ...header, alg: 'HS256' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    badTokens.hs256WithPublicKey = `${hsHeader}.${body}.${createHmac('sha256', row!.public_jwk).update(`${hsHeader}.${body}`).digest('base64url')}`;
    const { kid, privateKey } = gw.gateway.auth.keyring.current();
    const now = Math.floor(Date.now() / 1000);
    badTokens.expired = await new SignJWT({ sid: payload.sid as string })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(admin.id)
      .setIssuedAt(now - 1000)
      .setExpirationTime(now - 100)
      .sign(privateKey);
    badTokens.unknownKid = encodeJwt({ ...header, kid: 'f00df00d-0000-4000-8000-000000000000' }, payload, signature);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it.each(secured.map((o) => [label(o), o] as const))('%s: 401 without credentials', async (_l, operation) => {
    const res = await call(gw, operation);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toMatch(/Bearer.*x-api-key/);
  });

  it.each(secured.map((o) => [label(o), o] as const))('%s: 401 for expired and revoked keys and forged tokens', async (_l, operation) => {
    const credentials: [string, Record<string, string>][] = [
      ['expired key', { 'x-api-key': expiredKey }],
      ['revoked key', { 'x-api-key': revokedKey }],
      ...Object.entries(badTokens).map(([name, token]) => [`${name} JWT`, bearer(token)] as [string, Record<string, string>]),
    ];
    for (const [name, headers] of credentials) {
      const res = await call(gw, operation, headers);
      expect([name, res.status]).toEqual([name, 401]);
    }
  });

  it.each(secured.map((o) => [label(o), o] as const))(
    '%s: a read key gets 403 exactly when control or admin is needed',
    async (_l, operation) => {
      const res = await call(gw, operation, { 'x-api-key': readKey });
      if (operation.requiredScope === 'read') expect(res.status).not.toBe(403);
      else expect(res.status).toBe(403);
      expect(res.status).not.toBe(401);
    },
  );

  it('finds chargepoint-bound operations in the spec', () => {
    expect(chargepointBound.map((o) => o.operationId)).toContain('getChargePoint');
  });

  it.each(chargepointBound.map((o) => [label(o), o] as const))(
    '%s: 403 for a user key or token on a chargepoint it may not use',
    async (_l, operation) => {
      const pathParam = operation.parameters.find((p) => p.in === 'path' && CHARGEPOINT_PARAMS.includes(p.name));
      const queryParam = operation.parameters.find((p) => p.in === 'query' && CHARGEPOINT_PARAMS.includes(p.name));
      const request = (id: string, headers: Record<string, string>) =>
        call(gw, operation, headers, {
          url: urlOf(operation, pathParam ? { [pathParam.name]: id } : {}),
          query: !pathParam && queryParam ? `?${queryParam.name}=${id}` : '',
        });
      for (const headers of [{ 'x-api-key': userKey }, bearer(userToken)]) {
        const forbidden = await request('4', headers);
        expect(forbidden.status).toBe(403);
        expect(forbidden.body.type).toBe('/problems/forbidden');
        const allowed = await request('3', headers);
        expect([401, 403]).not.toContain(allowed.status);
      }
    },
  );

  it.each(operations.map((o) => [label(o), o] as const))(
    '%s: does not echo secrets sent as unknown parameters or fields',
    async (_l, operation) => {
      const planted = secret(`s3cr3t-${operation.operationId}-planted-value`);
      const headers = operation.authentication === 'none' ? {} : bearer(adminToken);
      let req = gw.http[operation.method](`${urlOf(operation)}?unexpected=${planted}`).set(headers);
      if (operation.method !== 'get')
        req = req.set('content-type', 'application/json').send(JSON.stringify({ unexpected: planted, password: planted }));
      const res = await send(req, `${operation.method.toUpperCase()} ${operation.path}?unexpected=…`);
      expect(res.status).toBe(400);
    },
  );

  it('serves successful reads to an admin (responses collected for the checks below)', async () => {
    for (const operation of operations.filter((o) => o.method === 'get')) {
      const res = await call(gw, operation, operation.authentication === 'none' ? {} : bearer(adminToken));
      expect([label(operation), res.status < 500 || operation.operationId === 'getReadiness']).toEqual([label(operation), true]);
    }
    const wrong = await send(
      gw.http.post('/api/v1/auth/login').send({ username: user.name, password: `${user.password}x` }),
      'login with a wrong password',
    );
    expect(wrong.status).toBe(401);
    const refreshed = await send(gw.http.post('/api/v1/auth/refresh').send({ refreshToken: userRefreshToken }), 'refresh');
    expect(refreshed.status).toBe(200);
  });

  it('never echoes a secret in any response body or header', () => {
    expect(seen.length).toBeGreaterThan(operations.length * 4);
    const leaks: string[] = [];
    for (const response of seen) {
      const haystack = `${JSON.stringify(response.headers)}\n${response.text}`;
      for (const value of secrets.slice(0, response.secretsBefore)) {
        if (haystack.includes(value)) leaks.push(`${response.request} → ${response.status} echoes a secret (${value.slice(0, 8)}…)`);
      }
      if (/\$scrypt\$|key_hash|password_hash|"d":"/.test(haystack))
        leaks.push(`${response.request} → ${response.status} shows a hash or private key`);
    }
    expect(leaks).toEqual([]);
  });

  it('sends RateLimit and security headers on every response', () => {
    const missing = seen
      .filter(
        (r) =>
          !(
            r.headers['ratelimit-limit'] &&
            r.headers['ratelimit-remaining'] &&
            r.headers['ratelimit-reset'] &&
            r.headers['x-content-type-options'] === 'nosniff' &&
            r.headers['content-security-policy']
          ),
      )
      .map((r) => `${r.request} → ${r.status}`);
    expect(missing).toEqual([]);
  });
});

describe('abuse limits on every operation', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startAuthGateway({
      store: 'memory',
      env: { RATE_LIMIT_KEY_PER_MIN: '2', LOGIN_MAX_FAILURES_PER_USER: '3', LOGIN_FREE_FAILURES: '1', LOGIN_MAX_DELAY_MS: '100' },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers 429 with Retry-After on every secured operation once the key is over its limit', async () => {
    const key = (await gw.gateway.apiKeys.create({ name: 'busy', scopes: ['admin'] })).key;
    await gw.http.get('/api/v1/site').set('x-api-key', key);
    await gw.http.get('/api/v1/site').set('x-api-key', key);
    for (const operation of secured) {
      const res = await call(gw, operation, { 'x-api-key': key });
      expect([label(operation), res.status, Number(res.headers['retry-after']) > 0]).toEqual([label(operation), 429, true]);
    }
  });

  it('locks a username out after repeated failed logins', async () => {
    const victim = await addUser(gw, 'victim', 'user');
    for (let i = 0; i < 3; i++)
      expect((await gw.http.post('/api/v1/auth/login').send({ username: 'victim', password: 'guess guess guess' })).status).toBe(401);
    const locked = await gw.http.post('/api/v1/auth/login').send({ username: 'victim', password: victim.password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('the per-address limit on every operation, public ones included', () => {
  it('answers 429 everywhere once the address is over its limit', async () => {
    const gw = await startAuthGateway({ store: 'memory', env: { RATE_LIMIT_IP_PER_MIN: '3' } });
    try {
      for (let i = 0; i < 3; i++) await gw.http.get('/health/live');
      for (const operation of operations) {
        const res = await call(gw, operation, { 'x-api-key': gw.adminKey });
        expect([label(operation), res.status]).toEqual([label(operation), 429]);
      }
    } finally {
      await gw.close();
    }
  });
});
