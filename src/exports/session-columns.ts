/**
 * The columns of a session export, shared by CSV and XLSX (and in the same order): each with its header in
 * English and German, its unit, and the value of a session. Values are typed, so each format writes a time,
 * a duration, energy or money its own way; numbers stay numbers.
 */
import { toDto, type Session } from '../sessions/model.ts';

export type Language = 'en' | 'de';
export type ValueKind = 'text' | 'number' | 'kwh' | 'money' | 'time' | 'duration';

/** A value of a session as exports write it: text, a number, ms since the epoch (time), seconds (duration). */
export type Value = string | number | null;

export interface ExportContext {
  zone: string;
  currency: string;
  lang: Language;
}

export interface Column {
  header: Record<Language, string>;
  kind: ValueKind;
  /** The unit in the header: fixed, or from the context (zone, currency). */
  unit?: string | ((context: ExportContext) => string);
  value(row: SessionRow, context: ExportContext): Value;
  /** Summed in the totals row of XLSX. */
  total?: boolean;
}

/** What a column reads: the session as the JSON API shows it, and the recorded meter readings. */
export interface SessionRow {
  session: Session;
  dto: ReturnType<typeof toDto>;
}

export const rowOf = (session: Session, userNames: ReadonlyMap<string, string>): SessionRow => ({
  session,
  dto: toDto(session, userNames),
});

const YES: Record<Language, string> = { en: 'yes', de: 'ja' };
const kwh = (wh: number | null) => (wh === null ? null : wh / 1000);
const zoneUnit = (context: ExportContext) => context.zone;

export const SESSION_COLUMNS: readonly Column[] = [
  { header: { en: 'Session', de: 'Ladevorgang' }, kind: 'text', value: (r) => r.dto.id },
  { header: { en: 'Chargepoint', de: 'Ladepunkt' }, kind: 'text', value: (r) => r.dto.chargepointId },
  { header: { en: 'Start', de: 'Beginn' }, kind: 'time', unit: zoneUnit, value: (r) => r.session.start },
  { header: { en: 'End', de: 'Ende' }, kind: 'time', unit: zoneUnit, value: (r) => r.session.end },
  { header: { en: 'Charging time', de: 'Ladedauer' }, kind: 'duration', value: (r) => r.dto.chargingTime, total: true },
  { header: { en: 'Energy', de: 'Energie' }, kind: 'kwh', unit: 'kWh', value: (r) => kwh(r.dto.energy), total: true },
  { header: { en: 'Meter start', de: 'Zählerstand Beginn' }, kind: 'kwh', unit: 'kWh', value: (r) => kwh(r.session.meterStart) },
  { header: { en: 'Meter end', de: 'Zählerstand Ende' }, kind: 'kwh', unit: 'kWh', value: (r) => kwh(r.session.meterLast) },
  { header: { en: 'Mean power', de: 'Mittlere Leistung' }, kind: 'number', unit: 'W', value: (r) => r.dto.meanPower },
  { header: { en: 'Peak power', de: 'Höchste Leistung' }, kind: 'number', unit: 'W', value: (r) => r.dto.peakPower },
  { header: { en: 'SoC start', de: 'SoC Beginn' }, kind: 'number', unit: '%', value: (r) => r.dto.socStart },
  { header: { en: 'SoC end', de: 'SoC Ende' }, kind: 'number', unit: '%', value: (r) => r.dto.socEnd },
  { header: { en: 'Charge modes', de: 'Lademodi' }, kind: 'text', value: (r) => r.dto.chargeModes.join(' ') || null },
  { header: { en: 'RFID tag', de: 'RFID-Tag' }, kind: 'text', value: (r) => r.dto.rfidTag },
  { header: { en: 'Vehicle id', de: 'Fahrzeug-ID' }, kind: 'text', value: (r) => r.dto.vehicle?.id ?? null },
  { header: { en: 'Vehicle', de: 'Fahrzeug' }, kind: 'text', value: (r) => r.dto.vehicle?.name ?? null },
  { header: { en: 'User', de: 'Benutzer' }, kind: 'text', value: (r) => r.dto.user?.name ?? r.dto.user?.id ?? null },
  { header: { en: 'Cost', de: 'Kosten' }, kind: 'money', unit: (c) => c.currency, value: (r) => r.dto.cost, total: true },
  { header: { en: 'Quality', de: 'Qualität' }, kind: 'text', value: (r) => r.dto.quality },
  { header: { en: 'Corrected', de: 'Korrigiert' }, kind: 'text', value: (r, c) => (r.dto.correction ? YES[c.lang] : null) },
  {
    header: { en: 'Recorded vehicle id', de: 'Erfasste Fahrzeug-ID' },
    kind: 'text',
    value: (r) => (r.dto.correction ? (r.dto.correction.original.vehicle?.id ?? null) : null),
  },
  {
    header: { en: 'Recorded vehicle', de: 'Erfasstes Fahrzeug' },
    kind: 'text',
    value: (r) => (r.dto.correction ? (r.dto.correction.original.vehicle?.name ?? null) : null),
  },
  { header: { en: 'Correction note', de: 'Korrekturnotiz' }, kind: 'text', value: (r) => r.dto.correction?.note ?? null },
  { header: { en: 'Corrected at', de: 'Korrigiert am' }, kind: 'time', unit: zoneUnit, value: (r) => r.session.correction?.at ?? null },
  { header: { en: 'Corrected by', de: 'Korrigiert von' }, kind: 'text', value: (r) => r.dto.correction?.correctedBy.name ?? null },
];

/** The header of a column in a format: CSV names durations in seconds, XLSX shows them as h:mm:ss. */
export function headerOf(column: Column, context: ExportContext, format: 'csv' | 'xlsx'): string {
  const unit =
    column.kind === 'duration'
      ? format === 'csv'
        ? 's'
        : 'h:mm:ss'
      : typeof column.unit === 'function'
        ? column.unit(context)
        : column.unit;
  const label = column.header[context.lang];
  return unit ? `${label} (${unit})` : label;
}
