import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/sessions/model.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T08:00:00Z');

/** 30 sessions: every day of March 2026 one, alternating chargepoints 3/4, tags and vehicles. */
function seed(): Session[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    chargepointId: i % 2 ? '4' : '3',
    start: T0 + i * DAY,
    end: i === 29 ? null : T0 + i * DAY + 2 * 3_600_000,
    energy: 1000 * ((i * 7) % 11) + 500,
    chargingMs: 3_600_000,
    meanPower: null,
    peakPower: 11_000,
    socStart: 20,
    socEnd: 80,
    chargeModes: ['pv'],
    rfidTag: i % 3 ? 'AAAA' : 'BBBB',
    vehicle: { id: i % 2 ? '2' : '1', name: i % 2 ? 'Zoe' : 'e-Golf' },
    userId: null,
    cost: i === 5 ? null : (0.3 * (1000 * ((i * 7) % 11) + 500)) / 1000,
    meterStart: 1000 * i,
    meterLast: 1000 * i + 500,
    source: 'recorder',
    externalKey: null,
    lastSeenAt: T0 + i * DAY,
    lastCharging: false,
    quality: 'measured',
  }));
}

describe.each(BOTH_DATABASES)('sessions API on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  const sessions = seed();
  const get = (path: string, key = gw.readKey) => gw.http.get(path).set('x-api-key', key);

  beforeAll(async () => {
    target = await makeTarget('sessions_api');
    for (const s of sessions) await new SessionRepository(target.db).upsert(s);
    gw = await startAuthGateway({
      databaseUrl: target.url,
      store: 'memory',
      env: { RECORDER_ENABLED: 'false', TIME_ZONE: 'Europe/Berlin' },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await target?.dispose();
  });

  it('pages through every session newest first with an opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(
        `/api/v1/sessions?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(sessions.map((s) => s.id).reverse());
  });

  it('sorts by energy with ties broken by id, across pages', async () => {
    const first = await get('/api/v1/sessions?sort=-energy&limit=20').expect(200);
    const second = await get(`/api/v1/sessions?sort=-energy&limit=20&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((s: { id: string; energy: number }) => [s.energy, s.id]);
    const expected = sessions
      .map((s) => [s.energy, s.id])
      .sort((a, b) => (b[0] as number) - (a[0] as number) || String(b[1]).localeCompare(String(a[1])));
    expect(all).toEqual(expected);
  });

  it('filters by chargepoint, vehicle, tag and a half-open start range in the requested zone', async () => {
    const res = await get('/api/v1/sessions?chargepoint=4&vehicle=2&tag=AAAA&from=2026-03-10&to=2026-03-20&sort=start').expect(200);
    const expected = sessions.filter((s, i) => s.chargepointId === '4' && i % 3 !== 0 && i >= 9 && i < 19).map((s) => s.id);
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual(expected);
    expect(res.body.nextCursor).toBeNull();
  });

  it('returns one session with every field, 404 for an unknown id', async () => {
    const res = await get(`/api/v1/sessions/${sessions[29]!.id}`).expect(200);
    expect(res.body).toEqual({
      id: sessions[29]!.id,
      chargepointId: '4',
      start: '2026-03-30T08:00:00.000Z',
      end: null,
      energy: sessions[29]!.energy,
      chargingTime: 3600,
      meanPower: sessions[29]!.energy,
      peakPower: 11_000,
      socStart: 20,
      socEnd: 80,
      chargeModes: ['pv'],
      rfidTag: 'AAAA',
      vehicle: { id: '2', name: 'Zoe' },
      user: null,
      cost: Math.round(sessions[29]!.cost! * 10_000) / 10_000,
      quality: 'measured',
      correction: null,
    });
    const missing = await get('/api/v1/sessions/00000000-0000-4000-8000-999999999999').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('sums sessions per week in the zone, with empty weeks as zeros and unknown cost as null', async () => {
    const res = await get('/api/v1/sessions/summary?interval=week&from=2026-02-23&to=2026-04-06').expect(200);
    expect(res.body).toMatchObject({
      interval: 'week',
      timeZone: 'Europe/Berlin',
      start: '2026-02-23T00:00:00+01:00',
      end: '2026-04-06T00:00:00+02:00',
      currency: 'EUR',
    });
    const weeks = res.body.items as { start: string; count: number; energy: number; cost: number | null; chargingTime: number }[];
    expect(weeks.map((w) => w.start)).toEqual([
      '2026-02-23T00:00:00+01:00',
      '2026-03-02T00:00:00+01:00',
      '2026-03-09T00:00:00+01:00',
      '2026-03-16T00:00:00+01:00',
      '2026-03-23T00:00:00+01:00',
      '2026-03-30T00:00:00+02:00',
    ]);
    expect(weeks.map((w) => w.count)).toEqual([1, 7, 7, 7, 7, 1]);
    expect(weeks[1]!.cost).toBeNull(); // session 5 (March 6) has no cost
    expect(weeks[2]!.energy).toBe(sessions.slice(8, 15).reduce((sum, s) => sum + s.energy, 0));
    expect(weeks[2]!.chargingTime).toBe(7 * 3600);
    expect(res.body.totals).toMatchObject({ count: 30, cost: null, chargingTime: 30 * 3600 });
    const empty = await get('/api/v1/sessions/summary?interval=day&from=2026-05-01&to=2026-05-03').expect(200);
    expect(empty.body.items).toEqual([
      { start: '2026-05-01T00:00:00+02:00', count: 0, energy: 0, cost: 0, chargingTime: 0 },
      { start: '2026-05-02T00:00:00+02:00', count: 0, energy: 0, cost: 0, chargingTime: 0 },
    ]);
  });

  it.each([
    ['/api/v1/sessions?limit=0', 'limit'],
    ['/api/v1/sessions?limit=501', 'limit'],
    ['/api/v1/sessions?sort=end', 'sort'],
    ['/api/v1/sessions?from=yesterday', 'from'],
    ['/api/v1/sessions?from=2026-02-30', 'from'],
    ['/api/v1/sessions?from=2026-03-02&to=2026-03-01', 'to'],
    ['/api/v1/sessions?tz=Mars%2FOlympus', 'tz'],
    ['/api/v1/sessions?cursor=bm9wZQ', 'cursor'],
    ['/api/v1/sessions?cursor=has%20space', 'cursor'],
    ['/api/v1/sessions?chargepoint=3%3B', 'chargepoint'],
    ['/api/v1/sessions?tag=%01x', 'tag'],
    ['/api/v1/sessions?colour=red', 'colour'],
    ['/api/v1/sessions/not-a-uuid', 'sessionId'],
    ['/api/v1/sessions/summary?interval=hour', 'interval'],
    ['/api/v1/sessions/summary?interval=day&from=2020-01-01&to=2026-01-01', 'maxPoints'],
  ])('answers %s with a 400 problem naming %s', async (path, name) => {
    const res = await get(path).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(name);
  });

  it('rejects a cursor used with another sort', async () => {
    const page = await get('/api/v1/sessions?limit=2').expect(200);
    const res = await get(`/api/v1/sessions?limit=2&sort=energy&cursor=${page.body.nextCursor}`).expect(400);
    expect(res.body.detail).toMatch(/^cursor: it belongs to sort=-start/);
  });

  it('shows a user restricted to chargepoint 4 only their own sessions there', async () => {
    const user = await addUser(gw, 'garage4', 'user', ['4']);
    const repository = new SessionRepository(target.db);
    // Attributed through an RFID profile: all of chargepoint 4 but the newest, and one on chargepoint 3.
    const own = sessions.filter((s) => s.chargepointId === '4').slice(0, -1);
    for (const s of [...own, sessions[0]!]) await repository.attributeUser(s.id, user.id);
    const auth = bearer((await login(gw, user)).accessToken);
    const list = await gw.http.get('/api/v1/sessions?limit=100').set(auth).expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual(own.map((s) => s.id).reverse());
    expect(list.body.items[0].user).toEqual({ id: user.id, name: 'garage4' });
    await gw.http.get('/api/v1/sessions?chargepoint=3').set(auth).expect(403);
    await gw.http.get(`/api/v1/sessions/${sessions[0]!.id}`).set(auth).expect(404); // chargepoint 3: not revealed
    await gw.http.get(`/api/v1/sessions/${sessions[1]!.id}`).set(auth).expect(200);
    await gw.http
      .get(`/api/v1/sessions/${sessions.filter((s) => s.chargepointId === '4').at(-1)!.id}`)
      .set(auth)
      .expect(404); // not theirs
    const summary = await gw.http.get('/api/v1/sessions/summary?interval=month&from=2026-03-01&to=2026-04-01').set(auth).expect(200);
    expect(summary.body.totals.count).toBe(14);
    // Admins see every session, with its user.
    const all = await get(`/api/v1/sessions/${sessions[1]!.id}`, gw.adminKey).expect(200);
    expect(all.body.user).toEqual({ id: user.id, name: 'garage4' });
  });

  it('needs credentials', async () => {
    await gw.http.get('/api/v1/sessions').expect(401);
    await gw.http.get('/api/v1/sessions/summary').expect(401);
    await gw.http.patch(`/api/v1/sessions/${sessions[2]!.id}`).send({ note: 'x' }).expect(401);
  });

  it('lets a user correct the vehicle of their own session and note why, kept beside the recorded values and audited', async () => {
    const user = await addUser(gw, 'corrector', 'user', ['3', '4']);
    const own = sessions[2]!; // chargepoint 3, vehicle 1 (e-Golf) recorded
    await new SessionRepository(target.db).attributeUser(own.id, user.id);
    const auth = bearer((await login(gw, user)).accessToken);
    const res = await gw.http.patch(`/api/v1/sessions/${own.id}`).set(auth).send({ vehicleId: '2', note: 'private use' }).expect(200);
    expect(res.body.vehicle).toEqual({ id: '2', name: null });
    expect(res.body.correction).toEqual({
      vehicleId: '2',
      note: 'private use',
      correctedAt: expect.any(String),
      correctedBy: { type: 'user', id: user.id, name: 'corrector' },
      original: { vehicle: { id: '1', name: 'e-Golf' } },
    });
    expect((await gw.http.get(`/api/v1/sessions/${own.id}`).set(auth).expect(200)).body).toEqual(res.body);
    // Filters see the corrected vehicle, not the recorded one.
    const byCorrected = await get('/api/v1/sessions?vehicle=2&from=2026-03-03&to=2026-03-04', gw.adminKey).expect(200);
    expect(byCorrected.body.items.map((s: { id: string }) => s.id)).toEqual([own.id]);
    const byRecorded = await get('/api/v1/sessions?vehicle=1&from=2026-03-03&to=2026-03-04', gw.adminKey).expect(200);
    expect(byRecorded.body.items).toEqual([]);
    // Only the note changes; then null withdraws the vehicle, and withdrawing the note too withdraws the correction.
    const noted = await gw.http.patch(`/api/v1/sessions/${own.id}`).set(auth).send({ note: 'Privatfahrt' }).expect(200);
    expect(noted.body.correction).toMatchObject({ vehicleId: '2', note: 'Privatfahrt' });
    await gw.http.patch(`/api/v1/sessions/${own.id}`).set(auth).send({ vehicleId: null }).expect(200);
    const withdrawn = await gw.http.patch(`/api/v1/sessions/${own.id}`).set(auth).send({ note: null }).expect(200);
    expect(withdrawn.body).toMatchObject({ vehicle: { id: '1', name: 'e-Golf' }, correction: null });

    const audit = await get('/api/v1/audit?action=session.correct', gw.adminKey).expect(200);
    const entries = audit.body.items as { actor: { id: string }; target: { id: string }; detail: Record<string, string> }[];
    expect(entries).toHaveLength(4);
    expect(entries.at(-1)).toMatchObject({
      actor: { id: user.id },
      target: { type: 'session', id: own.id },
      detail: { recordedVehicleId: '1', vehicleIdAfter: '2', noteAfter: 'private use' },
    });
  });

  it("answers a user's correction of another user's session, or of one attributed to nobody, with 404; admins correct any", async () => {
    const user = await addUser(gw, 'nosy', 'user', ['3', '4']);
    const auth = bearer((await login(gw, user)).accessToken);
    const others = sessions[1]!; // attributed to garage4
    const nobodys = sessions[4]!;
    for (const s of [others, nobodys]) {
      const res = await gw.http.patch(`/api/v1/sessions/${s.id}`).set(auth).send({ note: 'mine' }).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    // A read-only key may not change anything.
    await gw.http.patch(`/api/v1/sessions/${nobodys.id}`).set('x-api-key', gw.readKey).send({ note: 'x' }).expect(403);
    const admin = await gw.http.patch(`/api/v1/sessions/${others.id}`).set('x-api-key', gw.adminKey).send({ note: 'checked' }).expect(200);
    expect(admin.body.correction).toMatchObject({ vehicleId: null, note: 'checked', correctedBy: { type: 'apiKey', name: 'test-admin' } });
    expect(admin.body.vehicle).toEqual(others.vehicle);
    expect((await get(`/api/v1/sessions/${others.id}`).expect(200)).body.correction.note).toBe('checked');
  });

  it.each([
    [{}, 'minProperties'],
    [{ vehicleId: 'a b' }, 'vehicleId'],
    [{ note: 'x'.repeat(501) }, 'note'],
    [{ note: 'bell\u0007' }, 'note'],
    [{ note: '' }, 'note'],
    [{ colour: 'red' }, 'colour'],
  ])('answers the correction %j with a 400 problem naming %s', async (body, name) => {
    const res = await gw.http.patch(`/api/v1/sessions/${sessions[6]!.id}`).set('x-api-key', gw.adminKey).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(name);
  });
});
