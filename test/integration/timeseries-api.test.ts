/**
 * The timeseries-api wire mode driven by a Python `requests` client written like that project's own
 * (test/fixtures/timeseries-api/client.py), against whole gateways on both databases: once with public reads
 * under a configured base path, once with the defaults (reads need credentials).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import type { TestGateway } from '../support/gateway.ts';

const CLIENT = fileURLToPath(new URL('../fixtures/timeseries-api/client.py', import.meta.url));
const run = promisify(execFile);

async function python(args: string[]): Promise<string> {
  try {
    return (await run('python3', [CLIENT, ...args], { timeout: 60_000, maxBuffer: 1024 * 1024 })).stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`client.py failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

describe.each(BOTH_DATABASES)('timeseries-api wire mode on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let jane: TestUser;
  let args: string[];
  const env = { RECORDER_ENABLED: 'false', TIMESERIES_API_ENABLED: 'true' };

  beforeAll(async () => {
    target = await makeTarget('timeseries');
    gw = await startAuthGateway({
      databaseUrl: target.url,
      store: 'memory',
      env: { ...env, TIMESERIES_API_BASE_PATH: '/iot/ts', TIMESERIES_API_PUBLIC_READS: 'true' },
    });
    jane = await addUser(gw, 'jane', 'user');
    const bob = await addUser(gw, 'bob', 'user');
    const keyOf = async (userId: string) => (await gw.gateway.apiKeys.create({ name: 'esp', scopes: ['read', 'control'], userId })).key;
    const janeToken = (await login(gw, jane)).accessToken;
    const device = (
      await gw.http.post('/api/v1/series').set(bearer(janeToken)).send({ description: 'ESP32', deviceId: 'esp32' }).expect(201)
    ).body.id as string;
    const deviceKey = (await gw.http.post(`/api/v1/series/${device}/keys`).set(bearer(janeToken)).send({ name: 'esp32' }).expect(201)).body
      .key as string;
    args = ['--token', await keyOf(jane.id), '--other-token', await keyOf(bob.id), '--owner', 'jane'];
    args.push('--device-series', device, '--device-token', deviceKey);
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await target?.dispose();
  });

  it('answers every documented status and body to a timeseries-api client, under the configured base path', async () => {
    const out = await python(['--url', `${gw.gateway.url}/iot/ts`, '--api', `${gw.gateway.url}/api/v1`, ...args]);
    expect(out).toContain('ALL OK');
    expect(out.split('\n').filter((line) => line.startsWith('ok ')).length).toBeGreaterThanOrEqual(50);
    // The default prefix is not served when another is configured.
    await gw.http.get('/timeseries/series').expect(404);
  }, 90_000);

  it('needs credentials for reads unless public reads are enabled, and is not served unless enabled', async () => {
    const defaults = await startAuthGateway({ databaseUrl: target.url, store: 'memory', env });
    try {
      const out = await python([
        '--url',
        `${defaults.gateway.url}/timeseries`,
        '--api',
        `${defaults.gateway.url}/api/v1`,
        '--private',
        ...args,
      ]);
      expect(out).toContain('ALL OK');
    } finally {
      await defaults.close();
    }
    const off = await startAuthGateway({
      databaseUrl: target.url,
      store: 'memory',
      env: { RECORDER_ENABLED: 'false', TIMESERIES_API_ENABLED: 'false' },
    });
    try {
      const res = await off.http.get('/timeseries/series').set('x-api-key', off.adminKey).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await off.close();
    }
  }, 90_000);
});
