/**
 * Local wall-clock times of a zone, fast enough for 100,000 rows: the zone's offset is looked up once per
 * quarter hour of UTC (every zone's offsets are whole quarter hours and change on a local quarter hour, so
 * on a UTC quarter hour too), and only the recent quarter hours are remembered, so memory stays flat.
 */
import { IANAZone } from 'luxon';

const QUARTER_MS = 900_000;
const REMEMBERED = 4096;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export class LocalTime {
  private readonly zone: IANAZone;
  private readonly offsets = new Map<number, number>();

  constructor(readonly zoneName: string) {
    this.zone = IANAZone.create(zoneName);
  }

  /** ms since the epoch shifted so that its UTC fields read as the local time (what spreadsheets store). */
  shifted(ms: number): number {
    const quarter = Math.floor(ms / QUARTER_MS);
    let offset = this.offsets.get(quarter);
    if (offset === undefined) {
      offset = this.zone.offset(ms);
      if (this.offsets.size >= REMEMBERED) this.offsets.clear();
      this.offsets.set(quarter, offset);
    }
    return ms + offset * 60_000;
  }

  /** `YYYY-MM-DD HH:MM:SS` in the zone. */
  text(ms: number): string {
    const d = new Date(this.shifted(ms));
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }

  /** `YYYY-MM-DD` in the zone (file names). */
  date(ms: number): string {
    return this.text(ms).slice(0, 10);
  }
}
