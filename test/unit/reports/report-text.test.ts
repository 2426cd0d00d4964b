import { describe, expect, it } from 'vitest';
import { winAnsi } from '../../../src/reports/pdf/win-ansi.ts';
import { resolvePeriod } from '../../../src/reports/period.ts';
import { ReportText } from '../../../src/reports/report-text.ts';
import { parseAddress, parseVehiclePlates } from '../../../src/reports/settings.ts';
import { parseTariffSchedule } from '../../../src/sessions/tariff.ts';

const de = new ReportText('de', 'Europe/Berlin', 'EUR');
const en = new ReportText('en', 'Europe/Berlin', 'EUR');

describe('report text', () => {
  it('formats figures as Germany and the United Kingdom write them', () => {
    expect([de.kwh(1_234_567), de.cents(123_456), de.amount(123_456), de.pricePerKwh(0.3)]).toEqual([
      '1.234,567',
      '1.234,56',
      '1.234,56\u00a0€', // Intl: a no-break space, which WinAnsi has
      '0,3000 €/kWh',
    ]);
    expect([en.kwh(1_234_567), en.cents(123_456), en.amount(123_456), en.pricePerKwh(0.3)]).toEqual([
      '1,234.567',
      '1,234.56',
      '€1,234.56',
      '€0.3000/kWh',
    ]);
    expect(de.column('price')).toBe('Preis\n€/kWh');
    expect([de.duration(7 * 3_600_000 + 40 * 60_000), de.duration(59_000)]).toEqual(['7:40', '0:01']);
  });

  it('writes local dates and times, right on both sides of a daylight-saving change', () => {
    const beforeChange = Date.parse('2026-03-29T00:30:00Z'); // 01:30 CET
    const afterChange = Date.parse('2026-03-29T01:30:00Z'); // 03:30 CEST
    expect([de.dateTime(beforeChange), de.dateTime(afterChange)]).toEqual(['29.03.2026 01:30', '29.03.2026 03:30']);
    expect(en.dateTime(Date.parse('2026-10-25T23:30:00Z'))).toBe('26/10/2026 00:30');
    expect(de.daysBetween(Date.parse('2026-11-14T21:30:00Z'), Date.parse('2026-11-15T05:10:00Z'))).toBe(1);
    expect(de.daysBetween(Date.parse('2026-11-14T22:59:00Z'), Date.parse('2026-11-14T23:00:00Z'))).toBe(1);
    expect(de.daysBetween(Date.parse('2026-11-14T10:00:00Z'), Date.parse('2026-11-14T22:00:00Z'))).toBe(0);
  });

  it('names periods and states the basis in words', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(de.periodName(resolvePeriod({ month: '2026-03' }, 'Europe/Berlin', now))).toBe('März 2026');
    expect(en.periodName(resolvePeriod({ quarter: '2026-Q4' }, 'Europe/Berlin', now))).toBe('Q4 2026');
    expect(de.periodName(resolvePeriod({ quarter: '2026-Q4' }, 'Europe/Berlin', now))).toBe('4. Quartal 2026');
    expect(de.periodName(resolvePeriod({ from: '2026-11-01', to: '2026-11-16' }, 'Europe/Berlin', now))).toBe('01.11.2026 – 15.11.2026');
    const tariff = { pricePerKwh: 0.3, windows: parseTariffSchedule('22:00-06:00=0.22'), currency: 'EUR', timeZone: 'Europe/Berlin' };
    expect(de.basis({ kind: 'tariff', tariff })).toMatch(
      /^Tatsächlicher Stromtarif: 0,3000 €\/kWh; abweichend 22:00–06:00 Uhr 0,2200 €\/kWh \(Ortszeit Europe\/Berlin\)\./,
    );
    expect(en.basis({ kind: 'flat', pricePerKwh: 0.25, currency: 'EUR', note: 'tax office' })).toMatch(
      /^Flat rate of €0\.2500\/kWh per kilowatt-hour charged, set by the operator \(tax office\)\./,
    );
    expect(en.basis({ kind: 'tariff', tariff: { ...tariff, pricePerKwh: null } })).toBe(
      'No electricity tariff is configured: the costs are not known.',
    );
  });
});

describe('WinAnsi text for the standard font', () => {
  it('keeps German, French and typographic characters, strips other accents, and never draws a wrong glyph', () => {
    expect(winAnsi('Jürgen Weiß, Straße 1 – „Zoë“ 12 € … Œuvre')).toBe('Jürgen Weiß, Straße 1 – „Zoë“ 12 € … Œuvre');
    expect(winAnsi('Łódź Kraków Dvořák')).toBe('Lódz Kraków Dvorák');
    expect(winAnsi('a→b 1\u202f000 −5')).toBe('a->b 1 000 -5');
    expect(winAnsi('東京 ✓')).toBe('?? ?');
  });
});

describe('report settings', () => {
  it('reads licence plates by vehicle id and address lines', () => {
    expect([...parseVehiclePlates('1=M-AB 123E, 2 = LÖ-EV 9')]).toEqual([
      ['1', 'M-AB 123E'],
      ['2', 'LÖ-EV 9'],
    ]);
    expect(parseAddress('Großbeerenstraße 12; 80331 München\nGermany')).toEqual(['Großbeerenstraße 12', '80331 München', 'Germany']);
  });

  it.each([
    ['M-AB 123', 'is not <openWB vehicle id>=<licence plate>'],
    ['1=M-AB 1,1=M-CD 2', 'vehicle 1 is named twice'],
    ['a b=M-AB 1', 'is not <openWB vehicle id>'],
    [',', 'names no vehicle'],
  ])('refuses plates %s', (text, message) => {
    expect(() => parseVehiclePlates(text)).toThrow(message);
  });

  it('refuses an address of more than 5 lines', () => {
    expect(() => parseAddress('a;b;c;d;e;f')).toThrow('more than 5 lines');
  });
});
