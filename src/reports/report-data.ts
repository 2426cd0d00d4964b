/**
 * The figures of a charging report, assembled from sessions without any layout: one row per session,
 * the totals (sums of the rows as printed, so they add up on paper), and the SHA-256 of the report's
 * canonical data. Pure: every input is passed in.
 *
 * Rounding: energy and meter readings to whole Wh (printed as kWh with 3 decimals), each session's cost
 * to whole cents, half up: under `flat` energy × rate exactly (integers), under `tariff` the recorded cost.
 */
import { vehicleOf, type Session, type SessionQuality } from '../sessions/model.ts';
import type { Tariff } from '../sessions/tariff.ts';
import { canonicalJson, sha256Hex, type Canonical } from './canonical-json.ts';
import type { ReportPeriod } from './period.ts';

/** Why a row carries a footnote: a figure to read with care, or a fact about where it comes from. */
export type RowMark = 'open' | 'corrected' | 'meterCorrected' | 'incomplete' | 'unrated' | 'imported' | 'noCost' | 'averagePrice';

/** In the order of their footnote letters. */
export const ROW_MARKS: readonly RowMark[] = [
  'open',
  'corrected',
  'meterCorrected',
  'incomplete',
  'unrated',
  'imported',
  'noCost',
  'averagePrice',
];

type Vehicle = { id: string | null; name: string | null } | null;

/** A user's correction of the session, next to what was recorded. */
export interface RowCorrection {
  recordedVehicle: Vehicle;
  vehicle: Vehicle;
  note: string | null;
  at: number;
  by: string | null;
}

export type ReportBasis = { kind: 'tariff'; tariff: Tariff } | { kind: 'flat'; pricePerKwh: number; currency: string; note: string | null };

export interface ReportFilter {
  chargepointId?: string;
  vehicleId?: string;
  tag?: string;
  userId?: string;
}

export interface ReportRow {
  sessionId: string;
  chargepointId: string;
  /** The vehicle the session counts for (corrected, else recorded). */
  vehicleId: string | null;
  start: number;
  end: number | null;
  /** Plugged time, end − start; null while the session is open. */
  durationMs: number | null;
  energyWh: number;
  meterStartWh: number | null;
  meterEndWh: number | null;
  /** Price per kWh applied, in ten-thousandths of the currency unit. */
  priceE4: number | null;
  costCents: number | null;
  quality: SessionQuality | null;
  correction: RowCorrection | null;
  marks: RowMark[];
}

export interface ReportTotals {
  sessions: number;
  energyWh: number;
  /** Sum of the rows' costs that are known. */
  costCents: number;
  sessionsWithoutCost: number;
  /** Sum of the closed sessions' plugged time. */
  durationMs: number;
}

export interface ReportVehicle {
  id: string | null;
  name: string | null;
  plate: string | null;
}

export interface ReportData {
  period: ReportPeriod;
  filter: ReportFilter;
  basis: ReportBasis;
  currency: string;
  rows: ReportRow[];
  totals: ReportTotals;
  chargepoints: string[];
  vehicles: ReportVehicle[];
  /** The canonical JSON the checksum is taken over (README: "PDF charging report"). */
  canonical: string;
  sha256: string;
}

export const CANONICAL_FORMAT = 'openwb-gateway/charging-report/1';

const MICRO = 1_000_000;

export function assembleReport(input: {
  sessions: readonly Session[];
  period: ReportPeriod;
  filter: ReportFilter;
  basis: ReportBasis;
  vehiclePlates: ReadonlyMap<string, string>;
  /** The vehicle an RFID profile selects, shown when no session names one. */
  profileVehicleId?: string;
}): ReportData {
  const { basis } = input;
  const sorted = [...input.sessions].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = sorted.map((session) => rowOf(session, basis));
  const totals: ReportTotals = { sessions: rows.length, energyWh: 0, costCents: 0, sessionsWithoutCost: 0, durationMs: 0 };
  for (const row of rows) {
    totals.energyWh += row.energyWh;
    if (row.costCents === null) totals.sessionsWithoutCost++;
    else totals.costCents += row.costCents;
    totals.durationMs += row.durationMs ?? 0;
  }
  const currency = basis.kind === 'flat' ? basis.currency : basis.tariff.currency;
  const chargepoints = distinct(input.filter.chargepointId ? [input.filter.chargepointId] : sorted.map((s) => s.chargepointId));
  const data = {
    period: input.period,
    filter: input.filter,
    basis,
    currency,
    rows,
    totals,
    chargepoints: chargepoints.sort(byNumberThenText),
    vehicles: vehiclesOf(sorted, input.filter.vehicleId ?? input.profileVehicleId, input.vehiclePlates),
  };
  const canonical = canonicalJson(canonicalOf(data));
  return { ...data, canonical, sha256: sha256Hex(canonical) };
}

function rowOf(session: Session, basis: ReportBasis): ReportRow {
  const energyWh = Math.max(0, Math.round(session.energy));
  const marks: RowMark[] = [];
  if (session.end === null) marks.push('open');
  if (session.correction) marks.push('corrected');
  if (session.quality === 'corrected') marks.push('meterCorrected');
  if (session.quality === 'incomplete') marks.push('incomplete');
  if (session.quality === null && session.source === 'recorder') marks.push('unrated');
  if (session.source === 'chargelog') marks.push('imported');
  let priceE4: number | null;
  let costCents: number | null;
  if (basis.kind === 'flat') {
    const rateMicro = Math.round(basis.pricePerKwh * MICRO);
    priceE4 = Math.round(rateMicro / 100);
    // Wh × currency-units-per-kWh / 1000 × 100 cents, in integers: half up without a float in between.
    costCents = Number((BigInt(energyWh) * BigInt(rateMicro) + 5_000_000n) / 10_000_000n);
  } else {
    costCents = session.cost === null ? null : Math.round(Number((session.cost * 100).toFixed(6)));
    priceE4 = session.cost === null || energyWh === 0 ? null : Math.round(Number(((session.cost * 10_000_000) / energyWh).toFixed(6)));
    if (costCents === null) marks.push('noCost');
    else if (priceE4 !== null && isAverage(priceE4, basis.tariff, session)) marks.push('averagePrice');
  }
  const { correction } = session;
  return {
    sessionId: session.id,
    chargepointId: session.chargepointId,
    vehicleId: vehicleOf(session)?.id ?? null,
    start: session.start,
    end: session.end,
    durationMs: session.end === null ? null : Math.max(0, session.end - session.start),
    energyWh,
    meterStartWh: session.meterStart === null ? null : Math.round(session.meterStart),
    meterEndWh: session.meterLast === null ? null : Math.round(session.meterLast),
    priceE4,
    costCents,
    quality: session.quality,
    correction: correction
      ? {
          recordedVehicle: session.vehicle,
          vehicle: correction.vehicle ?? session.vehicle,
          note: correction.note,
          at: correction.at,
          by: correction.by.name,
        }
      : null,
    marks: ROW_MARKS.filter((mark) => marks.includes(mark)),
  };
}

/** A recorded session under a time-of-day tariff whose price is none of the tariff's prices: it spans windows. */
function isAverage(priceE4: number, tariff: Tariff, session: Session): boolean {
  if (session.source !== 'recorder' || tariff.windows.length === 0 || tariff.pricePerKwh === null) return false;
  const prices = [tariff.pricePerKwh, ...tariff.windows.map((w) => w.pricePerKwh)].map((p) => Math.round(p * 10_000));
  return !prices.includes(priceE4);
}

function vehiclesOf(sessions: readonly Session[], vehicleId: string | undefined, plates: ReadonlyMap<string, string>): ReportVehicle[] {
  const seen = new Map<string, ReportVehicle>();
  for (const s of sessions) {
    const vehicle = vehicleOf(s);
    const id = vehicle?.id ?? null;
    const name = vehicle?.name ?? null;
    if (id === null && name === null) continue;
    const key = `${id}\u0000${name}`;
    if (!seen.has(key)) seen.set(key, { id, name, plate: id === null ? null : (plates.get(id) ?? null) });
  }
  if (seen.size === 0 && vehicleId !== undefined) return [{ id: vehicleId, name: null, plate: plates.get(vehicleId) ?? null }];
  return [...seen.values()];
}

const distinct = (values: readonly string[]): string[] => [...new Set(values)];
const byNumberThenText = (a: string, b: string) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);

/** An integer count of 10^-places units as a fixed-point decimal string: fixed(12345, 3) = "12.345". */
export function fixed(units: number, places: number): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(places + 1, '0');
  return places === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
const minuteText = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const priceText = (price: number) => fixed(Math.round(price * MICRO), 6);

/** What the checksum covers: period, filter, basis, rows and totals; not the language, the layout or the creation time. */
function canonicalOf(data: Omit<ReportData, 'canonical' | 'sha256'>): Canonical {
  const { basis } = data;
  return {
    format: CANONICAL_FORMAT,
    period: { start: iso(data.period.start.toMillis()), end: iso(data.period.end.toMillis()), timeZone: data.period.zone },
    filter: {
      chargepoint: data.filter.chargepointId ?? null,
      vehicle: data.filter.vehicleId ?? null,
      tag: data.filter.tag ?? null,
      user: data.filter.userId ?? null,
    },
    basis:
      basis.kind === 'flat'
        ? { kind: 'flat', currency: basis.currency, pricePerKwh: priceText(basis.pricePerKwh) }
        : {
            kind: 'tariff',
            currency: basis.tariff.currency,
            pricePerKwh: basis.tariff.pricePerKwh === null ? null : priceText(basis.tariff.pricePerKwh),
            windows: basis.tariff.windows.map((w) => ({
              from: minuteText(w.fromMinute),
              to: minuteText(w.toMinute),
              pricePerKwh: priceText(w.pricePerKwh),
            })),
          },
    rows: data.rows.map((row) => ({
      session: row.sessionId,
      chargepoint: row.chargepointId,
      vehicle: row.vehicleId,
      start: iso(row.start),
      end: row.end === null ? null : iso(row.end),
      energyKwh: fixed(row.energyWh, 3),
      meterStartKwh: row.meterStartWh === null ? null : fixed(row.meterStartWh, 3),
      meterEndKwh: row.meterEndWh === null ? null : fixed(row.meterEndWh, 3),
      pricePerKwh: row.priceE4 === null ? null : fixed(row.priceE4, 4),
      cost: row.costCents === null ? null : fixed(row.costCents, 2),
      quality: row.quality,
      correction: row.correction
        ? {
            recordedVehicle: row.correction.recordedVehicle?.id ?? null,
            vehicle: row.correction.vehicle?.id ?? null,
            note: row.correction.note,
            at: iso(row.correction.at),
          }
        : null,
      marks: [...row.marks],
    })),
    totals: {
      sessions: data.totals.sessions,
      energyKwh: fixed(data.totals.energyWh, 3),
      cost: fixed(data.totals.costCents, 2),
      sessionsWithoutCost: data.totals.sessionsWithoutCost,
    },
  };
}
