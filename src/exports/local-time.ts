/**
 * Local wall-clock times of a zone, fast enough for 100,000 rows: the zone's offset is looked up at the two
 * ends of each UTC day (remembered for the recent days only, so memory stays flat); a day whose ends differ
 * holds a daylight-saving change, and only its times are looked up one by one.
 */
import { IANAZone } from 'luxon';

const DAY_MS = 86_400_000;
const REMEMBERED = 1024;
const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export class LocalTime {
  private readonly zone: IANAZone;
  /** Per UTC day: its offset (minutes) when the same all day, else null. */
  private readonly days = new Map<number, number | null>();

  constructor(readonly zoneName: string) {
    this.zone = IANAZone.create(zoneName);
  }

  private offset(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    let offset = this.days.get(day);
    if (offset === undefined) {
      const first = this.zone.offset(day * DAY_MS);
      offset = first === this.zone.offset((day + 1) * DAY_MS - 1) ? first : null;
      if (this.days.size >= REMEMBERED) this.days.clear();
      this.days.set(day, offset);
    }
    return offset ?? this.zone.offset(ms);
  }

  /** ms since the epoch shifted so that its UTC fields read as the local time (what spreadsheets store). */
  shifted(ms: number): number {
    return ms + this.offset(ms) * 60_000;
  }
  /** `YYYY-MM-DD HH:MM:SS` in the zone. */
  text(ms: number): string {
    const d = new Date(this.shifted(ms));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }

  /** `YYYY-MM-DD` in the zone (file names). */
  date(ms: number): string {
    return this.text(ms).slice(0, 10);
  }
}
