import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addUser, login, startAuthGateway } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { uniqueId } from '../support/services.ts';

const started: TestGateway[] = [];
const dir = mkdtempSync(join(tmpdir(), 'owg-rl-'));
afterAll(async () => {
  for (const gw of started.reverse()) await gw.close();
  rmSync(dir, { recursive: true, force: true });
});
async function gateway(env: Record<string, string>, options: { redisKeyPrefix?: string; databaseUrl?: string } = {}): Promise<TestGateway> {
  const gw = await startAuthGateway({ ...options, env });
  started.push(gw);
  return gw;
}

function expect429(res: { status: number; headers: Record<string, string>; body: { type?: string; status?: number } }, minRetry = 1) {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(minRetry);
}

describe('request rate limits', () => {
  it('limits per client address on every route, with RateLimit headers counting down', async () => {
    const gw = await gateway({ RATE_LIMIT_IP_PER_MIN: '5' });
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await gw.http.get('/health/live').expect(200);
      expect(res.headers['ratelimit-limit']).toBe('5');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(res.headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    for (const path of ['/health/live', '/api/v1/site', '/openapi.json']) {
      const res = await gw.http.get(path).set('x-api-key', gw.readKey);
      expect429(res);
      expect(res.headers['ratelimit-remaining']).toBe('0');
    }
    // Before the password hash: a refused login costs nothing.
    expect429(await gw.http.post('/api/v1/auth/login').send({ username: 'x', password: 'y' }));
  });

  it('limits per key, independent of other keys', async () => {
    const gw = await gateway({ RATE_LIMIT_KEY_PER_MIN: '3' });
    for (let i = 0; i < 3; i++) await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey).expect(200);
    const refused = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey);
    expect429(refused);
    expect(refused.headers['ratelimit-limit']).toBe('3');
    const other = await gw.http.get('/api/v1/site').set('x-api-key', gw.adminKey).expect(200);
    expect(other.headers['ratelimit-remaining']).toBe('2');
  });

  it('enforces a daily quota per key, answering when it resets', async () => {
    const gw = await gateway({ RATE_LIMIT_KEY_PER_MIN: '100', RATE_LIMIT_KEY_PER_DAY: '4' });
    for (let i = 0; i < 4; i++) await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey).expect(200);
    const refused = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey);
    expect429(refused, 86_000);
    expect(refused.headers['ratelimit-limit']).toBe('4');
  });

  it('counts access tokens per user', async () => {
    const gw = await gateway({ RATE_LIMIT_KEY_PER_MIN: '3' });
    const user = await addUser(gw, 'nina', 'user');
    const [a, b] = [await login(gw, user), await login(gw, user)];
    await gw.http.get('/api/v1/site').set('Authorization', `Bearer ${a.accessToken}`).expect(200);
    await gw.http.get('/api/v1/site').set('Authorization', `Bearer ${b.accessToken}`).expect(200);
    await gw.http.get('/api/v1/site').set('Authorization', `Bearer ${a.accessToken}`).expect(200);
    expect429(await gw.http.get('/api/v1/site').set('Authorization', `Bearer ${b.accessToken}`));
  });

  it('shares the counters between instances through Redis', async () => {
    const redisKeyPrefix = `${uniqueId('rl')}:`;
    const env = { RATE_LIMIT_KEY_PER_MIN: '4' };
    const databaseUrl = `sqlite:${join(dir, 'shared.db')}`;
    const a = await gateway(env, { redisKeyPrefix, databaseUrl });
    const b = await gateway(env, { redisKeyPrefix, databaseUrl });
    const key = (await a.gateway.apiKeys.create({ name: 'shared', scopes: ['read'] })).key;
    await a.http.get('/api/v1/site').set('x-api-key', key).expect(200);
    await b.http.get('/api/v1/site').set('x-api-key', key).expect(200);
    await a.http.get('/api/v1/site').set('x-api-key', key).expect(200);
    await b.http.get('/api/v1/site').set('x-api-key', key).expect(200);
    expect429(await a.http.get('/api/v1/site').set('x-api-key', key));
    expect429(await b.http.get('/api/v1/site').set('x-api-key', key));
  });
});

describe('login brute-force protection', () => {
  const attempt = (gw: TestGateway, username: string, password: string, ip?: string) => {
    const req = gw.http.post('/api/v1/auth/login');
    return (ip ? req.set('X-Forwarded-For', ip) : req).send({ username, password });
  };

  it('slows down, then locks a username out, also for the right password; unknown names alike', async () => {
    const gw = await gateway({
      LOGIN_FREE_FAILURES: '1',
      LOGIN_MAX_FAILURES_PER_USER: '4',
      LOGIN_MAX_DELAY_MS: '500',
      TRUST_PROXY: 'loopback',
    });
    const olga = await addUser(gw, 'olga', 'user');
    const timings: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t = Date.now();
      await attempt(gw, 'olga', 'wrong password', `10.1.0.${i}`).expect(401);
      timings.push(Date.now() - t);
    }
    // Attempts 2, 3, 4 wait 250, 500, 500 ms before the hash runs.
    expect(timings[1]!).toBeGreaterThanOrEqual(240);
    expect(timings[2]!).toBeGreaterThanOrEqual(490);
    const locked = await attempt(gw, 'olga', olga.password, '10.1.0.9');
    expect429(locked, 2);
    expect(locked.body.detail).toContain('Too many failed logins');

    for (let i = 0; i < 4; i++) await attempt(gw, 'nobody-here', 'wrong password', `10.2.0.${i}`).expect(401);
    const unknownLocked = await attempt(gw, 'nobody-here', 'wrong password', '10.2.0.9');
    expect(unknownLocked.status).toBe(429);
    expect(unknownLocked.body.detail).toBe(locked.body.detail);

    const audit = await gw.http.get('/api/v1/audit?action=auth.login').set('x-api-key', gw.adminKey).expect(200);
    expect(audit.body.items.filter((e: { detail: { reason?: string } | null }) => e.detail?.reason === 'locked-out')).toHaveLength(2);
  });

  it('locks out an address that tries many usernames, not other addresses', async () => {
    const gw = await gateway({ LOGIN_MAX_FAILURES_PER_IP: '5', TRUST_PROXY: 'loopback' });
    const paul = await addUser(gw, 'paul', 'user');
    for (let i = 0; i < 5; i++) await attempt(gw, `guess${i}`, 'wrong password', '203.0.113.7').expect(401);
    expect429(await attempt(gw, 'paul', paul.password, '203.0.113.7'));
    await attempt(gw, 'paul', paul.password, '203.0.113.8').expect(200);
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const gw = await gateway({ LOGIN_MAX_FAILURES_PER_IP: '2' });
    await attempt(gw, 'a', 'wrong password', '198.51.100.1').expect(401);
    await attempt(gw, 'b', 'wrong password', '198.51.100.2').expect(401);
    expect429(await attempt(gw, 'c', 'wrong password', '198.51.100.3'));
  });

  it('refuses a parallel burst before hashing: at most the budget reaches the password check', async () => {
    const gw = await gateway({ LOGIN_MAX_FAILURES_PER_USER: '5', LOGIN_FREE_FAILURES: '4', LOGIN_KDF_QUEUE: '100' });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 40 }, () => attempt(gw, 'target', 'wrong password')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('bounds concurrent password hashing: beyond the queue the answer is 503 with Retry-After', async () => {
    const gw = await gateway({ LOGIN_KDF_CONCURRENCY: '1', LOGIN_KDF_QUEUE: '0', TRUST_PROXY: 'loopback' });
    const results = await Promise.all(Array.from({ length: 4 }, (_v, i) => attempt(gw, `user${i}`, 'wrong password', `192.0.2.${i}`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toContain(401);
    expect(statuses).toContain(503);
    const busy = results.find((r) => r.status === 503)!;
    expect(busy.headers['retry-after']).toBe('2');
  });
});
