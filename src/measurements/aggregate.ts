/**
 * Folding hourly rollups (or raw points) into calendar buckets: pure. Each bucket gets per field the count,
 * min, mean, max and latest value; `null` values where the bucket has no point of the field.
 */
import type { Fields } from './limits.ts';
import { add, emptyAggregate, merge, type FieldAggregate, type HourRollup } from './rollups.ts';

export interface FieldSummary {
  count: number;
  min: number | null;
  avg: number | null;
  max: number | null;
  last: number | null;
}

export type BucketSummaries = Record<string, FieldSummary>;

function summary(a: FieldAggregate | undefined): FieldSummary {
  if (!a || a.n === 0) return { count: 0, min: null, avg: null, max: null, last: null };
  return { count: a.n, min: a.min, avg: a.sum / a.n, max: a.max, last: a.last };
}

/** `wanted` undefined: every field seen in the range, by name. */
function toSummaries(buckets: Map<string, FieldAggregate>[], wanted: readonly string[] | undefined) {
  const seen = new Set<string>();
  if (!wanted) for (const bucket of buckets) for (const field of bucket.keys()) seen.add(field);
  const fields = wanted ?? [...seen].sort();
  return {
    fields,
    buckets: buckets.map((bucket) => {
      const out: BucketSummaries = {};
      for (const field of fields) out[field] = summary(bucket.get(field));
      return out;
    }),
  };
}

/** Rollups ascending by hour into the buckets between `edges` (UTC ms; every edge a whole hour). */
export function foldRollups(edges: readonly number[], rollups: readonly HourRollup[], wanted?: readonly string[]) {
  const want = wanted && new Set(wanted);
  const buckets: Map<string, FieldAggregate>[] = [];
  let r = 0;
  for (let b = 0; b < edges.length - 1; b++) {
    const until = edges[b + 1] as number;
    const bucket = new Map<string, FieldAggregate>();
    for (; r < rollups.length && (rollups[r] as HourRollup).bucketStart < until; r++) {
      const rollup = rollups[r] as HourRollup;
      if (want && !want.has(rollup.field)) continue;
      let into = bucket.get(rollup.field);
      if (!into) bucket.set(rollup.field, (into = emptyAggregate()));
      merge(into, rollup);
    }
    buckets.push(bucket);
  }
  return toSummaries(buckets, wanted);
}

/** Points ascending by time into the buckets between `edges` (any edges: 5 minutes, half-hour zones). */
export function foldPoints(edges: readonly number[], points: readonly { ts: number; fields: Fields }[], wanted?: readonly string[]) {
  const want = wanted && new Set(wanted);
  const buckets: Map<string, FieldAggregate>[] = [];
  let p = 0;
  for (let b = 0; b < edges.length - 1; b++) {
    const until = edges[b + 1] as number;
    const bucket = new Map<string, FieldAggregate>();
    for (; p < points.length && (points[p] as { ts: number }).ts < until; p++) {
      const { ts, fields } = points[p] as { ts: number; fields: Fields };
      for (const field in fields) {
        if (want && !want.has(field)) continue;
        let into = bucket.get(field);
        if (!into) bucket.set(field, (into = emptyAggregate()));
        add(into, ts, fields[field] as number);
      }
    }
    buckets.push(bucket);
  }
  return toSummaries(buckets, wanted);
}
