/**
 * The words and number formats of a report in German or English (Intl and luxon with the language's
 * locale: 1.234,567 kWh and 12,34 € in German, 1,234.567 kWh and €12.34 in English).
 */
import { IANAZone } from 'luxon';
import type { Tariff } from '../sessions/tariff.ts';
import { lastDayOf, type ReportPeriod } from './period.ts';
import type { ReportBasis, RowMark } from './report-data.ts';

export type ReportLanguage = 'de' | 'en';

interface Words {
  title: string;
  subtitle: string;
  operator: string;
  documentId: string;
  created: string;
  period: string;
  timeZone: string;
  vehicle: string;
  plate: string;
  driver: string;
  rfid: string;
  chargepoints: (count: number) => string;
  chargepoint: (id: string) => string;
  noVehicle: string;
  basis: string;
  columns: {
    index: string;
    date: string;
    start: string;
    end: string;
    duration: string;
    chargepoint: string;
    energy: string;
    meterStart: string;
    meterEnd: string;
    price: string;
    cost: string;
    notes: string;
  };
  total: string;
  summary: string;
  sessions: string;
  energy: string;
  reimbursement: string;
  noSessions: string;
  running: string;
  notes: string;
  marks: Record<RowMark, string>;
  corrections: string;
  correction: (index: number, date: string, change: string | null, note: string | null, at: string, by: string | null) => string;
  vehicleChange: (recorded: string, corrected: string) => string;
  unnamedVehicle: string;
  withoutCost: (count: number) => string;
  page: (page: number, pages: number) => string;
  checksum: string;
  checksumNote: string;
  generator: string;
  placeDate: string;
  employee: string;
  employer: string;
  confirmation: string;
  quarter: (quarter: number, year: number) => string;
  flatBasis: (price: string, note: string | null) => string;
  tariffBasis: (base: string, windows: string[], zone: string) => string;
  noTariff: string;
  window: (from: string, to: string, price: string) => string;
}

const DE: Words = {
  title: 'Nachweis über das Laden eines Dienstwagens',
  subtitle: 'Aufstellung der Ladevorgänge zur Erstattung der Stromkosten',
  operator: 'Betreiber der Ladestelle',
  documentId: 'Dokument-Nr.',
  created: 'Erstellt',
  period: 'Zeitraum',
  timeZone: 'Zeitzone',
  vehicle: 'Fahrzeug',
  plate: 'Kennzeichen',
  driver: 'Nutzer',
  rfid: 'RFID-Profil',
  chargepoints: (count) => (count > 1 ? 'Ladepunkte' : 'Ladepunkt'),
  chargepoint: (id) => `Ladepunkt ${id}`,
  noVehicle: 'nicht erfasst',
  basis: 'Abrechnungsgrundlage',
  columns: {
    index: 'Nr.',
    date: 'Datum',
    start: 'Beginn',
    end: 'Ende',
    duration: 'Dauer\nh:mm',
    chargepoint: 'LP',
    energy: 'Energie\nkWh',
    meterStart: 'Zähler Beginn\nkWh',
    meterEnd: 'Zähler Ende\nkWh',
    price: 'Preis\n{currency}/kWh',
    cost: 'Kosten\n{currency}',
    notes: 'Anm.',
  },
  total: 'Summe',
  summary: 'Zusammenfassung',
  sessions: 'Ladevorgänge',
  energy: 'Geladene Energie',
  reimbursement: 'Erstattungsbetrag',
  noSessions: 'Im Zeitraum gibt es keine Ladevorgänge.',
  running: 'läuft',
  notes: 'Anmerkungen',
  marks: {
    open: 'Der Ladevorgang lief bei Erstellung noch; Werte bis zu diesem Zeitpunkt.',
    corrected: 'Vom Nutzer nachträglich korrigiert (siehe Korrekturen); die aufgezeichneten Werte bleiben erhalten.',
    meterCorrected:
      'Energie bereinigt: unplausible Zählerwerte (z. B. kurzzeitig 0) wurden verworfen; die Energie stammt aus den plausiblen Zählerständen davor und danach.',
    incomplete: 'Unvollständig: Der Zähler wurde während des Ladevorgangs zurückgesetzt oder getauscht; die Energie kann zu gering sein.',
    unrated: 'Ohne Prüfung der Zählerwerte aufgezeichnet (vor Einführung der Prüfung oder ohne Zählerstand).',
    imported: 'Aus dem Ladeprotokoll von openWB übernommen.',
    noCost: 'Für den Ladevorgang sind keine Kosten erfasst; er ist nicht im Erstattungsbetrag enthalten.',
    averagePrice: 'Mischpreis: Der Ladevorgang lag in mehreren Tarifzeiten; Preis = Kosten ÷ Energie.',
  },
  corrections: 'Korrekturen',
  correction: (index, date, change, note, at, by) =>
    `Nr. ${index} (${date}): ${[change, note ? `Notiz „${note}“` : null].filter(Boolean).join('; ')}; korrigiert am ${at}${by ? ` von ${by}` : ''}.`,
  vehicleChange: (recorded, corrected) => `Fahrzeug „${corrected}“ statt „${recorded}“`,
  unnamedVehicle: 'ohne Fahrzeug',
  withoutCost: (count) =>
    count === 1 ? '1 Ladevorgang ohne Kosten ist nicht enthalten.' : `${count} Ladevorgänge ohne Kosten sind nicht enthalten.`,
  page: (page, pages) => `Seite ${page} von ${pages}`,
  checksum: 'SHA-256 der Berichtsdaten',
  checksumNote:
    'Die Prüfsumme wird über die Daten dieses Berichts (Zeitraum, Filter, Grundlage, Zeilen, Summen) gebildet; ein späterer Export derselben Ladevorgänge ergibt dieselbe Prüfsumme.',
  generator: 'openwb-gateway',
  placeDate: 'Ort, Datum',
  employee: 'Unterschrift Arbeitnehmer/in',
  employer: 'Unterschrift Arbeitgeber/in',
  confirmation: 'Die Richtigkeit der Angaben wird bestätigt.',
  quarter: (quarter, year) => `${quarter}. Quartal ${year}`,
  flatBasis: (price, note) =>
    `Pauschale von ${price} je geladener Kilowattstunde, vom Betreiber festgelegt${note ? ` (${note})` : ''}. ` +
    'Kosten je Ladevorgang = Energie × Pauschale, auf volle Cent gerundet; der Erstattungsbetrag ist die Summe der Zeilen.',
  tariffBasis: (base, windows, zone) =>
    `Tatsächlicher Stromtarif: ${base}` +
    (windows.length ? `; abweichend ${windows.join(', ')} (Ortszeit ${zone})` : '') +
    '. Kosten je Ladevorgang wie beim Laden mit dem jeweils gültigen Preis aufgezeichnet, auf volle Cent gerundet; ' +
    'angewandter Preis = Kosten ÷ Energie; der Erstattungsbetrag ist die Summe der Zeilen.',
  noTariff: 'Es ist kein Stromtarif hinterlegt: Die Kosten sind nicht bekannt.',
  window: (from, to, price) => `${from}–${to} Uhr ${price}`,
};

const EN: Words = {
  title: 'Company car charging statement',
  subtitle: 'Charging sessions for the reimbursement of electricity costs',
  operator: 'Operator of the charging point',
  documentId: 'Document no.',
  created: 'Created',
  period: 'Period',
  timeZone: 'Time zone',
  vehicle: 'Vehicle',
  plate: 'Licence plate',
  driver: 'User',
  rfid: 'RFID profile',
  chargepoints: (count) => (count > 1 ? 'Chargepoints' : 'Chargepoint'),
  chargepoint: (id) => `Chargepoint ${id}`,
  noVehicle: 'not recorded',
  basis: 'Reimbursement basis',
  columns: {
    index: 'No.',
    date: 'Date',
    start: 'Start',
    end: 'End',
    duration: 'Duration\nh:mm',
    chargepoint: 'CP',
    energy: 'Energy\nkWh',
    meterStart: 'Meter start\nkWh',
    meterEnd: 'Meter end\nkWh',
    price: 'Price\n{currency}/kWh',
    cost: 'Cost\n{currency}',
    notes: 'Note',
  },
  total: 'Total',
  summary: 'Summary',
  sessions: 'Charging sessions',
  energy: 'Energy charged',
  reimbursement: 'Amount to reimburse',
  noSessions: 'There are no charging sessions in this period.',
  running: 'running',
  notes: 'Notes',
  marks: {
    open: 'The session was still running when the report was created; figures up to then.',
    corrected: 'Corrected afterwards by its user (see Corrections); the recorded values are kept.',
    meterCorrected:
      'Energy cleaned: implausible meter readings (such as a brief 0) were discarded; the energy comes from the plausible readings before and after them.',
    incomplete: 'Incomplete: the meter was reset or replaced during the session; the energy may be too low.',
    unrated: 'Recorded without a check of the meter readings (before the check existed, or without a meter reading).',
    imported: "Imported from openWB's charge log.",
    noCost: 'No cost was recorded for the session; it is not included in the amount.',
    averagePrice: 'Average price: the session spanned several tariff periods; price = cost ÷ energy.',
  },
  corrections: 'Corrections',
  correction: (index, date, change, note, at, by) =>
    `No. ${index} (${date}): ${[change, note ? `note “${note}”` : null].filter(Boolean).join('; ')}; corrected on ${at}${by ? ` by ${by}` : ''}.`,
  vehicleChange: (recorded, corrected) => `vehicle “${corrected}” instead of “${recorded}”`,
  unnamedVehicle: 'no vehicle',
  withoutCost: (count) => (count === 1 ? '1 session without cost is not included.' : `${count} sessions without cost are not included.`),
  page: (page, pages) => `Page ${page} of ${pages}`,
  checksum: "SHA-256 of the report's data",
  checksumNote:
    "The checksum covers this report's data (period, filter, basis, rows, totals); a later export of the same sessions gives the same checksum.",
  generator: 'openwb-gateway',
  placeDate: 'Place, date',
  employee: 'Signature of employee',
  employer: 'Signature of employer',
  confirmation: 'I confirm that the information given is correct.',
  quarter: (quarter, year) => `Q${quarter} ${year}`,
  flatBasis: (price, note) =>
    `Flat rate of ${price} per kilowatt-hour charged, set by the operator${note ? ` (${note})` : ''}. ` +
    'Cost per session = energy × flat rate, rounded to whole cents; the amount is the sum of the rows.',
  tariffBasis: (base, windows, zone) =>
    `Actual electricity tariff: ${base}` +
    (windows.length ? `; instead ${windows.join(', ')} (local time, ${zone})` : '') +
    '. Cost per session as recorded while charging at the price then in force, rounded to whole cents; ' +
    'price applied = cost ÷ energy; the amount is the sum of the rows.',
  noTariff: 'No electricity tariff is configured: the costs are not known.',
  window: (from, to, price) => `${from}–${to} ${price}`,
};

const LOCALES = { de: 'de-DE', en: 'en-GB' } as const;
const DATE_SEPARATOR = { de: '.', en: '/' } as const;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const two = (n: number) => String(n).padStart(2, '0');

/**
 * Local calendar fields of instants in a zone. A report formats thousands of them, and luxon or Intl per
 * instant would take most of a report's time, so the zone's offset is looked up once per UTC day (and per
 * instant only on a day whose offset changes).
 */
class LocalClock {
  private readonly zone: IANAZone;
  private readonly dayOffsets = new Map<number, number | null>();

  constructor(zone: string) {
    this.zone = IANAZone.create(zone);
  }

  /** The instant shifted by the zone's offset: its UTC fields are the local ones. */
  local(ms: number): Date {
    return new Date(ms + this.offsetMinutes(ms) * 60_000);
  }

  /** Days since the epoch, counted in local dates. */
  dayNumber(ms: number): number {
    return Math.floor((ms + this.offsetMinutes(ms) * 60_000) / DAY_MS);
  }

  /**
   * Whether the local wall-clock time of `ms` also names another instant: the hour repeated when
   * daylight-saving time ends (02:30 twice in Berlin). Changes more than 3 h away cannot repeat it.
   */
  repeated(ms: number): boolean {
    const own = this.offsetMinutes(ms);
    for (const near of [this.offsetMinutes(ms - 3 * HOUR_MS), this.offsetMinutes(ms + 3 * HOUR_MS)]) {
      if (near === own) continue;
      // The instant that would read the same wall clock under the other offset, if the zone has it there.
      const other = ms + (own - near) * 60_000;
      if (this.offsetMinutes(other) === near) return true;
    }
    return false;
  }

  private offsetMinutes(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    let offset = this.dayOffsets.get(day);
    if (offset === undefined) {
      const atStart = this.zone.offset(day * DAY_MS);
      offset = atStart === this.zone.offset((day + 1) * DAY_MS) ? atStart : null;
      this.dayOffsets.set(day, offset);
    }
    return offset ?? this.zone.offset(ms);
  }
}

/** Words and formats of one language; the figures come as integers of their smallest unit (Wh, cents, 1/10,000). */
export class ReportText {
  readonly words: Words;
  readonly locale: string;
  private readonly decimals: Map<number, Intl.NumberFormat>;
  private readonly money: Intl.NumberFormat;
  private readonly currencySymbol: string;
  private readonly clock: LocalClock;
  private zoneNames: Intl.DateTimeFormat | undefined;

  constructor(
    readonly language: ReportLanguage,
    readonly zone: string,
    readonly currency: string,
  ) {
    this.words = language === 'de' ? DE : EN;
    this.clock = new LocalClock(zone);
    this.locale = LOCALES[language];
    this.decimals = new Map(
      [0, 2, 3, 4].map((places) => [
        places,
        new Intl.NumberFormat(this.locale, { minimumFractionDigits: places, maximumFractionDigits: places }),
      ]),
    );
    this.money = new Intl.NumberFormat(this.locale, { style: 'currency', currency });
    this.currencySymbol =
      new Intl.NumberFormat(this.locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
        .formatToParts(0)
        .find((part) => part.type === 'currency')?.value ?? currency;
  }

  /** A column heading with the currency filled in. */
  column(key: keyof Words['columns']): string {
    return this.words.columns[key].replaceAll('{currency}', this.currencySymbol);
  }

  number(units: number, places: 0 | 2 | 3 | 4): string {
    return (this.decimals.get(places) as Intl.NumberFormat).format(units / 10 ** places);
  }

  kwh(wh: number): string {
    return this.number(wh, 3);
  }

  cents(cents: number): string {
    return this.number(cents, 2);
  }

  amount(cents: number): string {
    return this.money.format(cents / 100);
  }

  /** A price per kWh with 4 decimals and the currency: 0,3000 €/kWh. */
  pricePerKwh(price: number): string {
    const text = this.number(Math.round(price * 10_000), 4);
    return this.language === 'de' ? `${text} ${this.currencySymbol}/kWh` : `${this.currencySymbol}${text}/kWh`;
  }

  /** 03.11.2026 in German, 03/11/2026 in English. */
  date(ms: number): string {
    const local = this.clock.local(ms);
    const separator = DATE_SEPARATOR[this.language];
    return `${two(local.getUTCDate())}${separator}${two(local.getUTCMonth() + 1)}${separator}${local.getUTCFullYear()}`;
  }

  /** 14:05; in the hour repeated when summer time ends with the zone's abbreviation: 02:30 MESZ, 02:30 MEZ. */
  time(ms: number): string {
    const local = this.clock.local(ms);
    const text = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
    return this.clock.repeated(ms) ? `${text} ${this.zoneName(ms)}` : text;
  }

  /** Whether `time(ms)` names the zone: the wall-clock time is one of the hour repeated when summer time ends. */
  repeated(ms: number): boolean {
    return this.clock.repeated(ms);
  }

  /** The zone's short name at `ms` in the report's language (MESZ/MEZ, CEST/CET; GMT+2 where it has none). */
  private zoneName(ms: number): string {
    this.zoneNames ??= new Intl.DateTimeFormat(this.locale, { timeZone: this.zone, timeZoneName: 'short' });
    return this.zoneNames.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? '';
  }

  /** How many local days `later` lies after `earlier` (0 on the same date). */
  daysBetween(earlier: number, later: number): number {
    return this.clock.dayNumber(later) - this.clock.dayNumber(earlier);
  }

  dateTime(ms: number): string {
    return `${this.date(ms)} ${this.time(ms)}`;
  }

  /** h:mm, rounded to the minute. */
  duration(ms: number): string {
    const minutes = Math.round(ms / 60_000);
    return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
  }

  /** "November 2026", "4. Quartal 2026", "2026", "01.11.2026 – 15.11.2026". */
  periodName(period: ReportPeriod): string {
    const start = period.start.setZone(period.zone).setLocale(this.locale);
    switch (period.kind) {
      case 'month':
        return start.toFormat('LLLL yyyy');
      case 'quarter':
        return this.words.quarter(start.quarter, start.year);
      case 'year':
        return String(start.year);
      case 'range':
        return this.periodDays(period);
    }
  }

  /** The first and the last day the period includes. */
  periodDays(period: ReportPeriod): string {
    return `${this.date(period.start.toMillis())} – ${this.date(lastDayOf(period).toMillis())}`;
  }

  basis(basis: ReportBasis): string {
    if (basis.kind === 'flat') return this.words.flatBasis(this.pricePerKwh(basis.pricePerKwh), basis.note);
    return this.tariffBasis(basis.tariff);
  }

  private tariffBasis(tariff: Tariff): string {
    if (tariff.pricePerKwh === null) return this.words.noTariff;
    const minute = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const windows = tariff.windows.map((w) => this.words.window(minute(w.fromMinute), minute(w.toMinute), this.pricePerKwh(w.pricePerKwh)));
    return this.words.tariffBasis(this.pricePerKwh(tariff.pricePerKwh), windows, tariff.timeZone);
  }
}
