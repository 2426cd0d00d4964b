/**
 * The period a report covers: a calendar month (the default: the current one), quarter or year, or a
 * half-open `[from, to)` range, in a time zone. Exactly one way of naming it per request.
 */
import { DateTime } from 'luxon';
import { InvalidInputError } from '../errors.ts';
import { parseInstant, parseZone } from '../history/range.ts';

export type PeriodKind = 'month' | 'quarter' | 'year' | 'range';

export interface ReportPeriod {
  kind: PeriodKind;
  /** Inclusive. */
  start: DateTime;
  /** Exclusive. */
  end: DateTime;
  zone: string;
}

export interface PeriodQuery {
  month?: string;
  quarter?: string;
  year?: number;
  from?: string;
  to?: string;
  tz?: string;
}

export function resolvePeriod(query: PeriodQuery, fallbackZone: string, now: number): ReportPeriod {
  const zone = parseZone(query.tz, fallbackZone);
  const named = (['month', 'quarter', 'year'] as const).filter((name) => query[name] !== undefined);
  const range = query.from !== undefined || query.to !== undefined;
  if (named.length + (range ? 1 : 0) > 1) {
    throw new InvalidInputError(`${named[0]}: give one period only: month, quarter, year, or from and to`);
  }
  if (range) return rangePeriod(query.from, query.to, zone);
  if (query.year !== undefined) {
    const start = DateTime.fromObject({ year: query.year, month: 1, day: 1 }, { zone });
    return { kind: 'year', start, end: start.plus({ years: 1 }), zone };
  }
  if (query.quarter !== undefined) {
    const match = /^(\d{4})-Q([1-4])$/.exec(query.quarter);
    if (!match) throw new InvalidInputError(`quarter: "${query.quarter}" is not YYYY-Qn such as 2026-Q4`);
    const start = DateTime.fromObject({ year: Number(match[1]), month: (Number(match[2]) - 1) * 3 + 1, day: 1 }, { zone });
    return { kind: 'quarter', start, end: start.plus({ months: 3 }), zone };
  }
  if (query.month !== undefined) {
    const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(query.month);
    if (!match) throw new InvalidInputError(`month: "${query.month}" is not YYYY-MM such as 2026-11`);
    const start = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: 1 }, { zone });
    return { kind: 'month', start, end: start.plus({ months: 1 }), zone };
  }
  const start = DateTime.fromMillis(now, { zone }).startOf('month');
  return { kind: 'month', start, end: start.plus({ months: 1 }), zone };
}

function rangePeriod(from: string | undefined, to: string | undefined, zone: string): ReportPeriod {
  if (from === undefined) throw new InvalidInputError('from: give from and to together (or month, quarter or year)');
  if (to === undefined) throw new InvalidInputError('to: give from and to together (or month, quarter or year)');
  const start = parseInstant(from, zone, 'from');
  const end = parseInstant(to, zone, 'to');
  if (end <= start) throw new InvalidInputError('to: must be after from (to is the first instant not included)');
  return { kind: 'range', start, end, zone };
}

/** The last day the period includes (the day before `end` when it ends at midnight). */
export function lastDayOf(period: ReportPeriod): DateTime {
  const end = period.end.setZone(period.zone);
  return end.equals(end.startOf('day')) ? end.minus({ days: 1 }) : end.startOf('day');
}

/** A short key for file names: `2026-11`, `2026-Q4`, `2026`, `2026-11-01_2026-11-15`. */
export function periodKey(period: ReportPeriod): string {
  const start = period.start.setZone(period.zone);
  switch (period.kind) {
    case 'month':
      return start.toFormat('yyyy-MM');
    case 'quarter':
      return `${start.toFormat('yyyy')}-Q${start.quarter}`;
    case 'year':
      return start.toFormat('yyyy');
    case 'range':
      return `${start.toFormat('yyyy-MM-dd')}_${lastDayOf(period).toFormat('yyyy-MM-dd')}`;
  }
}
