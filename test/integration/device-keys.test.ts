import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceBinding } from '../../src/auth/api-key.ts';
import { makePrincipal } from '../../src/auth/principal.ts';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';

/** Keys bound to one device, through the real key store, cache and security step (the meter operations are in meters.test.ts). */
describe('device keys', () => {
  let gw: TestGateway;
  let jane: TestUser;
  let janeToken: string;
  const meter: DeviceBinding = { kind: 'meter', id: 'a1b2c3' };

  beforeAll(async () => {
    gw = await startAuthGateway();
    jane = await addUser(gw, 'jane', 'user', ['3']);
    janeToken = (await login(gw, jane)).accessToken;
  });
  afterAll(() => gw?.close());

  const janeAsPrincipal = () =>
    makePrincipal({
      kind: 'token',
      id: 's',
      userId: jane.id,
      name: 'jane',
      role: 'user',
      scopes: ['read', 'control'],
      userChargepoints: ['3'],
    });

  it('binds a key to its device: listed with the binding, refused everywhere else with 403, 401 once revoked', async () => {
    const { key, record } = await gw.gateway.auth.keys.createForDevice(janeAsPrincipal(), meter, jane.id, { name: 'esp' }, {});
    expect(record).toMatchObject({ scopes: ['device'], device: meter, userId: jane.id });

    const listed = await gw.http.get('/api/v1/keys').set(bearer(janeToken)).expect(200);
    expect(listed.body.items.find((k: { id: string }) => k.id === record.id)).toMatchObject({ scopes: ['device'], device: meter });

    for (const path of ['/api/v1/chargepoints', '/api/v1/chargepoints/3', '/api/v1/keys', '/api/v1/auth/me']) {
      const refused = await gw.http.get(path).set('x-api-key', key).expect(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.detail).toContain(`meter ${meter.id}`);
    }
    await gw.http
      .post('/api/v1/keys')
      .set('x-api-key', key)
      .send({ name: 'copy', scopes: ['read'] })
      .expect(403);

    expect(await gw.gateway.auth.keys.revokeForDevice(janeAsPrincipal(), meter, {})).toBe(1);
    await gw.http.get('/api/v1/chargepoints').set('x-api-key', key).expect(401);
  });

  it('lets only the owner or an admin create a device key, and never through POST /api/v1/keys', async () => {
    const bob = await addUser(gw, 'bob', 'user', ['3']);
    const bobAsPrincipal = makePrincipal({
      kind: 'token',
      id: 's2',
      userId: bob.id,
      name: 'bob',
      role: 'user',
      scopes: ['read', 'control'],
    });
    await expect(gw.gateway.auth.keys.createForDevice(bobAsPrincipal, meter, jane.id, { name: 'esp' }, {})).rejects.toThrow(/owner/);
    const admin = makePrincipal({ kind: 'apiKey', id: 'cli', userId: null, name: 'cli', role: 'admin', scopes: ['admin'] });
    const byAdmin = await gw.gateway.auth.keys.createForDevice(admin, meter, jane.id, { name: 'esp2' }, {});
    expect(byAdmin.record.userId).toBe(jane.id);

    const refused = await gw.http
      .post('/api/v1/keys')
      .set(bearer(janeToken))
      .send({ name: 'x', scopes: ['device'] })
      .expect(400);
    expect(refused.body.detail).toContain('/keys');
    // An unbound key holding `device` (the CLI can write one) gets nothing from it.
    const unbound = (await gw.gateway.apiKeys.create({ name: 'odd', scopes: ['device', 'read'], userId: jane.id })).key;
    await gw.http.get('/api/v1/chargepoints').set('x-api-key', unbound).expect(200);
    const me = await gw.http.get('/api/v1/auth/me').set('x-api-key', unbound).expect(200);
    expect(me.body.scopes).toEqual(['read']);
  });
});
