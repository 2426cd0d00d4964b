import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileRepository } from '../../src/profiles/profile-repository.ts';
import type { Session } from '../../src/sessions/model.ts';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { addUser, bearer, login, startAuthGateway, type TestUser } from '../support/auth.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import type { TestGateway } from '../support/gateway.ts';
import { pdfInfo, pdfText, renderPages } from '../support/pdf.ts';

const REPORT = '/api/v1/sessions/report.pdf';
const HOUR = 3_600_000;

function session(id: number, fields: Partial<Session> & Pick<Session, 'start' | 'energy'>): Session {
  return {
    id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    chargepointId: '3',
    end: fields.start + 2 * HOUR,
    chargingMs: HOUR,
    meanPower: null,
    peakPower: 11_000,
    socStart: null,
    socEnd: null,
    chargeModes: ['instant'],
    rfidTag: 'A1B2',
    vehicle: { id: '1', name: 'e-Golf' },
    userId: null,
    cost: null,
    meterStart: null,
    meterLast: null,
    source: 'recorder',
    externalKey: null,
    lastSeenAt: fields.start,
    lastCharging: false,
    quality: 'measured',
    ...fields,
  };
}

/** Alice's November 2026 on chargepoint 3 (Europe/Berlin, UTC+1), Bob's on chargepoint 4, and the edges of the month. */
const alice = [
  session(1, {
    start: Date.parse('2026-11-02T17:00:00Z'),
    end: Date.parse('2026-11-02T19:15:00Z'),
    energy: 12_345.4,
    meterStart: 1_000_000,
    meterLast: 1_012_345.4,
    cost: 3.7036,
  }),
  session(2, {
    start: Date.parse('2026-11-14T21:30:00Z'),
    end: Date.parse('2026-11-15T05:10:00Z'),
    energy: 30_000,
    meterStart: 1_012_345.4,
    meterLast: 1_042_345.4,
    cost: 6.78,
    quality: 'corrected',
  }),
  session(3, {
    start: Date.parse('2026-11-20T07:00:00Z'),
    energy: 7_500,
    cost: 2.25,
    source: 'chargelog',
    externalKey: 'chargelog:3:x',
    quality: null,
  }),
  session(4, {
    start: Date.parse('2026-11-30T22:30:00Z'),
    end: null,
    energy: 1_000,
    meterStart: 1_050_000,
    meterLast: 1_051_000,
    quality: 'incomplete',
  }),
];
const outside = [
  session(5, { start: Date.parse('2026-10-31T22:59:59Z'), energy: 4_000, cost: 1.2 }),
  session(6, { start: Date.parse('2026-11-30T23:00:00Z'), energy: 4_000, cost: 1.2 }),
];
const bob = [session(7, { start: Date.parse('2026-11-05T16:00:00Z'), energy: 5_000, chargepointId: '4', rfidTag: 'B0B0', cost: 1.5 })];
/** 150 sessions in 2025 on chargepoint 5: a report of several pages. */
const year2025 = Array.from({ length: 150 }, (_, i) =>
  session(100 + i, {
    start: Date.parse('2025-01-01T08:00:00Z') + i * 58 * HOUR,
    energy: 1_000 + i * 100,
    chargepointId: '5',
    vehicle: { id: '2', name: 'Zoe' },
    meterStart: 2_000_000 + i * 20_000,
    meterLast: 2_000_000 + i * 20_000 + 1_000 + i * 100,
  }),
);

const FLAT_ENV = {
  RECORDER_ENABLED: 'false',
  TIME_ZONE: 'Europe/Berlin',
  REPORT_OPERATOR_NAME: 'Jürgen Weiß',
  REPORT_OPERATOR_ADDRESS: 'Großbeerenstraße 12; 80331 München',
  REPORT_METER_NOTE: 'MID-konformer Zähler',
  REPORT_FLAT_RATE_PER_KWH: '0.30',
  REPORT_FLAT_RATE_NOTE: 'Vereinbarung vom 1. Januar 2026',
  REPORT_VEHICLE_PLATES: '1=LÖ-EV 123E,2=FÜ-ZO 42E',
};

/** Chargepoint 6 on the night summer time ends (2026-10-25, Berlin): both start at 02:30 local time, an hour apart. */
const autumn = [
  session(901, { chargepointId: '6', start: Date.parse('2026-10-25T00:30:00Z'), end: Date.parse('2026-10-25T01:10:00Z'), energy: 2_000 }),
  session(902, { chargepointId: '6', start: Date.parse('2026-10-25T01:30:00Z'), end: Date.parse('2026-10-25T03:00:00Z'), energy: 3_000 }),
];

const TARIFF_ENV = {
  RECORDER_ENABLED: 'false',
  TIME_ZONE: 'Europe/Berlin',
  TARIFF_PRICE_PER_KWH: '0.30',
  TARIFF_SCHEDULE: '22:00-06:00=0.22',
};

/** The text with every run of white space (line breaks of wrapped paragraphs too) as one space. */
const prose = (text: string) => text.replace(/\s+/g, ' ');

/** A line of the text holding these cells in this order, separated by layout spaces only. */
function rowOf(text: string, cells: string[]): string | undefined {
  const escaped = cells.map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^\\s*${escaped.join('\\s+')}\\s*$`, 'm').exec(text)?.[0];
}

describe.each(BOTH_DATABASES)('PDF charging report on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let flat: TestGateway;
  let tariff: TestGateway;
  let aliceUser: TestUser;
  let aliceAuth: Record<string, string>;
  let bobAuth: Record<string, string>;

  const pdf = async (gw: TestGateway, query: string, auth: Record<string, string> = { 'x-api-key': gw.adminKey }) => {
    const res = await gw.http.get(`${REPORT}${query}`).set(auth).responseType('blob').expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    return { body: res.body as Buffer, headers: res.headers as Record<string, string> };
  };

  beforeAll(async () => {
    target = await makeTarget('sessions_report');
    const repository = new SessionRepository(target.db);
    for (const s of [...alice, ...outside, ...bob, ...year2025, ...autumn]) await repository.upsert(s);
    flat = await startAuthGateway({ databaseUrl: target.url, store: 'memory', env: FLAT_ENV });
    tariff = await startAuthGateway({ databaseUrl: target.url, store: 'memory', env: TARIFF_ENV });
    aliceUser = await addUser(flat, 'alice', 'user', ['3', '4', '5']);
    const bobUser = await addUser(flat, 'bob', 'user', ['3', '4']);
    for (const s of [...alice, ...outside]) await repository.attributeUser(s.id, aliceUser.id);
    for (const s of bob) await repository.attributeUser(s.id, bobUser.id);
    await new ProfileRepository(target.db).insert({
      id: '00000000-0000-4000-8000-0000000000a1',
      userId: aliceUser.id,
      userName: null,
      name: 'Alices Dienstwagen',
      tags: ['A1B2'],
      chargepoints: [],
      preset: { vehicleId: '1' },
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    aliceAuth = bearer((await login(flat, aliceUser)).accessToken);
    bobAuth = bearer((await login(flat, bobUser)).accessToken);
  });
  afterAll(async () => {
    await flat?.close();
    await tariff?.close();
    await target?.dispose();
  });

  it("reports a user's month in German at the flat rate: header, rows, totals, rate, period, checksum", async () => {
    const { body, headers } = await pdf(flat, '?month=2026-11', aliceAuth);
    expect(headers['content-disposition']).toBe('attachment; filename="Ladenachweis-2026-11.pdf"');
    expect(headers['x-report-id']).toMatch(/^OWG-\d{8}-\d{6}-[0-9a-f]{8}$/);
    expect(headers['x-report-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const text = pdfText(body);
    const words = prose(text);
    // Umlauts of the configuration survive, as do the period and the subject.
    for (const expected of [
      'Jürgen Weiß',
      'Großbeerenstraße 12',
      '80331 München',
      'Nachweis über das Laden eines Dienstwagens',
      'November 2026 (01.11.2026 – 30.11.2026)',
      'LÖ-EV 123E',
      'Alices Dienstwagen',
      'Ladepunkt 3 – MID-konformer Zähler',
      'Pauschale von 0,3000 €/kWh je geladener Kilowattstunde, vom Betreiber festgelegt (Vereinbarung vom 1. Januar 2026)',
      'Seite 1 von 1',
    ]) {
      expect(words).toContain(expected);
    }
    expect(text).toMatch(/Nutzer\s+alice/);
    expect(text).toMatch(/Fahrzeug\s+e-Golf/);
    // One row per session: no., date, start, end, duration, kWh, meter at start and end, price, cost, note.
    expect(rowOf(text, ['1', '02.11.2026', '18:00', '20:15', '2:15', '12,345', '1.000,000', '1.012,345', '0,3000', '3,70'])).toBeDefined();
    expect(
      rowOf(text, ['2', '14.11.2026', '22:30', '06:10 +1', '7:40', '30,000', '1.012,345', '1.042,345', '0,3000', '9,00', 'b']),
    ).toBeDefined();
    expect(rowOf(text, ['3', '20.11.2026', '08:00', '10:00', '2:00', '7,500', '–', '–', '0,3000', '2,25', 'd'])).toBeDefined();
    expect(
      rowOf(text, ['4', '30.11.2026', '23:30', 'läuft', '–', '1,000', '1.050,000', '1.051,000', '0,3000', '0,30', 'a,c']),
    ).toBeDefined();
    expect(text).not.toContain('01.12.2026'); // the session at midnight belongs to December
    expect(text).not.toMatch(/31\.10\.2026\s+23:59/);
    // Totals: the sums of the rows as printed.
    expect(rowOf(text, ['Summe (4)', '11:55', '50,845', '15,25'])).toBeDefined();
    expect(text).toMatch(/Ladevorgänge\s+4/);
    expect(text).toMatch(/Geladene Energie\s+50,845 kWh/);
    expect(text).toMatch(/Erstattungsbetrag\s+15,25 €/);
    expect(text).toMatch(/a\s+Der Ladevorgang lief bei Erstellung noch/);
    expect(text).toMatch(/b\s+Energie bereinigt: unplausible Zählerwerte/);
    expect(text).toMatch(/c\s+Unvollständig: Der Zähler wurde während des Ladevorgangs zurückgesetzt/);
    expect(text).toMatch(/d\s+Aus dem Ladeprotokoll von openWB übernommen/);
    expect(text).not.toContain('Korrekturen');
    expect(text).toContain(`SHA-256 der Berichtsdaten: ${headers['x-report-sha256']}`);
    expect(text).toContain(`Dokument-Nr. ${headers['x-report-id']}`);
    expect(text).toContain('Unterschrift Arbeitnehmer/in');
    const info = pdfInfo(body);
    expect(info['Pages']).toBe('1');
    expect(info['Page size']).toMatch(/^595\.\d+ x 841\.\d+ pts \(A4\)/);
    expect(info['Title']).toBe('Nachweis über das Laden eines Dienstwagens – November 2026');
    expect(renderPages(body)).toHaveLength(1);
  });

  it('reports in English under the actual tariff with its time-of-day window, marking averages and missing costs', async () => {
    const { body, headers } = await pdf(tariff, `?month=2026-11&lang=en&user=${aliceUser.id}`);
    expect(headers['content-disposition']).toBe('attachment; filename="charging-report-2026-11.pdf"');
    const text = pdfText(body);
    expect(text).toContain('Company car charging statement');
    expect(text).toContain('November 2026 (01/11/2026 – 30/11/2026)');
    expect(prose(text)).toContain('Actual electricity tariff: €0.3000/kWh; instead 22:00–06:00 €0.2200/kWh (local time,');
    expect(rowOf(text, ['1', '02/11/2026', '18:00', '20:15', '2:15', '12.345', '1,000.000', '1,012.345', '0.3000', '3.70'])).toBeDefined();
    expect(
      rowOf(text, ['2', '14/11/2026', '22:30', '06:10 +1', '7:40', '30.000', '1,012.345', '1,042.345', '0.2260', '6.78', 'b,f']),
    ).toBeDefined();
    expect(rowOf(text, ['3', '20/11/2026', '08:00', '10:00', '2:00', '7.500', '–', '–', '0.3000', '2.25', 'd'])).toBeDefined();
    expect(rowOf(text, ['4', '30/11/2026', '23:30', 'running', '–', '1.000', '1,050.000', '1,051.000', '–', '–', 'a,c,e'])).toBeDefined();
    expect(rowOf(text, ['Total (4)', '11:55', '50.845', '12.73'])).toBeDefined();
    expect(text).toMatch(/Amount to reimburse\s+€12\.73/);
    expect(text).toMatch(/b\s+Energy cleaned: implausible meter readings/);
    expect(text).toMatch(/c\s+Incomplete: the meter was reset or replaced during the session/);
    expect(text).toMatch(/e\s+No cost was recorded for the session/);
    expect(text).toMatch(/f\s+Average price: the session spanned several tariff periods/);
    expect(text).toContain('1 session without cost is not included.');
    expect(text).toContain('Page 1 of 1');
  });

  it('names the zone of a time in the hour repeated when summer time ends (02:30 MESZ, then 02:30 MEZ)', async () => {
    const german = pdfText((await pdf(flat, '?month=2026-10&chargepoint=6')).body);
    expect(rowOf(german, ['1', '25.10.2026', '02:30 MESZ', '02:10 MEZ', '0:40', '2,000', '–', '–', '0,3000', '0,60'])).toBeDefined();
    expect(rowOf(german, ['2', '25.10.2026', '02:30 MEZ', '04:00', '1:30', '3,000', '–', '–', '0,3000', '0,90'])).toBeDefined();
    const english = pdfText((await pdf(flat, '?month=2026-10&chargepoint=6&lang=en')).body);
    expect(rowOf(english, ['1', '25/10/2026', '02:30 CEST', '02:10 CET', '0:40', '2.000', '–', '–', '0.3000', '0.60'])).toBeDefined();
    expect(rowOf(english, ['2', '25/10/2026', '02:30 CET', '04:00', '1:30', '3.000', '–', '–', '0.3000', '0.90'])).toBeDefined();
    // Times outside that hour stay as they were.
    expect(german).not.toMatch(/04:00 ME/);
  });

  it('lays a year of 150 sessions out over several pages, every page rendered and numbered, every row present', async () => {
    const { body } = await pdf(flat, '?year=2025&chargepoint=5&signatures=false');
    const pages = Number(pdfInfo(body)['Pages']);
    expect(pages).toBeGreaterThanOrEqual(3);
    const rendered = renderPages(body);
    expect(rendered).toHaveLength(pages);
    for (const size of rendered) expect(size).toBeGreaterThan(1_000); // not blank
    const text = pdfText(body);
    const pageTexts = text.split('\f').filter((page) => page.trim());
    expect(pageTexts).toHaveLength(pages);
    pageTexts.forEach((page, i) => expect(page).toContain(`Seite ${i + 1} von ${pages}`));
    const numbers = [...text.matchAll(/^\s*(\d+)\s+\d\d\.\d\d\.2025\s/gm)].map((match) => Number(match[1]));
    expect(numbers).toEqual(year2025.map((_, i) => i + 1));
    const energyWh = year2025.reduce((sum, s) => sum + s.energy, 0);
    expect(text).toMatch(new RegExp(`Geladene Energie\\s+${(energyWh / 1000).toLocaleString('de-DE', { minimumFractionDigits: 3 })} kWh`));
    expect(text).toContain('FÜ-ZO 42E');
    expect(text).not.toContain('Unterschrift Arbeitnehmer/in');
  });

  it('gives the same checksum for the same data: in either language, created later, or asked by an admin for the user', async () => {
    const own = await pdf(flat, '?month=2026-11', aliceAuth);
    const admin = await pdf(flat, `?month=2026-11&user=${aliceUser.id}&lang=en`);
    expect(admin.headers['x-report-sha256']).toBe(own.headers['x-report-sha256']);
    const underTariff = await pdf(flat, `?month=2026-11&user=${aliceUser.id}&basis=tariff`);
    expect(underTariff.headers['x-report-sha256']).not.toBe(own.headers['x-report-sha256']);
  });

  it("never shows a user another user's sessions", async () => {
    const { body } = await pdf(flat, '?month=2026-11', bobAuth);
    const text = pdfText(body);
    expect(rowOf(text, ['1', '05.11.2026', '17:00', '19:00', '2:00', '5,000', '–', '–', '0,3000', '1,50'])).toBeDefined();
    expect(text).toMatch(/Summe \(1\)/);
    expect(text).not.toContain('02.11.2026');
    expect(text).not.toContain('Alices Dienstwagen');
    const tagged = pdfText((await pdf(flat, '?month=2026-11&tag=A1B2', bobAuth)).body);
    expect(tagged).toContain('Im Zeitraum gibt es keine Ladevorgänge.');
    expect(tagged).not.toContain('Alices Dienstwagen');
    const other = await flat.http.get(`${REPORT}?month=2026-11&user=${aliceUser.id}`).set(bobAuth).expect(403);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body.detail).toMatch(/^user:/);
    await flat.http.get(`${REPORT}?month=2026-11&chargepoint=5`).set(bobAuth).expect(403);
    const all = pdfText((await pdf(flat, '?month=2026-11')).body);
    expect(all).toMatch(/Summe \(5\)/);
    expect(all).toContain('Ladepunkt 3, Ladepunkt 4 – MID-konformer Zähler');
  });

  it.each([
    ['?month=2026-13', 'month'],
    ['?month=2026-11&year=2026', 'month'],
    ['?quarter=2026-Q5', 'quarter'],
    ['?year=1999', 'year'],
    ['?from=2026-11-01', 'to'],
    ['?to=2026-11-01', 'from'],
    ['?from=2026-11-10&to=2026-11-01', 'to'],
    ['?from=2026-11-31&to=2026-12-02', 'from'],
    ['?month=2026-11&from=2026-11-01&to=2026-12-01', 'month'],
    ['?tz=Mars%2FOlympus', 'tz'],
    ['?lang=fr', 'lang'],
    ['?basis=cheap', 'basis'],
    ['?signatures=perhaps', 'signatures'],
    ['?user=alice', 'user'],
    ['?chargepoint=3%3B', 'chargepoint'],
    ['?format=xlsx', 'format'],
  ])('answers %s with a 400 problem naming %s', async (query, name) => {
    const res = await flat.http.get(`${REPORT}${query}`).set('x-api-key', flat.adminKey).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain(name);
  });

  it('marks a session its user corrected, lists the correction beside the recorded vehicle, and the checksum follows', async () => {
    const before = await pdf(flat, '?month=2026-11', aliceAuth);
    await flat.http.patch(`/api/v1/sessions/${alice[1]!.id}`).set(aliceAuth).send({ vehicleId: '2', note: 'Privatfahrt' }).expect(200);
    const after = await pdf(flat, '?month=2026-11', aliceAuth);
    expect(after.headers['x-report-sha256']).not.toBe(before.headers['x-report-sha256']);
    const text = pdfText(after.body);
    expect(
      rowOf(text, ['2', '14.11.2026', '22:30', '06:10 +1', '7:40', '30,000', '1.012,345', '1.042,345', '0,3000', '9,00', 'b,c']),
    ).toBeDefined();
    expect(text).toMatch(/b\s+Vom Nutzer nachträglich korrigiert/);
    expect(prose(text)).toMatch(
      /Korrekturen Nr\. 2 \(14\.11\.2026\): Fahrzeug „#2“ statt „e-Golf“; Notiz „Privatfahrt“; korrigiert am \d\d\.\d\d\.\d{4} \d\d:\d\d von alice\./,
    );
    expect(text).toMatch(/Fahrzeug\s+e-Golf, #2/);
    // The vehicle filter follows the correction: the company car's report no longer holds the private trip.
    const companyCar = pdfText((await pdf(flat, '?month=2026-11&vehicle=1', aliceAuth)).body);
    expect(companyCar).not.toContain('14.11.2026');
    expect(companyCar).toMatch(/Summe \(3\)/);
    await flat.http.patch(`/api/v1/sessions/${alice[1]!.id}`).set(aliceAuth).send({ vehicleId: null, note: null }).expect(200);
    expect((await pdf(flat, '?month=2026-11', aliceAuth)).headers['x-report-sha256']).toBe(before.headers['x-report-sha256']);
  });

  it('answers basis=flat without a configured flat rate with 400, and needs credentials', async () => {
    const res = await tariff.http.get(`${REPORT}?basis=flat`).set('x-api-key', tariff.readKey).expect(400);
    expect(res.body.detail).toMatch(/^basis: no flat rate is configured/);
    await tariff.http.get(REPORT).expect(401);
  });
});
