import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/reports/canonical-json.ts';
import { resolvePeriod } from '../../../src/reports/period.ts';
import { assembleReport, fixed, type ReportBasis } from '../../../src/reports/report-data.ts';
import type { Session } from '../../../src/sessions/model.ts';
import { parseTariffSchedule } from '../../../src/sessions/tariff.ts';

const ZONE = 'Europe/Berlin';
const period = resolvePeriod({ month: '2026-11' }, ZONE, 0);
const tariff: ReportBasis = {
  kind: 'tariff',
  tariff: { pricePerKwh: 0.3, windows: parseTariffSchedule('22:00-06:00=0.22'), currency: 'EUR', timeZone: ZONE },
};
const flat: ReportBasis = { kind: 'flat', pricePerKwh: 0.3, currency: 'EUR', note: null };

function session(id: string, start: string, energy: number, fields: Partial<Session> = {}): Session {
  const startMs = Date.parse(start);
  return {
    id,
    chargepointId: '3',
    start: startMs,
    end: startMs + 3_600_000,
    energy,
    chargingMs: 3_600_000,
    meanPower: null,
    peakPower: null,
    socStart: null,
    socEnd: null,
    chargeModes: [],
    rfidTag: null,
    vehicle: { id: '1', name: 'e-Golf' },
    userId: null,
    cost: null,
    meterStart: null,
    meterLast: null,
    source: 'recorder',
    externalKey: null,
    lastSeenAt: startMs,
    lastCharging: false,
    quality: 'measured',
    ...fields,
  };
}

const report = (sessions: Session[], basis: ReportBasis = flat) =>
  assembleReport({ sessions, period, filter: {}, basis, vehiclePlates: new Map([['1', 'M-AB 123E']]) });

describe('report data', () => {
  it('rounds each session to whole Wh and cents (half up, exactly) and totals the rows as printed', () => {
    const data = report([
      session('b', '2026-11-02T10:00:00Z', 12_345.4), // 12.345 kWh × 0.30 = 3.7035 → 3.70
      session('a', '2026-11-02T10:00:00Z', 1_005.5), // 1.006 kWh × 0.30 = 0.3018 → 0.30
      session('c', '2026-11-03T10:00:00Z', 1_050), // 1.050 kWh × 0.30 = 0.315 → 0.32 (half up)
    ]);
    expect(data.rows.map((r) => [r.sessionId, r.energyWh, r.costCents, r.priceE4])).toEqual([
      ['a', 1_006, 30, 3_000],
      ['b', 12_345, 370, 3_000],
      ['c', 1_050, 32, 3_000],
    ]);
    expect(data.totals).toEqual({ sessions: 3, energyWh: 14_401, costCents: 432, sessionsWithoutCost: 0, durationMs: 3 * 3_600_000 });
    expect(data.vehicles).toEqual([{ id: '1', name: 'e-Golf', plate: 'M-AB 123E' }]);
  });

  it('under the tariff: recorded cost to cents, price = cost ÷ energy, averages and missing costs marked', () => {
    const data = report(
      [
        session('a', '2026-11-02T10:00:00Z', 10_000, { cost: 3 }),
        session('b', '2026-11-02T20:30:00Z', 10_000, { cost: 2.6 }), // 21:30–22:30 local: neither 0.30 nor 0.22
        session('c', '2026-11-03T10:00:00Z', 5_000, { cost: null }),
        session('d', '2026-11-04T10:00:00Z', 5_000, { cost: 1.3, source: 'chargelog', quality: null }), // openWB's own price
      ],
      tariff,
    );
    expect(data.rows.map((r) => [r.costCents, r.priceE4, r.marks])).toEqual([
      [300, 3_000, []],
      [260, 2_600, ['averagePrice']],
      [null, null, ['noCost']],
      [130, 2_600, ['imported']],
    ]);
    expect(data.totals).toMatchObject({ costCents: 690, sessionsWithoutCost: 1, energyWh: 30_000 });
  });

  it('marks open, corrected and not fully measured sessions, and counts a session for its corrected vehicle', () => {
    const by = { type: 'user' as const, id: 'u', name: 'alice' };
    const data = report([
      session('a', '2026-11-02T10:00:00Z', 1_000, { end: null }),
      session('b', '2026-11-03T10:00:00Z', 1_000, { quality: 'corrected' }),
      session('c', '2026-11-04T10:00:00Z', 1_000, { quality: 'incomplete' }),
      session('d', '2026-11-05T10:00:00Z', 1_000, { quality: null }),
      session('e', '2026-11-06T10:00:00Z', 1_000, { correction: { vehicle: { id: '2', name: 'Zoe' }, note: 'private', at: 5, by } }),
    ]);
    expect(data.rows.map((r) => r.marks)).toEqual([['open'], ['meterCorrected'], ['incomplete'], ['unrated'], ['corrected']]);
    expect(data.rows[0]!.durationMs).toBeNull();
    expect(data.rows[4]).toMatchObject({
      vehicleId: '2',
      correction: { recordedVehicle: { id: '1', name: 'e-Golf' }, vehicle: { id: '2', name: 'Zoe' }, note: 'private', by: 'alice' },
    });
    expect(data.vehicles.map((v) => v.name)).toEqual(['e-Golf', 'Zoe']);
    expect(data.totals.durationMs).toBe(4 * 3_600_000);
  });

  it('hashes a canonical JSON of period, filter, basis, rows and totals (the form the README documents)', () => {
    const data = report([session('00000000-0000-4000-8000-000000000001', '2026-11-02T10:00:00Z', 12_345.4, { meterStart: 1_000_000 })]);
    expect(data.canonical).toBe(
      '{"basis":{"currency":"EUR","kind":"flat","pricePerKwh":"0.300000"},' +
        '"filter":{"chargepoint":null,"tag":null,"user":null,"vehicle":null},' +
        '"format":"openwb-gateway/charging-report/1",' +
        '"period":{"end":"2026-11-30T23:00:00.000Z","start":"2026-10-31T23:00:00.000Z","timeZone":"Europe/Berlin"},' +
        '"rows":[{"chargepoint":"3","correction":null,"cost":"3.70","end":"2026-11-02T11:00:00.000Z","energyKwh":"12.345",' +
        '"marks":[],"meterEndKwh":null,"meterStartKwh":"1000.000","pricePerKwh":"0.3000","quality":"measured",' +
        '"session":"00000000-0000-4000-8000-000000000001","start":"2026-11-02T10:00:00.000Z","vehicle":"1"}],' +
        '"totals":{"cost":"3.70","energyKwh":"12.345","sessions":1,"sessionsWithoutCost":0}}',
    );
    expect(data.sha256).toBe(createHash('sha256').update(data.canonical, 'utf8').digest('hex'));
    // The same sessions in another order give the same report.
    const twice = [session('x', '2026-11-05T10:00:00Z', 1), session('y', '2026-11-04T10:00:00Z', 2)];
    expect(report(twice).sha256).toBe(report([...twice].reverse()).sha256);
  });

  it('writes fixed-point decimals from integers', () => {
    expect([fixed(12_345, 3), fixed(5, 3), fixed(0, 2), fixed(-150, 2), fixed(7, 0)]).toEqual(['12.345', '0.005', '0.00', '-1.50', '7']);
  });
});

describe('canonical JSON', () => {
  it('sorts keys by code unit, keeps array order, escapes strings, and holds integers only', () => {
    expect(canonicalJson({ b: [2, 1], a: 'ä"\n', B: null, é: true })).toBe('{"B":null,"a":"ä\\"\\n","b":[2,1],"é":true}');
    expect(() => canonicalJson({ price: 0.3 })).toThrow('integers only');
  });
});
