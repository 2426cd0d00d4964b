/**
 * Rollup arithmetic, pure. Every sample carries the delta from the previous sample of its series
 * (counter series only), so a bucket's energy is the sum of its samples' deltas: that includes the step
 * into the bucket from the previous bucket's last value, and rollups can be merged by plain addition.
 */
import type { SeriesKind } from './series.ts';

/** UTC rollup resolutions, finest first: 5 minutes, hour, day. */
export const RESOLUTIONS_MS = [300_000, 3_600_000, 86_400_000] as const;
export type Resolution = (typeof RESOLUTIONS_MS)[number];

export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  energy: number;
}

export interface RollupRow extends Aggregate {
  resolution: Resolution;
  seriesId: number;
  bucketStart: number;
}

/** The energy a counter step stands for: a decrease is a meter reset or swap and counts as 0, never negative. */
export function counterDelta(kind: SeriesKind, previous: number | null, value: number): number {
  if (kind !== 'energy' || previous === null) return 0;
  const delta = value - previous;
  return delta > 0 ? delta : 0;
}

export const bucketOf = (ts: number, resolution: number) => ts - (((ts % resolution) + resolution) % resolution);

/** Aggregates one series' samples (ascending ts, with their deltas) into rollup rows of every resolution. */
export function rollupsOf(seriesId: number, samples: readonly { ts: number; value: number; delta: number }[]): RollupRow[] {
  const rows: RollupRow[] = [];
  for (const resolution of RESOLUTIONS_MS) {
    let current: RollupRow | undefined;
    for (const s of samples) {
      const bucketStart = bucketOf(s.ts, resolution);
      if (!current || current.bucketStart !== bucketStart) {
        current = { resolution, seriesId, bucketStart, n: 0, sum: 0, min: s.value, max: s.value, energy: 0 };
        rows.push(current);
      }
      current.n++;
      current.sum += s.value;
      if (s.value < current.min) current.min = s.value;
      if (s.value > current.max) current.max = s.value;
      current.energy += s.delta;
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
}

export const emptyAggregate = (): Aggregate => ({ n: 0, sum: 0, min: 0, max: 0, energy: 0 });
