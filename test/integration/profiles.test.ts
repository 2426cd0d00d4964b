import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenWbSimulator } from '../../src/openwb/simulator/index.ts';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import { services } from '../support/services.ts';
import { get, known } from './control-helpers.ts';

describe.each(BOTH_DATABASES)('RFID profiles on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let sim: OpenWbSimulator;
  let alice: TestUser;
  let bob: TestUser;
  let aliceAuth: { Authorization: string };
  let bobAuth: { Authorization: string };

  beforeAll(async () => {
    target = await makeTarget('profiles');
    gw = await startAuthGateway({ store: 'memory', databaseUrl: target.url, env: { RECORDER_ENABLED: 'false' } });
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix, intervalMs: 0 });
    await known(gw, '/api/v1/vehicles/2');
    alice = await addUser(gw, 'alice', 'user', ['3', '4']);
    bob = await addUser(gw, 'bob', 'user', ['4']);
    aliceAuth = bearer((await login(gw, alice)).accessToken);
    bobAuth = bearer((await login(gw, bob)).accessToken);
  });
  afterAll(async () => {
    await sim?.stop();
    await gw?.close();
    await target?.dispose();
  });

  const admin = () => ({ 'x-api-key': gw.adminKey });

  it('lets a user create their own profile; admins may name the owner', async () => {
    const own = await gw.http
      .post('/api/v1/profiles')
      .set(aliceAuth)
      .send({
        name: 'Alice e-Golf',
        tags: ['A1B2C3D4'],
        chargepoints: ['3'],
        preset: { chargeMode: 'instant', instantCharging: { current: 16, limit: { type: 'soc', soc: 80 } }, vehicleId: '1' },
      })
      .expect(201);
    expect(own.body).toMatchObject({ name: 'Alice e-Golf', userId: alice.id, userName: 'alice', tags: ['A1B2C3D4'], chargepoints: ['3'] });
    expect(own.body.preset).toEqual({
      chargeMode: 'instant',
      instantCharging: { current: 16, limit: { type: 'soc', soc: 80 } },
      vehicleId: '1',
    });
    const forBob = await gw.http
      .post('/api/v1/profiles')
      .set(admin())
      .send({ name: 'Bob', userId: bob.id, tags: ['0000B0B0'] })
      .expect(201);
    expect(forBob.body).toMatchObject({ userId: bob.id, userName: 'bob', chargepoints: [], preset: {} });
  });

  it('refuses other owners, foreign chargepoints and a system key without owner', async () => {
    await gw.http
      .post('/api/v1/profiles')
      .set(aliceAuth)
      .send({ name: 'x', userId: bob.id, tags: ['X1'] })
      .expect(403);
    await gw.http
      .post('/api/v1/profiles')
      .set(bobAuth)
      .send({ name: 'x', tags: ['X2'], chargepoints: ['3'] })
      .expect(403);
    const system = await gw.http
      .post('/api/v1/profiles')
      .set(admin())
      .send({ name: 'x', tags: ['X3'] })
      .expect(400);
    expect(system.body.detail).toMatch(/userId/);
    await gw.http
      .post('/api/v1/profiles')
      .set(admin())
      .send({ name: 'x', userId: '00000000-0000-4000-8000-000000000000', tags: ['X4'] })
      .expect(400);
  });

  it('keeps each tag in one profile, case-insensitively (409)', async () => {
    const clash = await gw.http
      .post('/api/v1/profiles')
      .set(bobAuth)
      .send({ name: 'copy', tags: ['a1b2c3d4'] })
      .expect(409);
    expect(clash.body.detail).toMatch(/A1B2C3D4 already belongs/);
    await gw.http
      .post('/api/v1/profiles')
      .set(bobAuth)
      .send({ name: 'twice', tags: ['CAFE', 'cafe'] })
      .expect(409);
    // The refused profile left nothing behind.
    expect((await gw.http.get('/api/v1/profiles').set(bobAuth)).body.items.map((p: { name: string }) => p.name)).toEqual(['Bob']);
  });

  it.each([
    [{ name: 'x', tags: [] }],
    [{ name: 'x', tags: ['bad tag!'] }],
    [{ name: 'x', tags: ['X'.repeat(65)] }],
    [{ name: '', tags: ['X5'] }],
    [{ tags: ['X5'] }],
    [{ name: 'x', tags: ['X5'], preset: { chargeMode: 'turbo' } }],
    [{ name: 'x', tags: ['X5'], preset: { chargeMode: 'pv', pvCharging: { minCurrent: 8 } } }],
    [{ name: 'x', tags: ['X5'], preset: { instantCharging: { current: 40 } } }],
    [{ name: 'x', tags: ['X5'], preset: { vehicleId: '42' } }],
    [{ name: 'x', tags: ['X5'], colour: 'red' }],
  ])('refuses %j with 400', async (body) => {
    await gw.http.post('/api/v1/profiles').set(aliceAuth).send(body).expect(400);
  });

  it('shows users their own profiles only; admins all, or one user', async () => {
    const mine = await gw.http.get('/api/v1/profiles').set(aliceAuth).expect(200);
    expect(mine.body.items.map((p: { userId: string }) => p.userId)).toEqual([alice.id]);
    const all = await gw.http.get('/api/v1/profiles').set(admin()).expect(200);
    expect(all.body.items).toHaveLength(2);
    const bobs = await gw.http.get(`/api/v1/profiles?user=${bob.id}`).set(admin()).expect(200);
    expect(bobs.body.items.map((p: { name: string }) => p.name)).toEqual(['Bob']);
    await gw.http.get(`/api/v1/profiles/${mine.body.items[0].id}`).set(bobAuth).expect(404);
    await gw.http.get(`/api/v1/profiles/${mine.body.items[0].id}`).set(aliceAuth).expect(200);
  });

  it('updates and deletes, freeing the tags', async () => {
    const created = await gw.http
      .post('/api/v1/profiles')
      .set(bobAuth)
      .send({ name: 'Temp', tags: ['TEMP01'] })
      .expect(201);
    const id = created.body.id;
    const patched = await gw.http
      .patch(`/api/v1/profiles/${id}`)
      .set(bobAuth)
      .send({ tags: ['TEMP02', 'TEMP03'], preset: { chargeMode: 'stop' } })
      .expect(200);
    expect(patched.body).toMatchObject({ tags: ['TEMP02', 'TEMP03'], preset: { chargeMode: 'stop' }, name: 'Temp' });
    await gw.http.patch(`/api/v1/profiles/${id}`).set(bobAuth).send({ userId: alice.id }).expect(403);
    await gw.http.patch(`/api/v1/profiles/${id}`).set(aliceAuth).send({ name: 'mine now' }).expect(404);
    await gw.http.patch(`/api/v1/profiles/${id}`).set(bobAuth).send({}).expect(400);
    const moved = await gw.http.patch(`/api/v1/profiles/${id}`).set(admin()).send({ userId: alice.id }).expect(200);
    expect(moved.body.userName).toBe('alice');
    await gw.http.delete(`/api/v1/profiles/${id}`).set(bobAuth).expect(404);
    await gw.http.delete(`/api/v1/profiles/${id}`).set(aliceAuth).expect(204);
    await gw.http.get(`/api/v1/profiles/${id}`).set(admin()).expect(404);
    await gw.http
      .post('/api/v1/profiles')
      .set(bobAuth)
      .send({ name: 'Again', tags: ['temp02'] })
      .expect(201);
  });

  it('goes with its user when the user is deleted', async () => {
    const carol = await addUser(gw, 'carol', 'user', ['4']);
    const created = await gw.http
      .post('/api/v1/profiles')
      .set(admin())
      .send({ name: 'Carol', userId: carol.id, tags: ['CA40L'] })
      .expect(201);
    await gw.http.delete(`/api/v1/users/${carol.id}`).set(admin()).expect(204);
    await gw.http.get(`/api/v1/profiles/${created.body.id}`).set(admin()).expect(404);
    await gw.http
      .post('/api/v1/profiles')
      .set(bobAuth)
      .send({ name: 'Carol tag', tags: ['CA40L'] })
      .expect(201);
  });

  it('audits profile changes', async () => {
    const audit = await get(gw, '/api/v1/audit?action=profile.create').expect(200);
    expect(audit.body.items.length).toBeGreaterThanOrEqual(3);
    expect(audit.body.items.at(-1)).toMatchObject({ target: { type: 'profile' }, actor: { type: 'user', name: 'alice' } });
  });

  describe('RFID events list', () => {
    beforeAll(async () => {
      const events = gw.gateway.control.rfidEvents;
      const base = {
        chargepointId: '4',
        source: 'scan' as const,
        detail: null,
        commandIds: [],
        sessionId: null,
        attribution: 'none' as const,
        profileId: null,
      };
      for (let i = 0; i < 7; i++)
        await events.insert({
          ...base,
          at: Date.now() + i,
          tag: `T${i}`,
          outcome: i % 2 ? 'applied' : 'unknownTag',
          userId: i % 2 ? alice.id : null,
        });
      await events.insert({ ...base, chargepointId: '3', at: Date.now() + 10, tag: 'B1', outcome: 'applied', userId: bob.id });
    });

    it('pages through every event for admins, newest first', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page++) {
        const res: { body: { items: { tag: string }[]; nextCursor: string | null } } = await gw.http
          .get(`/api/v1/rfid-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
          .set(admin())
          .expect(200);
        seen.push(...res.body.items.map((e) => e.tag));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(['B1', 'T6', 'T5', 'T4', 'T3', 'T2', 'T1', 'T0']);
    });

    it('filters by outcome and chargepoint, and shows users only their own events', async () => {
      const unknown = await gw.http.get('/api/v1/rfid-events?outcome=unknownTag').set(admin()).expect(200);
      expect(unknown.body.items.map((e: { tag: string }) => e.tag)).toEqual(['T6', 'T4', 'T2', 'T0']);
      const alices = await gw.http.get('/api/v1/rfid-events').set(aliceAuth).expect(200);
      expect(alices.body.items.map((e: { tag: string }) => e.tag)).toEqual(['T5', 'T3', 'T1']);
      const bobs = await gw.http.get('/api/v1/rfid-events?chargepoint=4').set(bobAuth).expect(200);
      expect(bobs.body.items).toEqual([]);
      await gw.http.get('/api/v1/rfid-events?chargepoint=3').set(bobAuth).expect(403);
      await gw.http.get('/api/v1/rfid-events?cursor=bm9wZQ').set(admin()).expect(400);
      await gw.http.get('/api/v1/rfid-events?limit=500').set(admin()).expect(400);
    });
  });
});
