/**
 * Local wall-clock times of a zone, fast enough for 100,000 rows: the zone's offset is looked up at the two
 * ends of each UTC day (remembered for the recent days only, so memory stays flat); a day whose ends differ
 * holds a daylight-saving change, and only its times are looked up one by one. The date part of the text is
 * remembered for the last local day written (exports run in time order), the time of day is arithmetic.
 *
 * A local time alone is ambiguous in the hour that the autumn change repeats (02:30 twice in Berlin):
 * `offsetText` gives the offset from UTC (`+02:00`, then `+01:00`) that makes it unambiguous.
 */
import { IANAZone } from 'luxon';

const DAY_MS = 86_400_000;
const REMEMBERED = 1024;
/** '00' … '59': two digits without a branch or a string built per field. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));
const pad = (n: number) => TWO_DIGITS[n] ?? String(n);

export class LocalTime {
  private readonly zone: IANAZone;
  /** Per UTC day: its offset (minutes) when the same all day, else null. */
  private readonly days = new Map<number, number | null>();
  /** The last stretch of whole UTC days known to have one offset. */
  private span = { from: 0, to: 0, offset: 0 };
  private lastLocalDay = Number.NaN;
  private lastDate = '';
  /** A zone has a handful of offsets: each one's cell text is made once. */
  private readonly offsetCells = new Map<number, string>();

  constructor(readonly zoneName: string) {
    this.zone = IANAZone.create(zoneName);
  }

  /** The zone's offset from UTC at `ms`, in minutes. */
  offset(ms: number): number {
    if (ms >= this.span.from && ms < this.span.to) return this.span.offset;
    const day = Math.floor(ms / DAY_MS);
    let offset = this.days.get(day);
    if (offset === undefined) {
      const first = this.zone.offset(day * DAY_MS);
      offset = first === this.zone.offset((day + 1) * DAY_MS - 1) ? first : null;
      if (this.days.size >= REMEMBERED) this.days.clear();
      this.days.set(day, offset);
    }
    if (offset === null) return this.zone.offset(ms);
    // Grow the span of one offset day by day: exports run in time order, so most lookups land in it and
    // luxon (Intl underneath, the cost of an export's first rows) is asked about two ends per new day only.
    const from = day * DAY_MS;
    if (offset === this.span.offset && from === this.span.to) this.span.to = from + DAY_MS;
    else if (offset === this.span.offset && from + DAY_MS === this.span.from) this.span.from = from;
    else this.span = { from, to: from + DAY_MS, offset };
    return offset;
  }

  /** ms since the epoch shifted so that its UTC fields read as the local time (what spreadsheets store). */
  shifted(ms: number): number {
    return ms + this.offset(ms) * 60_000;
  }

  /** `YYYY-MM-DD HH:MM:SS` in the zone. */
  text(ms: number): string {
    const local = this.shifted(ms);
    const localDay = Math.floor(local / DAY_MS);
    if (localDay !== this.lastLocalDay) {
      const d = new Date(localDay * DAY_MS);
      this.lastDate = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `;
      this.lastLocalDay = localDay;
    }
    const seconds = Math.floor((local - localDay * DAY_MS) / 1000);
    const minutes = Math.floor(seconds / 60);
    return `${this.lastDate}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:${pad(seconds % 60)}`;
  }

  /** The offset from UTC at `ms` as ISO 8601 writes it: `+02:00`, `-03:30`, `+00:00`. */
  offsetText(ms: number): string {
    const minutes = this.offset(ms);
    const abs = Math.abs(minutes);
    return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  /**
   * `UTC+02:00`: the offset as an export cell. A bare `+02:00` would be neutralised as a formula start in CSV
   * and read as the time 02:00 (sign lost) by spreadsheets; with `UTC` before it stays text everywhere.
   */
  offsetCell(ms: number): string {
    const minutes = this.offset(ms);
    let cell = this.offsetCells.get(minutes);
    if (cell === undefined) {
      cell = `UTC${this.offsetText(ms)}`;
      this.offsetCells.set(minutes, cell);
    }
    return cell;
  }

  /** `YYYY-MM-DD` in the zone (file names). */
  date(ms: number): string {
    return this.text(ms).slice(0, 10);
  }
}
