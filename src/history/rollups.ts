/**
 * Rollup arithmetic, pure. Every sample carries the energy its reading adds (counter series only, see
 * meter-counter.ts), so a bucket's energy is the sum of its samples' energy: that includes the step into
 * the bucket from the previous bucket's last value, and rollups can be merged by plain addition. So can
 * the bucket's quality marks: readings held back as implausible, and meter resets.
 */

/** UTC rollup resolutions, finest first: 5 minutes, hour, day. */
export const RESOLUTIONS_MS = [300_000, 3_600_000, 86_400_000] as const;
export type Resolution = (typeof RESOLUTIONS_MS)[number];

export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  energy: number;
  suspect: number;
  resets: number;
}

/** One recorded reading and what it means for its series' rollups. */
export interface RolledSample {
  ts: number;
  value: number;
  /** Wh this reading adds (0 for non-counter series). */
  energy: number;
  suspect: boolean;
  reset: boolean;
}

export interface RollupRow extends Aggregate {
  resolution: Resolution;
  seriesId: number;
  bucketStart: number;
}

export const bucketOf = (ts: number, resolution: number) => ts - (((ts % resolution) + resolution) % resolution);

/** Aggregates one series' samples (ascending ts) into rollup rows of every resolution. */
export function rollupsOf(seriesId: number, samples: readonly RolledSample[]): RollupRow[] {
  const rows: RollupRow[] = [];
  for (const resolution of RESOLUTIONS_MS) {
    let current: RollupRow | undefined;
    for (const s of samples) {
      const bucketStart = bucketOf(s.ts, resolution);
      if (!current || current.bucketStart !== bucketStart) {
        current = { resolution, seriesId, bucketStart, ...emptyAggregate(), min: s.value, max: s.value };
        rows.push(current);
      }
      current.n++;
      current.sum += s.value;
      if (s.value < current.min) current.min = s.value;
      if (s.value > current.max) current.max = s.value;
      current.energy += s.energy;
      if (s.suspect) current.suspect++;
      if (s.reset) current.resets++;
    }
  }
  return rows;
}

export function merge(into: Aggregate, row: Aggregate): void {
  if (into.n === 0) {
    into.min = row.min;
    into.max = row.max;
  } else {
    if (row.min < into.min) into.min = row.min;
    if (row.max > into.max) into.max = row.max;
  }
  into.n += row.n;
  into.sum += row.sum;
  into.energy += row.energy;
  into.suspect += row.suspect;
  into.resets += row.resets;
}

export const emptyAggregate = (): Aggregate => ({ n: 0, sum: 0, min: 0, max: 0, energy: 0, suspect: 0, resets: 0 });

export type BucketQuality = 'measured' | 'corrected' | 'incomplete';

/** How far a bucket's energy can be trusted: null for a bucket without samples. */
export function qualityOf(a: Aggregate): BucketQuality | null {
  if (a.n === 0) return null;
  if (a.resets > 0) return 'incomplete';
  return a.suspect > 0 ? 'corrected' : 'measured';
}
