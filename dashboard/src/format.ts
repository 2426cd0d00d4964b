import { language, t } from './i18n.ts';

const locale = language === 'de' ? 'de-DE' : 'en-GB';
const kw = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const watts = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const kwh = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });

/** Power in W as people read it: W below 1 kW, else kW with two decimals. The sign is left to the caller's words. */
export function formatPower(w: number | null | undefined): string {
  if (w === null || w === undefined || !Number.isFinite(w)) return '–';
  const magnitude = Math.abs(w);
  return magnitude < 1000 ? `${watts.format(magnitude)} W` : `${kw.format(magnitude / 1000)} kW`;
}

export function formatEnergy(wh: number | null | undefined): string {
  if (wh === null || wh === undefined || !Number.isFinite(wh)) return '–';
  return `${kwh.format(wh / 1000)} kWh`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${percent.format(value)} %`;
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '–';
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')} h`;
}

export function formatMoney(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '–';
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
}

/** How long ago, in the coarsest unit that still says something. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 2) return t('justNow');
  if (s < 120) return t('ageSeconds', { n: s });
  if (s < 7200) return t('ageMinutes', { n: Math.round(s / 60) });
  if (s < 172_800) return t('ageHours', { n: Math.round(s / 3600) });
  return t('ageDays', { n: Math.round(s / 86_400) });
}

/** A local calendar date as `YYYY-MM-DD` (what `<input type=date>` and the API's date parameters take). */
export function isoDate(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}
