/**
 * Which series the recorder expects a sample of at every tick, and why each one it did not get is
 * missing. A series is expected once it has given a number since this instance started recording, and
 * until the live reads stop listing its entity (a retired chargepoint or vehicle is no longer expected).
 */
import type { Reading, Sample } from './sampling.ts';

export const GAP_REASONS = ['stale', 'no-value', 'live-store-unavailable', 'missed-tick', 'not-recording'] as const;
export type GapReason = (typeof GAP_REASONS)[number];

export interface TickAccount {
  samples: Sample[];
  gaps: Partial<Record<GapReason, number>>;
}

export class SeriesLedger {
  private readonly expected = new Set<string>();

  get size(): number {
    return this.expected.size;
  }

  account(readings: readonly Reading[], ts: number): TickAccount {
    const samples: Sample[] = [];
    const gaps: Partial<Record<GapReason, number>> = {};
    const listed = new Set<string>();
    for (const reading of readings) {
      listed.add(reading.series);
      if (!reading.stale && typeof reading.value === 'number') {
        this.expected.add(reading.series);
        samples.push({ series: reading.series, ts, value: reading.value });
      } else if (this.expected.has(reading.series)) {
        countGap(gaps, reading);
      }
    }
    for (const series of this.expected) if (!listed.has(series)) this.expected.delete(series);
    return { samples, gaps };
  }

  /**
   * Expects `series` from now on, as if each had given a value: a series recorded before this instance took
   * over is due from its first tick. Returns the gaps of this tick's `readings` of them that gave none.
   */
  expect(series: readonly string[], readings: readonly Reading[]): Partial<Record<GapReason, number>> {
    const wanted = new Set(series);
    const gaps: Partial<Record<GapReason, number>> = {};
    for (const reading of readings) {
      if (!wanted.has(reading.series) || this.expected.has(reading.series)) continue;
      this.expected.add(reading.series);
      countGap(gaps, reading);
    }
    return gaps;
  }

  /** Forgets everything: another instance records meanwhile, so what it expects is its own. */
  clear(): void {
    this.expected.clear();
  }
}

function countGap(gaps: Partial<Record<GapReason, number>>, reading: Reading): void {
  const reason = reading.stale ? 'stale' : 'no-value';
  gaps[reason] = (gaps[reason] ?? 0) + 1;
}
