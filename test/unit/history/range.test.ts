import { describe, expect, it } from 'vitest';
import { isoLocal, resolveRange } from '../../../src/history/range.ts';

const NOW = Date.parse('2026-03-18T15:20:00Z'); // a Wednesday
const names = { start: 'start', end: 'end' };
const range = (
  params: { start?: string; end?: string; duration?: string },
  interval: 'day' | 'hour' | 'month' = 'day',
  zone = 'Europe/Berlin',
) => {
  const r = resolveRange({ ...params, names }, zone, interval, NOW);
  return [isoLocal(r.start), isoLocal(r.end)];
};

describe('history ranges', () => {
  it('widens start and end to whole buckets in the zone', () => {
    expect(range({ start: '2026-03-01T10:00:00Z', end: '2026-03-03T00:30:00+01:00' })).toEqual([
      '2026-03-01T00:00:00+01:00',
      '2026-03-04T00:00:00+01:00',
    ]);
  });

  it('reads dates and offset-less date-times as local time of the zone', () => {
    expect(range({ start: '2026-03-01', end: '2026-03-02' })).toEqual(['2026-03-01T00:00:00+01:00', '2026-03-02T00:00:00+01:00']);
    expect(range({ start: '2026-03-01T05:00', end: '2026-03-01T07:00' }, 'hour')).toEqual([
      '2026-03-01T05:00:00+01:00',
      '2026-03-01T07:00:00+01:00',
    ]);
  });

  it('counts a duration alone back from the end of the current bucket', () => {
    expect(range({ duration: '7d' })).toEqual(['2026-03-12T00:00:00+01:00', '2026-03-19T00:00:00+01:00']);
    expect(range({ duration: '1month' }, 'month')).toEqual(['2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00']);
  });

  it('combines start or end with a duration in calendar units', () => {
    expect(range({ start: '2026-03-29', duration: '1d' }, 'hour')).toEqual(['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
    expect(range({ end: '2026-03-01', duration: '1month' })).toEqual(['2026-02-01T00:00:00+01:00', '2026-03-01T00:00:00+01:00']);
  });

  it('runs from start to now when only start is given', () => {
    expect(range({ start: '2026-03-16' })).toEqual(['2026-03-16T00:00:00+01:00', '2026-03-19T00:00:00+01:00']);
  });

  it('names the parameter of every bad combination', () => {
    expect(() => range({})).toThrow(/^start: the range is missing/);
    expect(() => range({ end: '2026-03-01' })).toThrow(/^start: the range is missing/);
    expect(() => range({ start: '2026-03-01', end: '2026-03-01' })).toThrow(/^end: must be after start/);
    expect(() => range({ start: '2026-03-01', end: '2026-02-01' })).toThrow(/^end: must be after start/);
    expect(() => range({ start: '2026-03-01', end: '2026-03-02', duration: '1d' })).toThrow(/^duration: give at most two/);
    expect(() => range({ start: '2026-02-30' })).toThrow(/^start: "2026-02-30" is not a valid ISO 8601/);
    expect(() => range({ start: '2027-01-01' })).toThrow(/^start: lies in the future/);
    expect(() => range({ duration: '7x' })).toThrow(/^duration: "7x" is not a duration/);
  });
});
