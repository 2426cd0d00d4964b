/**
 * The configured electricity tariff: a base price per kWh, optionally overridden in time-of-day windows
 * (local time in the installation's zone). Pure; parsing reports readable problems for the config.
 */
import { DateTime } from 'luxon';

export interface TariffWindow {
  /** Minutes after local midnight, inclusive. */
  fromMinute: number;
  /** Minutes after local midnight, exclusive; smaller than `fromMinute` when the window wraps midnight. */
  toMinute: number;
  pricePerKwh: number;
}

export interface Tariff {
  /** Price per kWh outside every window, in `currency`; null when no tariff is configured. */
  pricePerKwh: number | null;
  windows: readonly TariffWindow[];
  currency: string;
  timeZone: string;
}

const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;
const PRICE = /^\d{1,6}(\.\d{1,6})?$/;

function minuteOf(text: string): number | undefined {
  const match = TIME.exec(text.trim());
  if (!match) return undefined;
  const minute = Number(match[1]) * 60 + Number(match[2]);
  return minute <= 1440 ? minute : undefined;
}

const covers = (w: TariffWindow, minute: number) =>
  w.fromMinute < w.toMinute ? minute >= w.fromMinute && minute < w.toMinute : minute >= w.fromMinute || minute < w.toMinute;

/** `22:00-06:00=0.22,12:00-14:00=0.18`: windows may wrap midnight and must not overlap. Throws naming the bad part. */
export function parseTariffSchedule(text: string): TariffWindow[] {
  const windows: TariffWindow[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([^-=]+)-([^=]+)=(.+)$/.exec(part);
    const from = match ? minuteOf(match[1] as string) : undefined;
    const to = match ? minuteOf(match[2] as string) : undefined;
    const price = match?.[3]?.trim() ?? '';
    if (from === undefined || to === undefined || !PRICE.test(price)) {
      throw new Error(`"${part}" is not HH:MM-HH:MM=price (e.g. 22:00-06:00=0.22)`);
    }
    if (from % 1440 === to % 1440) throw new Error(`"${part}" is empty or covers the whole day: use TARIFF_PRICE_PER_KWH instead`);
    const window = { fromMinute: from % 1440, toMinute: to % 1440, pricePerKwh: Number(price) };
    const clash = windows.find((w) => covers(w, window.fromMinute) || covers(window, w.fromMinute));
    if (clash) throw new Error(`"${part}" overlaps another window`);
    windows.push(window);
  }
  if (windows.length === 0) throw new Error('names no window');
  return windows;
}

export function parsePrice(text: string): number {
  if (!PRICE.test(text.trim())) throw new Error('must be a non-negative decimal such as 0.30');
  return Number(text);
}

/** Price per kWh in force at `atMs`, or null when no tariff is configured. */
export function priceAt(tariff: Tariff, atMs: number): number | null {
  if (tariff.pricePerKwh === null) return null;
  if (tariff.windows.length === 0) return tariff.pricePerKwh;
  const local = DateTime.fromMillis(atMs, { zone: tariff.timeZone });
  const minute = local.hour * 60 + local.minute;
  return tariff.windows.find((w) => covers(w, minute))?.pricePerKwh ?? tariff.pricePerKwh;
}

/** Cost of `energyWh` charged at `atMs`; null without a tariff. */
export function costOf(tariff: Tariff, energyWh: number, atMs: number): number | null {
  const price = priceAt(tariff, atMs);
  return price === null ? null : (energyWh / 1000) * price;
}

export const NO_TARIFF: Tariff = { pricePerKwh: null, windows: [], currency: 'EUR', timeZone: 'UTC' };
