/**
 * The columns of a session export, shared by CSV and XLSX (and in the same order): each with its header in
 * English and German, its unit, and the value of a session. Values are typed, so each format writes a time,
 * a duration, energy or money its own way; numbers stay numbers.
 */
import { shown, vehicleOf, type Session } from '../sessions/model.ts';

export type Language = 'en' | 'de';
/** `offset`: the zone's offset from UTC at a time (ms since the epoch), which makes the local time unambiguous. */
export type ValueKind = 'text' | 'number' | 'kwh' | 'money' | 'time' | 'offset' | 'duration';

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

/**
 * What a column reads: the session and its user's name. Columns derive the API's figures with the helpers
 * toDto uses (without building a whole DTO per row), so exports show what the JSON API shows.
 */
export interface SessionRow {
  session: Session;
  userName: string | null;
}

export const rowOf = (session: Session, userNames: ReadonlyMap<string, string>): SessionRow => ({
  session,
  userName: session.userId === null ? null : (userNames.get(session.userId) ?? null),
});

const YES: Record<Language, string> = { en: 'yes', de: 'ja' };
const kwh = (wh: number | null) => (wh === null ? null : wh / 1000);
const zoneUnit = (context: ExportContext) => context.zone;

export const SESSION_COLUMNS: readonly Column[] = [
  { header: { en: 'Session', de: 'Ladevorgang' }, kind: 'text', value: (r) => r.session.id },
  { header: { en: 'Chargepoint', de: 'Ladepunkt' }, kind: 'text', value: (r) => r.session.chargepointId },
  { header: { en: 'Start', de: 'Beginn' }, kind: 'time', unit: zoneUnit, value: (r) => r.session.start },
  { header: { en: 'End', de: 'Ende' }, kind: 'time', unit: zoneUnit, value: (r) => r.session.end },
  { header: { en: 'Charging time', de: 'Ladedauer' }, kind: 'duration', value: (r) => shown.chargingTime(r.session), total: true },
  { header: { en: 'Energy', de: 'Energie' }, kind: 'kwh', unit: 'kWh', value: (r) => kwh(shown.energy(r.session)), total: true },
  { header: { en: 'Meter start', de: 'Zählerstand Beginn' }, kind: 'kwh', unit: 'kWh', value: (r) => kwh(r.session.meterStart) },
  { header: { en: 'Meter end', de: 'Zählerstand Ende' }, kind: 'kwh', unit: 'kWh', value: (r) => kwh(r.session.meterLast) },
  { header: { en: 'Mean power', de: 'Mittlere Leistung' }, kind: 'number', unit: 'W', value: (r) => shown.meanPower(r.session) },
  { header: { en: 'Peak power', de: 'Höchste Leistung' }, kind: 'number', unit: 'W', value: (r) => r.session.peakPower },
  { header: { en: 'SoC start', de: 'SoC Beginn' }, kind: 'number', unit: '%', value: (r) => r.session.socStart },
  { header: { en: 'SoC end', de: 'SoC Ende' }, kind: 'number', unit: '%', value: (r) => r.session.socEnd },
  { header: { en: 'Charge modes', de: 'Lademodi' }, kind: 'text', value: (r) => r.session.chargeModes.join(' ') || null },
  { header: { en: 'RFID tag', de: 'RFID-Tag' }, kind: 'text', value: (r) => r.session.rfidTag },
  { header: { en: 'Vehicle id', de: 'Fahrzeug-ID' }, kind: 'text', value: (r) => vehicleOf(r.session)?.id ?? null },
  { header: { en: 'Vehicle', de: 'Fahrzeug' }, kind: 'text', value: (r) => vehicleOf(r.session)?.name ?? null },
  { header: { en: 'User', de: 'Benutzer' }, kind: 'text', value: (r) => r.userName ?? r.session.userId },
  { header: { en: 'Cost', de: 'Kosten' }, kind: 'money', unit: (c) => c.currency, value: (r) => shown.cost(r.session), total: true },
  { header: { en: 'Quality', de: 'Qualität' }, kind: 'text', value: (r) => r.session.quality },
  { header: { en: 'Corrected', de: 'Korrigiert' }, kind: 'text', value: (r, c) => (r.session.correction ? YES[c.lang] : null) },
  {
    header: { en: 'Recorded vehicle id', de: 'Erfasste Fahrzeug-ID' },
    kind: 'text',
    value: (r) => (r.session.correction ? (r.session.vehicle?.id ?? null) : null),
  },
  {
    header: { en: 'Recorded vehicle', de: 'Erfasstes Fahrzeug' },
    kind: 'text',
    value: (r) => (r.session.correction ? (r.session.vehicle?.name ?? null) : null),
  },
  { header: { en: 'Correction note', de: 'Korrekturnotiz' }, kind: 'text', value: (r) => r.session.correction?.note ?? null },
  { header: { en: 'Corrected at', de: 'Korrigiert am' }, kind: 'time', unit: zoneUnit, value: (r) => r.session.correction?.at ?? null },
  { header: { en: 'Corrected by', de: 'Korrigiert von' }, kind: 'text', value: (r) => r.session.correction?.by.name ?? null },
  // Local times repeat in the hour the autumn change of daylight-saving time goes through twice (02:30 in
  // Berlin first at +02:00, then at +01:00): the offset from UTC of each time tells them apart. Last, so that
  // the columns before keep the places they had before these came.
  { header: { en: 'Start UTC offset', de: 'Beginn UTC-Offset' }, kind: 'offset', value: (r) => r.session.start },
  { header: { en: 'End UTC offset', de: 'Ende UTC-Offset' }, kind: 'offset', value: (r) => r.session.end },
  {
    header: { en: 'Corrected at UTC offset', de: 'Korrigiert am UTC-Offset' },
    kind: 'offset',
    value: (r) => r.session.correction?.at ?? null,
  },
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
