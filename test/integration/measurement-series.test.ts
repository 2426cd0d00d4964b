/**
 * /api/v1/series through a whole gateway on both databases: ownership, batches in any order, paged reads,
 * day buckets in a zone with DST (from the hourly rollups, and from the points in a half-hour zone), device
 * keys, retention, and the bounds of the spec (400, 413).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { pruneMeasurementPoints } from '../../src/measurements/retention.ts';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import type { TestGateway } from '../support/gateway.ts';

type Point = { time: string; fields: Record<string, number> };

/** Every 30 minutes from 24 to 27 October 2026 (Berlin leaves summer time on the 25th): temp rises by 1 a point. */
function autumnPoints(): Point[] {
  const points: Point[] = [];
  const start = Date.parse('2026-10-23T22:00:00Z'); // 24 Oct 00:00 in Berlin (CEST)
  for (let i = 0; i < 4 * 48 + 10; i++) {
    points.push({
      time: new Date(start + i * 1_800_000).toISOString(),
      fields: { temp_C: i, ...(i % 2 === 0 ? { batt_V: 3 + i / 1000 } : {}) },
    });
  }
  return points;
}

/** What the buckets must say, computed independently from the points: day buckets of `zone`. */
function expectedDays(points: readonly Point[], zone: string, from: string, days: number) {
  const out = [];
  let day = DateTime.fromISO(from, { zone });
  for (let d = 0; d < days; d++) {
    const next = day.plus({ days: 1 });
    const inside = points.filter((p) => Date.parse(p.time) >= day.toMillis() && Date.parse(p.time) < next.toMillis());
    const temps = inside.map((p) => p.fields.temp_C as number);
    out.push({
      start: day.toISO({ suppressMilliseconds: true }),
      count: temps.length,
      min: Math.min(...temps),
      max: Math.max(...temps),
      avg: temps.reduce((a, b) => a + b, 0) / temps.length,
      last: temps[temps.length - 1],
    });
    day = next;
  }
  return out;
}

describe.each(BOTH_DATABASES)('measurement series on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let jane: TestUser;
  let janeToken: string;
  let bobToken: string;
  let seriesId: string;
  const asJane = () => bearer(janeToken);

  beforeAll(async () => {
    target = await makeTarget('series');
    gw = await startAuthGateway({
      databaseUrl: target.url,
      store: 'memory',
      env: { RECORDER_ENABLED: 'false', TIME_ZONE: 'Europe/Berlin' },
    });
    jane = await addUser(gw, 'jane', 'user');
    janeToken = (await login(gw, jane)).accessToken;
    bobToken = (await login(gw, await addUser(gw, 'bob', 'user'))).accessToken;
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await target?.dispose();
  });

  it('creates series owned by their creator: users see their own, admins all, pages by cursor', async () => {
    const created = await gw.http
      .post('/api/v1/series')
      .set(asJane())
      .send({ description: 'Garden', deviceId: 'esp32-garden', units: { temp_C: '°C', batt_V: 'V' }, retentionDays: 365 })
      .expect(201);
    seriesId = created.body.id;
    expect(created.headers.location).toBe(`/api/v1/series/${seriesId}`);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      ownerId: jane.id,
      deviceDescription: '',
      pointCount: 0,
      firstPointAt: null,
    });
    const second = (
      await gw.http.post('/api/v1/series').set(asJane()).send({ description: 'Cellar', deviceId: 'esp32-cellar' }).expect(201)
    ).body;
    await gw.http.post('/api/v1/series').set(bearer(bobToken)).send({ description: 'Bob', deviceId: 'bob-1' }).expect(201);

    const first = await gw.http.get('/api/v1/series?limit=1').set(asJane()).expect(200);
    expect(first.body.items.map((s: { id: string }) => s.id)).toEqual([seriesId]);
    const rest = await gw.http.get(`/api/v1/series?limit=1&cursor=${first.body.nextCursor}`).set(asJane()).expect(200);
    expect(rest.body.items.map((s: { id: string }) => s.id)).toEqual([second.id]);
    expect(rest.body.nextCursor).toBeNull();
    expect((await gw.http.get('/api/v1/series').set('x-api-key', gw.adminKey).expect(200)).body.items).toHaveLength(3);

    await gw.http.get(`/api/v1/series/${seriesId}`).set(bearer(bobToken)).expect(404);
    await gw.http.delete(`/api/v1/series/${seriesId}`).set(bearer(bobToken)).expect(404);
    await gw.http.get(`/api/v1/series/${second.id}`).set('x-api-key', gw.adminKey).expect(200);
    await gw.http.delete(`/api/v1/series/${second.id}`).set(asJane()).expect(204);
    await gw.http.get(`/api/v1/series/${second.id}`).set(asJane()).expect(404);
  });

  it('stores batches in any order (UTC), pages them by time, and stamps points without a time', async () => {
    const points = autumnPoints();
    const shuffled = [...points.filter((_, i) => i % 2 === 1), ...points.filter((_, i) => i % 2 === 0)].map((p, i) =>
      i === 0 ? { ...p, time: DateTime.fromISO(p.time).setZone('America/New_York').toISO()! } : p,
    );
    const res = await gw.http.post(`/api/v1/series/${seriesId}/points`).set(asJane()).send({ points: shuffled }).expect(201);
    expect(res.body).toEqual({ written: points.length });
    await gw.http
      .post(`/api/v1/series/${seriesId}/points`)
      .set(bearer(bobToken))
      .send({ points: [{ fields: { x: 1 } }] })
      .expect(403);

    const seen: Point[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `from=2026-10-24&to=2026-10-29&limit=70${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await gw.http.get(`/api/v1/series/${seriesId}/points?${query}`).set(asJane()).expect(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(points.map((p) => ({ time: new Date(p.time).toISOString(), fields: p.fields })));

    const before = Date.now();
    await gw.http
      .post(`/api/v1/series/${seriesId}/points`)
      .set(asJane())
      .send({ points: [{ fields: { temp_C: 99 } }] })
      .expect(201);
    const recent = await gw.http.get(`/api/v1/series/${seriesId}/points`).set(asJane()).expect(200);
    expect(recent.body.items).toHaveLength(1);
    expect(Date.parse(recent.body.items[0].time)).toBeGreaterThanOrEqual(before - 1000);
    const series = (await gw.http.get(`/api/v1/series/${seriesId}`).set(asJane()).expect(200)).body;
    expect(series).toMatchObject({ pointCount: points.length + 1, firstPointAt: '2026-10-23T22:00:00.000Z' });
  });

  it('aggregates per day in a zone with DST from the rollups, and in a half-hour zone from the points, alike', async () => {
    const points = autumnPoints();
    const berlin = await gw.http
      .get(`/api/v1/series/${seriesId}/aggregates?from=2026-10-24&to=2026-10-28&interval=day&tz=Europe/Berlin&fields=temp_C`)
      .set(asJane())
      .expect(200);
    expect(berlin.body).toMatchObject({ seriesId, interval: 'day', timeZone: 'Europe/Berlin', fields: ['temp_C'] });
    const want = expectedDays(points, 'Europe/Berlin', '2026-10-24', 4);
    expect(want.map((d) => d.count)).toEqual([48, 50, 48, 48]); // the 25th has 25 hours
    expect(berlin.body.buckets).toEqual(
      want.map(({ start, ...f }) => ({ start, fields: { temp_C: { count: f.count, min: f.min, max: f.max, avg: f.avg, last: f.last } } })),
    );

    const months = await gw.http
      .get(`/api/v1/series/${seriesId}/aggregates?from=2026-10-01&to=2026-12-01&interval=month&tz=Europe/Berlin&fields=temp_C`)
      .set(asJane())
      .expect(200);
    expect(months.body.buckets).toEqual([
      {
        start: '2026-10-01T00:00:00+02:00',
        fields: { temp_C: { count: points.length, min: 0, max: points.length - 1, avg: (points.length - 1) / 2, last: points.length - 1 } },
      },
      { start: '2026-11-01T00:00:00+01:00', fields: { temp_C: { count: 0, min: null, avg: null, max: null, last: null } } },
    ]);
    const hours = await gw.http
      .get(
        `/api/v1/series/${seriesId}/aggregates?from=2026-10-25T01:00:00%2B02:00&to=2026-10-25T04:00:00%2B01:00&interval=hour&tz=Europe/Berlin&fields=temp_C`,
      )
      .set(asJane())
      .expect(200);
    // The fall-back night: 02:00 twice, each hour its own bucket.
    expect(
      hours.body.buckets.map((b: { start: string; fields: { temp_C: { count: number } } }) => [b.start, b.fields.temp_C.count]),
    ).toEqual([
      ['2026-10-25T01:00:00+02:00', 2],
      ['2026-10-25T02:00:00+02:00', 2],
      ['2026-10-25T02:00:00+01:00', 2],
      ['2026-10-25T03:00:00+01:00', 2],
    ]);

    // Another whole-hour zone than the series' day zone: its hourly rollups grouped into New York's days by the database.
    const newYork = await gw.http
      .get(`/api/v1/series/${seriesId}/aggregates?from=2026-10-24&to=2026-10-28&tz=America/New_York&fields=temp_C`)
      .set(asJane())
      .expect(200);
    const wantNewYork = expectedDays(points, 'America/New_York', '2026-10-24', 4);
    expect(newYork.body.buckets).toEqual(
      wantNewYork.map(({ start, ...f }) => ({
        start,
        fields: { temp_C: { count: f.count, min: f.min, max: f.max, avg: f.avg, last: f.last } },
      })),
    );

    const kolkata = await gw.http
      .get(`/api/v1/series/${seriesId}/aggregates?from=2026-10-24&to=2026-10-28&tz=Asia/Kolkata`)
      .set(asJane())
      .expect(200);
    expect(kolkata.body.fields).toEqual(['batt_V', 'temp_C']);
    const wantKolkata = expectedDays(points, 'Asia/Kolkata', '2026-10-24', 4);
    expect(kolkata.body.buckets.map((b: { fields: { temp_C: object } }) => b.fields.temp_C)).toEqual(
      wantKolkata.map(({ start: _s, ...f }) => ({ count: f.count, min: f.min, max: f.max, avg: f.avg, last: f.last })),
    );
    const empty = await gw.http
      .get(`/api/v1/series/${seriesId}/aggregates?from=2026-01-01&to=2026-01-02&fields=temp_C`)
      .set(asJane())
      .expect(200);
    expect(empty.body.buckets).toEqual([
      { start: '2026-01-01T00:00:00+01:00', fields: { temp_C: { count: 0, min: null, avg: null, max: null, last: null } } },
    ]);
    await gw.http.get(`/api/v1/series/${seriesId}/aggregates?from=2000-01-01&to=2026-01-01&interval=hour`).set(asJane()).expect(400);
  });

  it('refuses what the spec bounds: non-finite numbers, too many fields or points, bad names, 10 MB', async () => {
    const write = (body: string) =>
      gw.http.post(`/api/v1/series/${seriesId}/points`).set(asJane()).set('content-type', 'application/json').send(body);
    const nonFinite = await write('{"points":[{"fields":{"temp_C":1e999}}]}').expect(400);
    expect(nonFinite.headers['content-type']).toMatch(/^application\/problem\+json/);
    await write('{"points":[{"fields":{"temp_C":"13.5"}}]}').expect(400);
    await write('{"points":[{"fields":{"temp_C":NaN}}]}').expect(400);
    const fields = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i]));
    await write(JSON.stringify({ points: [{ fields }] })).expect(400);
    const many = Array.from({ length: 5001 }, () => ({ fields: { a: 1 } }));
    await write(JSON.stringify({ points: many })).expect(400);
    expect((await write('{"points":[{"fields":{"1abc":1}}]}').expect(400)).body.detail).toMatch(/field name/);
    await write('{"points":[{"time":"2026-10-24T00:00:00","fields":{"a":1}}]}').expect(400);
    await write('{"points":[{"fields":{}}]}').expect(400);
    const big = await write(JSON.stringify({ points: [{ fields: { a: 1 } }], pad: 'x'.repeat(10 * 1024 * 1024) })).expect(413);
    expect(big.body).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
    await gw.http
      .post('/api/v1/series')
      .set(asJane())
      .send({ description: 'x'.repeat(201), deviceId: 'd' })
      .expect(400);
    await gw.http
      .post('/api/v1/series')
      .set(asJane())
      .send({ description: 'd', deviceId: 'd', units: { 'bad name': 'V' } })
      .expect(400);
    const series = (await gw.http.get(`/api/v1/series/${seriesId}`).set(asJane()).expect(200)).body;
    expect(series.pointCount).toBe(autumnPoints().length + 1);
  });

  it('binds a device key to one series: it writes and reads that series only, and dies with it', async () => {
    const other = (await gw.http.post('/api/v1/series').set(asJane()).send({ description: 'Other', deviceId: 'o' }).expect(201)).body.id;
    const device = (await gw.http.post('/api/v1/series').set(asJane()).send({ description: 'Device', deviceId: 'dev' }).expect(201)).body
      .id;
    await gw.http.post(`/api/v1/series/${device}/keys`).set(bearer(bobToken)).send({ name: 'esp' }).expect(404);
    const made = await gw.http.post(`/api/v1/series/${device}/keys`).set(asJane()).send({ name: 'esp' }).expect(201);
    expect(made.body.apiKey).toMatchObject({ scopes: ['device'], device: { kind: 'series', id: device }, userId: jane.id });
    const key = made.body.key as string;

    await gw.http
      .post(`/api/v1/series/${device}/points`)
      .set('x-api-key', key)
      .send({ points: [{ fields: { t: 1 } }] })
      .expect(201);
    await gw.http.get(`/api/v1/series/${device}/points`).set('x-api-key', key).expect(200);
    await gw.http.get(`/api/v1/series/${device}/aggregates`).set('x-api-key', key).expect(200);
    await gw.http.get(`/api/v1/series/${device}`).set('x-api-key', key).expect(200);
    const refused = await gw.http
      .post(`/api/v1/series/${other}/points`)
      .set('x-api-key', key)
      .send({ points: [{ fields: { t: 1 } }] })
      .expect(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    await gw.http.get(`/api/v1/series/${other}/points`).set('x-api-key', key).expect(403);
    await gw.http.get('/api/v1/series').set('x-api-key', key).expect(403);
    await gw.http.delete(`/api/v1/series/${device}`).set('x-api-key', key).expect(403);
    await gw.http.post(`/api/v1/series/${device}/keys`).set('x-api-key', key).send({ name: 'copy' }).expect(403);

    await gw.http.delete(`/api/v1/series/${device}`).set(asJane()).expect(204);
    await gw.http.get(`/api/v1/series/${device}/points`).set('x-api-key', key).expect(401);
  });

  it('prunes points older than the retention at a whole hour, with their rollups and counts', async () => {
    const id = (
      await gw.http.post('/api/v1/series').set(asJane()).send({ description: 'Short', deviceId: 's', retentionDays: 1 }).expect(201)
    ).body.id;
    const now = Date.parse('2026-11-10T12:30:00Z');
    const points = Array.from({ length: 72 }, (_, h) => ({ time: new Date(now - (71 - h) * 3_600_000).toISOString(), fields: { v: h } }));
    await gw.http.post(`/api/v1/series/${id}/points`).set(asJane()).send({ points }).expect(201);
    expect(await pruneMeasurementPoints(target.db, now)).toBe(47); // before 2026-11-09T12:00Z
    const series = (await gw.http.get(`/api/v1/series/${id}`).set(asJane()).expect(200)).body;
    expect(series).toMatchObject({ pointCount: 25, firstPointAt: '2026-11-09T12:30:00.000Z', lastPointAt: '2026-11-10T12:30:00.000Z' });
    const days = await gw.http.get(`/api/v1/series/${id}/aggregates?from=2026-11-01&to=2026-11-11&tz=UTC`).set(asJane()).expect(200);
    const counts = days.body.buckets.map((b: { fields: { v?: { count: number } } }) => b.fields.v?.count ?? 0);
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(25);
    // The series' own zone reads its day rollups: the cut day was recomputed from the points left.
    const berlin = await gw.http
      .get(`/api/v1/series/${id}/aggregates?from=2026-11-01&to=2026-11-11&tz=Europe/Berlin`)
      .set(asJane())
      .expect(200);
    const byDay = berlin.body.buckets.map((b: { fields: { v?: { count: number; min: number } } }) => b.fields.v?.count ?? 0);
    expect(byDay.slice(8)).toEqual([11, 14]); // 9 Nov from 13:30 Berlin time, 10 Nov up to 13:30
    expect(berlin.body.buckets[8].fields.v.min).toBe(47);
  });
});
