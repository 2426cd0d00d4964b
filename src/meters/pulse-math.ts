/**
 * The arithmetic of a pulse meter, without storage or HTTP: readings, today's range, decaying power and
 * the folding of pulses into calendar buckets. Times are ms since the epoch (UTC); zones are IANA names.
 */
import { DateTime } from 'luxon';

/** How far ahead of the gateway's clock a device's pulse time may lie (clock skew), ms. */
export const MAX_FUTURE_SKEW_MS = 60_000;

/** Rounds away floating-point noise (13.333 × 3 = 39.999000000000002): Wh to the hundredth. */
export const roundWh = (wh: number): number => Math.round(wh * 100) / 100;

export interface MeterConstants {
  energyPerPulseWh: number;
  startReadingWh: number;
}

/** Every pulse counts into the reading, the ones timed and the ones missed during a connection loss. */
export function meterReadingWh(meter: MeterConstants, pulses: number, missedPulses: number): number {
  return roundWh(meter.startReadingWh + (pulses + missedPulses) * meter.energyPerPulseWh);
}

export function energyWh(energyPerPulseWh: number, pulses: number): number {
  return roundWh(pulses * energyPerPulseWh);
}

/** Local midnight of `now`'s day in `zone` up to `now`: [start, now]; a DST day is 23 or 25 hours long. */
export function todayIn(now: number, zone: string): { start: number; day: string } {
  const local = DateTime.fromMillis(now, { zone }).startOf('day');
  return { start: local.toMillis(), day: local.toISODate() as string };
}

export interface PowerInput {
  energyPerPulseWh: number;
  /** The last two pulses by time (not by arrival), newest first; fewer when fewer are known. */
  lastPulses: readonly number[];
  /** When the latest connection loss ended, if any: missed pulses between the last two make their interval meaningless. */
  lastLossEndedAt: number | null;
}

export interface Power {
  /** One pulse's energy over the interval between the last two pulses, W; null when unknown. */
  lastIntervalPowerW: number | null;
  /**
   * The power now, W: the last interval's, but never above one pulse over the time since the last pulse
   * (had the power been higher, another pulse would have come), so it decays while no pulse arrives.
   */
  powerW: number | null;
}

const watts = (energyPerPulseWh: number, ms: number) => (energyPerPulseWh * 3_600_000) / ms;
const roundW = (w: number) => Math.round(w * 10) / 10;

export function powerAt(input: PowerInput, now: number): Power {
  const [last, previous] = input.lastPulses;
  if (last === undefined || previous === undefined) return { lastIntervalPowerW: null, powerW: null };
  const lossBetween = input.lastLossEndedAt !== null && input.lastLossEndedAt > previous && input.lastLossEndedAt <= last;
  // Two pulses in one millisecond cannot happen (they are one pulse); guard the division anyway.
  if (lossBetween || last <= previous) return { lastIntervalPowerW: null, powerW: null };
  const interval = watts(input.energyPerPulseWh, last - previous);
  const since = now - last;
  const bound = since > 0 ? watts(input.energyPerPulseWh, since) : Infinity;
  return { lastIntervalPowerW: roundW(interval), powerW: roundW(Math.min(interval, bound)) };
}

export interface SlotCount {
  /** Start of a UTC slot (5 minutes, an hour or a day, aligned to the buckets' edges), ms. */
  slot: number;
  pulses: number;
}

export interface LossCount {
  endedAt: number;
  pulsesMissed: number;
}

export interface BucketTotals {
  pulses: number;
  missedPulses: number;
}

/**
 * Folds slots (sorted) and connection losses into the buckets between `edges` (ms, ascending):
 * a slot counts in the bucket it starts in (edges are slot-aligned), a loss in the bucket in which it
 * ended. Every bucket is returned, empty ones with zeros.
 */
export function foldIntoBuckets(edges: readonly number[], slots: readonly SlotCount[], losses: readonly LossCount[]): BucketTotals[] {
  const totals: BucketTotals[] = [];
  for (let b = 0; b < edges.length - 1; b++) totals.push({ pulses: 0, missedPulses: 0 });
  const bucketOf = (at: number): number => {
    let lo = 0;
    let hi = edges.length - 2;
    if (hi < 0 || at < (edges[0] as number) || at >= (edges[edges.length - 1] as number)) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((edges[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const { slot, pulses } of slots) {
    const b = bucketOf(slot);
    if (b >= 0) (totals[b] as BucketTotals).pulses += pulses;
  }
  for (const { endedAt, pulsesMissed } of losses) {
    const b = bucketOf(endedAt);
    if (b >= 0) (totals[b] as BucketTotals).missedPulses += pulsesMissed;
  }
  return totals;
}

/**
 * Pulse times as the device sent them → ms, sorted and without repeats within the request. Refuses
 * (returns the offending text) a time that is no instant or lies more than MAX_FUTURE_SKEW_MS ahead.
 */
export function pulseTimes(texts: readonly string[], now: number): { times: number[] } | { invalid: string; reason: string } {
  const times = new Set<number>();
  for (const text of texts) {
    const at = Date.parse(text);
    if (!Number.isFinite(at)) return { invalid: text, reason: 'is not a date-time' };
    if (at > now + MAX_FUTURE_SKEW_MS) return { invalid: text, reason: 'lies in the future' };
    if (at < 0) return { invalid: text, reason: 'lies before 1970' };
    times.add(at);
  }
  return { times: [...times].sort((a, b) => a - b) };
}
