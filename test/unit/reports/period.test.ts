import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.ts';
import { lastDayOf, periodKey, resolvePeriod } from '../../../src/reports/period.ts';

const NOW = Date.parse('2026-12-06T19:30:00Z');
const ZONE = 'Europe/Berlin';
const iso = (period: ReturnType<typeof resolvePeriod>) => [period.start.toISO(), period.end.toISO()];

describe('report period', () => {
  it('is the current month in the zone by default', () => {
    const period = resolvePeriod({}, ZONE, NOW);
    expect(period.kind).toBe('month');
    expect(iso(period)).toEqual(['2026-12-01T00:00:00.000+01:00', '2027-01-01T00:00:00.000+01:00']);
    // Just after midnight of the 1st locally, still the last day of the month before in UTC.
    expect(resolvePeriod({}, ZONE, Date.parse('2026-10-31T23:30:00Z')).start.toISODate()).toBe('2026-11-01');
  });

  it('reads a month, a quarter and a year as whole calendar units, across daylight-saving changes', () => {
    expect(iso(resolvePeriod({ month: '2026-03' }, ZONE, NOW))).toEqual(['2026-03-01T00:00:00.000+01:00', '2026-04-01T00:00:00.000+02:00']);
    expect(iso(resolvePeriod({ quarter: '2026-Q4' }, ZONE, NOW))).toEqual([
      '2026-10-01T00:00:00.000+02:00',
      '2027-01-01T00:00:00.000+01:00',
    ]);
    expect(iso(resolvePeriod({ year: 2025, tz: 'UTC' }, ZONE, NOW))).toEqual(['2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  });

  it('reads from/to as a half-open range, dates local to the zone', () => {
    const period = resolvePeriod({ from: '2026-11-01', to: '2026-11-16' }, ZONE, NOW);
    expect(period.kind).toBe('range');
    expect(iso(period)).toEqual(['2026-11-01T00:00:00.000+01:00', '2026-11-16T00:00:00.000+01:00']);
    expect(lastDayOf(period).toISODate()).toBe('2026-11-15');
    expect(periodKey(period)).toBe('2026-11-01_2026-11-15');
    const partial = resolvePeriod({ from: '2026-11-01T06:00', to: '2026-11-02T12:00' }, ZONE, NOW);
    expect(lastDayOf(partial).toISODate()).toBe('2026-11-02');
  });

  it('names files by the period', () => {
    expect(periodKey(resolvePeriod({ month: '2026-11' }, ZONE, NOW))).toBe('2026-11');
    expect(periodKey(resolvePeriod({ quarter: '2026-Q2' }, ZONE, NOW))).toBe('2026-Q2');
    expect(periodKey(resolvePeriod({ year: 2026 }, ZONE, NOW))).toBe('2026');
  });

  it.each([
    [{ month: '2026-11', year: 2026 }, 'month: give one period only'],
    [{ quarter: '2026-Q1', from: '2026-01-01', to: '2026-02-01' }, 'quarter: give one period only'],
    [{ from: '2026-11-01' }, 'to: give from and to together'],
    [{ to: '2026-11-01' }, 'from: give from and to together'],
    [{ from: '2026-11-02', to: '2026-11-02' }, 'to: must be after from'],
    [{ from: 'soon', to: '2026-11-02' }, 'from: "soon" is not a valid ISO 8601'],
    [{ month: '2026-00' }, 'month: "2026-00" is not YYYY-MM'],
    [{ quarter: '2026-Q0' }, 'quarter: "2026-Q0" is not YYYY-Qn'],
    [{ tz: 'Nowhere/Else' }, 'tz: "Nowhere/Else" is not an IANA time zone'],
  ])('refuses %j', (query, message) => {
    expect(() => resolvePeriod(query, ZONE, NOW)).toThrow(InvalidInputError);
    expect(() => resolvePeriod(query, ZONE, NOW)).toThrow(message);
  });
});
