/**
 * The EnergSync-compatible endpoints end to end, on SQLite and MariaDB: chargers from openWB's live facts
 * (published on the real broker) and from configuration, sessions by UTC start date, paging, every form of
 * `chargerIds`, and the `energsync` scope (a key created by the CLI) reaching these operations and nothing
 * else. Every response is checked against openapi.yaml (test/support/response-contract.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/sessions/model.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { addUser, bearer, login, startAuthGateway } from '../support/auth.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import { eventually, openPublisher, type TestGateway } from '../support/gateway.ts';
import { runNode } from '../support/process.ts';
import { contractViolation } from '../support/response-contract.ts';
import { specOperations, urlOf } from '../support/spec-requests.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

let serial = 0;
function session(
  chargepointId: string,
  startIso: string,
  options: { end?: number | null; energy?: number; chargingMs?: number; quality?: Session['quality'] } = {},
) {
  const start = at(startIso);
  const id = `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
  const value: Session = {
    id,
    chargepointId,
    start,
    end: options.end === undefined ? start + 2 * HOUR : options.end,
    energy: options.energy ?? 5000,
    chargingMs: options.chargingMs ?? HOUR,
    meanPower: null,
    peakPower: 11_000,
    quality: options.quality === undefined ? 'measured' : options.quality,
    socStart: null,
    socEnd: null,
    chargeModes: ['instant'],
    rfidTag: null,
    vehicle: null,
    userId: null,
    cost: null,
    meterStart: null,
    meterLast: null,
    source: 'recorder',
    externalKey: null,
    lastSeenAt: start,
    lastCharging: false,
  };
  return value;
}

/** Chargepoint 3's sessions; `in` marks those starting within 2026-03-01..2026-03-31 (UTC) that have ended. */
const beforeMarch = session('3', '2026-02-28T23:59:59Z');
const firstSecond = session('3', '2026-03-01T00:00:00Z', { energy: 1234.6, chargingMs: 3_599_600 });
// 22:00 on 28 February in Edmonton: a UTC calendar date decides, not the installation's zone.
const edmontonFebruary = session('3', '2026-03-01T05:00:00Z');
const daily = Array.from({ length: 12 }, (_, i) => session('3', `2026-03-${String(i + 2).padStart(2, '0')}T12:00:00Z`));
const stillOpen = session('3', '2026-03-20T10:00:00Z', { end: null });
const lastSecond = session('3', '2026-03-31T23:59:59Z');
const nextDay = session('3', '2026-04-01T00:00:00Z');
// 21:00 on 31 March in Edmonton, but 1 April in UTC: out.
const edmontonMarch = session('3', '2026-04-01T03:00:00Z');
const otherCharger = session('4', '2026-03-10T12:00:00Z');
const inMarch = [firstSecond, edmontonFebruary, ...daily, lastSecond];
/** Chargepoint 3 in May: one session of each quality mark (a meter reset mid-session leaves `incomplete`). */
const mayMarks = (['measured', 'corrected', 'incomplete', null] as const).map((quality, i) =>
  session('3', `2026-05-0${i + 1}T08:00:00Z`, { quality, energy: 4000 + i }),
);
const ALL = [
  beforeMarch,
  firstSecond,
  edmontonFebruary,
  ...daily,
  stillOpen,
  lastSecond,
  nextDay,
  edmontonMarch,
  otherCharger,
  ...mayMarks,
];

const CHARGERS_CONFIG = {
  '4': { name: 'Carport', serialNumber: 'SN-4', maxAvailableCurrent: 32, phases: 1 },
  '12': { name: 'Office', model: 'openWB Pro', numberOfConnectors: 2 },
};

describe.each(BOTH_DATABASES)('EnergSync endpoints on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  let energsyncKey: string;
  let narrowedKey: string;
  const get = (path: string, key = energsyncKey) => gw.http.get(path).set('x-api-key', key);
  const ids = (body: { chargers: { id: string }[] }) => body.chargers.map((c) => c.id);
  const MARCH = 'startDate=2026-03-01&endDate=2026-03-31';

  beforeAll(async () => {
    target = await makeTarget('energsync');
    const repository = new SessionRepository(target.db);
    for (const s of ALL) await repository.upsert(s);
    gw = await startAuthGateway({
      databaseUrl: target.url,
      store: 'memory',
      env: {
        RECORDER_ENABLED: 'false',
        OPENWB_GENERATION: '2',
        TIME_ZONE: 'America/Edmonton',
        ENERGSYNC_MODEL: 'openWB series2 custom',
        ENERGSYNC_LATITUDE: '53.5461',
        ENERGSYNC_LONGITUDE: '-113.4938',
        ENERGSYNC_COMMISSIONING_DATE: '2024-04-12',
        ENERGSYNC_CHARGERS: JSON.stringify(CHARGERS_CONFIG),
      },
    });
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish(
      'openWB/chargepoint/3/config',
      JSON.stringify({ name: 'Garage', type: 'internal_openwb', ev: 1, template: 0, connected_phases: 3, phase_1: 1, id: 3 }),
    );
    await publisher.publish('openWB/chargepoint/3/get/serial_number', '"SN-3"');
    await publisher.publish('openWB/chargepoint/3/get/max_evse_current', '16');
    await eventually(async () => {
      const res = await gw.http.get('/energsync/chargers/3').set('x-api-key', gw.adminKey);
      const { name, maxAvailableCurrent, serialNumber } = res.body;
      return res.status === 200 && name === 'Garage' && maxAvailableCurrent === 16 && serialNumber === 'SN-3' ? true : undefined;
    });

    // The owner's way: the CLI, against the gateway's database.
    const cli = (...args: string[]) => runNode('src/cli.ts', args, { DATABASE_URL: target.url });
    const [created, narrowed] = await Promise.all([
      cli('keys', 'create', '--name', 'rewatt', '--scopes', 'energsync'),
      cli('keys', 'create', '--name', 'rewatt-garage', '--scopes', 'energsync', '--chargepoints', '3'),
    ]);
    expect([created.code, narrowed.code]).toEqual([0, 0]);
    expect(narrowed.stdout).toContain('for chargepoints 3');
    energsyncKey = created.stdout.trim().split('\n').at(-1)!;
    narrowedKey = narrowed.stdout.trim().split('\n').at(-1)!;
  });
  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
    await target?.dispose();
  });

  it('lists the published and the configured chargers in id order, with live facts and configured ones', async () => {
    const res = await get('/energsync/chargers').expect(200);
    expect(ids(res.body)).toEqual(['3', '4', '12']);
    expect(res.body.total).toBe(3);
    expect(res.body.chargers[0]).toEqual({
      id: '3',
      name: 'Garage',
      serialNumber: 'SN-3',
      model: 'openWB series2 custom',
      manufacturer: 'openWB',
      maxAvailableCurrent: 16,
      maxOutputPower: 16 * 230 * 3,
      outputVoltage: 230,
      numberOfConnectors: 1,
      timeZone: 'America/Edmonton',
      latitude: 53.5461,
      longitude: -113.4938,
      commissioningDate: '2024-04-12',
    });
    expect(res.body.chargers[1]).toMatchObject({ id: '4', name: 'Carport', serialNumber: 'SN-4', maxOutputPower: 32 * 230 });
    expect(res.body.chargers[2]).toMatchObject({
      id: '12',
      name: 'Office',
      model: 'openWB Pro',
      serialNumber: null,
      maxAvailableCurrent: null,
      maxOutputPower: null,
      numberOfConnectors: 2,
    });
  });

  it.each([
    ['repeated with the 1.0.7 bracket name', 'chargerIds[]=3&chargerIds[]=12'],
    ['with the bracket name percent-encoded', 'chargerIds%5B%5D=3&chargerIds%5B%5D=12'],
    ['repeated', 'chargerIds=3&chargerIds=12'],
    ['comma-separated', 'chargerIds=3,12'],
    ['comma-separated, percent-encoded', 'chargerIds=3%2C12'],
    ['mixed', 'chargerIds[]=12&chargerIds=3'],
  ])('filters by chargerIds given %s', async (_form, query) => {
    const res = await get(`/energsync/chargers?${query}`).expect(200);
    expect(ids(res.body)).toEqual(['3', '12']);
    expect(res.body.total).toBe(2);
  });

  it('takes a single id in every form, and leaves out ids that are no chargers', async () => {
    for (const query of ['chargerIds=4', 'chargerIds[]=4', 'chargerIds=4,99']) {
      const res = await get(`/energsync/chargers?${query}`).expect(200);
      expect([query, ids(res.body), res.body.total]).toEqual([query, ['4'], 1]);
    }
  });

  it('refuses malformed ids with 400 problem+json', async () => {
    for (const query of ['chargerIds=3,', 'chargerIds[]=a%20b', `chargerIds=${Array.from({ length: 101 }, (_, i) => i).join(',')}`]) {
      const res = await get(`/energsync/chargers?${query}`);
      expect([query, res.status, res.body.type]).toEqual([query, 400, '/problems/validation']);
    }
    await get('/energsync/chargers/bad!id').expect(400);
  });

  it('pages chargers 1-based, with an empty page beyond the last and the total on every page', async () => {
    const first = await get('/energsync/chargers?pageSize=2').expect(200);
    const second = await get('/energsync/chargers?page=2&pageSize=2').expect(200);
    const beyond = await get('/energsync/chargers?page=3&pageSize=2').expect(200);
    expect([ids(first.body), ids(second.body), ids(beyond.body)]).toEqual([['3', '4'], ['12'], []]);
    expect([first.body.total, second.body.total, beyond.body.total]).toEqual([3, 3, 3]);
    expect(ids((await get('/energsync/chargers?page=1&pageSize=100').expect(200)).body)).toEqual(['3', '4', '12']);
  });

  it('refuses page and pageSize outside their bounds', async () => {
    for (const query of ['page=0', 'page=-1', 'page=x', 'pageSize=0', 'pageSize=101', 'pageSize=1.5']) {
      const res = await get(`/energsync/chargers?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('answers one charger as a bare object, and 404 problem+json for an unknown one', async () => {
    const res = await get('/energsync/chargers/4').expect(200);
    expect(res.body).toMatchObject({ id: '4', name: 'Carport' });
    const missing = await get('/energsync/chargers/99').expect(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ type: '/problems/not-found', status: 404 });
    await get(`/energsync/chargers/99/sessions?${MARCH}`).expect(404);
  });

  it('serves the ended sessions starting within the UTC dates, endDate inclusive of its whole day', async () => {
    const res = await get(`/energsync/chargers/3/sessions?${MARCH}&pageSize=100`).expect(200);
    expect(res.body.total).toBe(inMarch.length);
    expect(res.body.sessions.map((s: { id: string }) => s.id)).toEqual(inMarch.map((s) => s.id));
    expect(res.body.sessions[0]).toEqual({
      id: firstSecond.id,
      chargerId: '3',
      energy: 1235,
      startTime: '2026-03-01T00:00:00.000Z',
      endTime: '2026-03-01T02:00:00.000Z',
      chargingDuration: 3600,
      quality: 'measured',
    });
  });

  it('serves every ended session with its quality mark, incomplete ones too (their energy is a lower bound)', async () => {
    const res = await get('/energsync/chargers/3/sessions?startDate=2026-05-01&endDate=2026-05-31').expect(200);
    expect(contractViolation('get', '/energsync/chargers/3/sessions', res)).toBeUndefined();
    expect(res.body.total).toBe(4);
    expect(res.body.sessions.map((s: { id: string; energy: number; quality: string | null }) => [s.id, s.energy, s.quality])).toEqual([
      [mayMarks[0]!.id, 4000, 'measured'],
      [mayMarks[1]!.id, 4001, 'corrected'],
      [mayMarks[2]!.id, 4002, 'incomplete'],
      [mayMarks[3]!.id, 4003, null],
    ]);
  });

  it('puts a session starting 23:59:59 UTC on endDate in, and one at 00:00:00 the next day out', async () => {
    const lastDay = await get('/energsync/chargers/3/sessions?startDate=2026-03-31&endDate=2026-03-31').expect(200);
    expect(lastDay.body.sessions.map((s: { id: string }) => s.id)).toEqual([lastSecond.id]);
    const nextDays = await get('/energsync/chargers/3/sessions?startDate=2026-04-01&endDate=2026-04-01').expect(200);
    expect(nextDays.body.sessions.map((s: { id: string }) => s.id)).toEqual([nextDay.id, edmontonMarch.id]);
    const february = await get('/energsync/chargers/3/sessions?startDate=2026-02-28&endDate=2026-02-28').expect(200);
    expect(february.body.sessions.map((s: { id: string }) => s.id)).toEqual([beforeMarch.id]);
  });

  it('reads the dates as UTC calendar dates, whatever the installation zone (America/Edmonton here)', async () => {
    const first = await get('/energsync/chargers/3/sessions?startDate=2026-03-01&endDate=2026-03-01').expect(200);
    expect(first.body.sessions.map((s: { id: string }) => s.id)).toEqual([firstSecond.id, edmontonFebruary.id]);
  });

  it('leaves out sessions still open, and other chargers', async () => {
    const res = await get(`/energsync/chargers/3/sessions?${MARCH}&pageSize=100`).expect(200);
    const seen = res.body.sessions.map((s: { id: string }) => s.id);
    expect(seen).not.toContain(stillOpen.id);
    expect(seen).not.toContain(otherCharger.id);
    const other = await get(`/energsync/chargers/4/sessions?${MARCH}`).expect(200);
    expect(other.body).toMatchObject({ total: 1, sessions: [{ id: otherCharger.id, chargerId: '4' }] });
  });

  it('pages sessions oldest first, with an empty page beyond the last', async () => {
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push((await get(`/energsync/chargers/3/sessions?${MARCH}&page=${page}`).expect(200)).body);
    expect(pages.map((p) => p.sessions.length)).toEqual([10, inMarch.length - 10, 0]);
    expect(pages.map((p) => p.total)).toEqual([inMarch.length, inMarch.length, inMarch.length]);
    expect(pages.flatMap((p) => p.sessions.map((s: { id: string }) => s.id))).toEqual(inMarch.map((s) => s.id));
  });

  it('refuses invalid dates with 400 problem+json', async () => {
    for (const query of [
      '',
      'endDate=2026-03-31',
      'startDate=2026-02-30',
      'startDate=2026-3-1',
      'startDate=2026-03-01T00:00:00Z',
      'startDate=2026-03-02&endDate=2026-03-01',
    ]) {
      const res = await get(`/energsync/chargers/3/sessions?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('gives a key narrowed to chargepoints only those chargers and their sessions', async () => {
    const listed = await get('/energsync/chargers', narrowedKey).expect(200);
    expect([ids(listed.body), listed.body.total]).toEqual([['3'], 1]);
    const asked = await get('/energsync/chargers?chargerIds=3,4', narrowedKey).expect(200);
    expect(ids(asked.body)).toEqual(['3']);
    await get('/energsync/chargers/4', narrowedKey).expect(403);
    await get(`/energsync/chargers/4/sessions?${MARCH}`, narrowedKey).expect(403);
    await get(`/energsync/chargers/3/sessions?${MARCH}`, narrowedKey).expect(200);
  });

  it('lets admins in (key and token), not read keys or users', async () => {
    await get('/energsync/chargers', gw.adminKey).expect(200);
    const admin = await login(gw, await addUser(gw, 'es-admin', 'admin'));
    await gw.http.get('/energsync/chargers').set(bearer(admin.accessToken)).expect(200);
    await get('/energsync/chargers', gw.readKey).expect(403);
    const user = await login(gw, await addUser(gw, 'es-user', 'user', ['3']));
    await gw.http.get('/energsync/chargers/3').set(bearer(user.accessToken)).expect(403);
    await gw.http.get('/energsync/chargers').expect(401);
  });

  it('refuses CLI keys narrowed to malformed chargepoint ids', async () => {
    const refused = await runNode('src/cli.ts', ['keys', 'create', '--name', 'x', '--scopes', 'energsync', '--chargepoints', '3,a b'], {
      DATABASE_URL: target.url,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('not chargepoint ids: "a b"');
  });

  it('lets an admin create an energsync key over the API, and no user', async () => {
    const admin = await login(gw, await addUser(gw, 'es-keymaker', 'admin'));
    const created = await gw.http
      .post('/api/v1/keys')
      .set(bearer(admin.accessToken))
      .send({ name: 'rewatt-api', scopes: ['energsync'], chargepoints: ['4'] })
      .expect(201);
    const listed = await get('/energsync/chargers', created.body.key as string).expect(200);
    expect(ids(listed.body)).toEqual(['4']);
    const user = await login(gw, await addUser(gw, 'es-user-keys', 'user', ['3']));
    await gw.http
      .post('/api/v1/keys')
      .set(bearer(user.accessToken))
      .send({ name: 'mine', scopes: ['energsync'] })
      .expect(403);
  });

  it('gives an energsync key 403 on every other operation of the spec', async () => {
    const others = specOperations().filter((o) => o.authentication !== 'none' && o.requiredScope !== 'energsync');
    expect(others.length).toBeGreaterThan(40);
    const reached: string[] = [];
    for (const operation of others) {
      let req = gw.http[operation.method](urlOf(operation)).set('x-api-key', energsyncKey);
      if (operation.method !== 'get') req = req.set('content-type', 'application/json').send('{}');
      const res = await req;
      if (res.status !== 403 || res.body.type !== '/problems/forbidden') reached.push(`${operation.operationId} → ${res.status}`);
    }
    expect(reached).toEqual([]);
  });
});

describe('where EnergSync is served', () => {
  it('serves it under ENERGSYNC_BASE_PATH (responses still keep the spec), and there only', async () => {
    const gw = await startAuthGateway({
      store: 'memory',
      env: { RECORDER_ENABLED: 'false', ENERGSYNC_BASE_PATH: '/rewatt/v1', ENERGSYNC_CHARGERS: '{"3":{"name":"Garage"}}' },
    });
    try {
      const listed = await gw.http.get('/rewatt/v1/chargers?chargerIds[]=3').set('x-api-key', gw.adminKey).expect(200);
      expect(contractViolation('get', '/energsync/chargers', listed)).toBeUndefined();
      expect(listed.body).toMatchObject({ total: 1, chargers: [{ id: '3', name: 'Garage' }] });
      const sessions = await gw.http.get('/rewatt/v1/chargers/3/sessions?startDate=2026-03-01').set('x-api-key', gw.adminKey).expect(200);
      expect(contractViolation('get', '/energsync/chargers/3/sessions', sessions)).toBeUndefined();
      expect((await gw.http.get('/rewatt/v1/chargers/x!').set('x-api-key', gw.adminKey)).status).toBe(400);
      await gw.http.get('/rewatt/v1/chargers').expect(401);
      await gw.http.get('/energsync/chargers').set('x-api-key', gw.adminKey).expect(404);
    } finally {
      await gw.close();
    }
  });

  it('serves nothing of it unless ENERGSYNC_ENABLED=true', async () => {
    const gw = await startAuthGateway({ store: 'memory', env: { RECORDER_ENABLED: 'false', ENERGSYNC_ENABLED: 'false' } });
    try {
      for (const path of ['/energsync/chargers', '/energsync/chargers/3', '/energsync/chargers/3/sessions?startDate=2026-03-01']) {
        const res = await gw.http.get(path).set('x-api-key', gw.adminKey);
        expect([path, res.status, res.body.type]).toEqual([path, 404, '/problems/not-found']);
      }
    } finally {
      await gw.close();
    }
  });
});
