import { describe, expect, it } from 'vitest';
import { foldIntoBuckets, meterReadingWh, powerAt, pulseTimes, roundWh, todayIn } from '../../../src/meters/pulse-math.ts';

const at = (iso: string) => Date.parse(iso);

describe('pulse arithmetic', () => {
  it('adds timed and missed pulses to the start reading, without floating-point noise', () => {
    expect(meterReadingWh({ energyPerPulseWh: 13.333, startReadingWh: 25_503_550 }, 3, 0)).toBe(25_503_590);
    expect(meterReadingWh({ energyPerPulseWh: 13.333, startReadingWh: 0 }, 2, 1)).toBe(40);
    expect(roundWh(0.1 + 0.2)).toBe(0.3);
  });

  it('takes power from the last two pulses and lets it decay while none arrives', () => {
    const last = at('2026-03-01T12:00:10Z');
    const input = { energyPerPulseWh: 13.333, lastPulses: [last, last - 10_000], lastLossEndedAt: null };
    // 13.333 Wh in 10 s = 4799.9 W, as long as no more than 10 s have passed.
    expect(powerAt(input, last + 5_000)).toEqual({ lastIntervalPowerW: 4799.9, powerW: 4799.9 });
    expect(powerAt(input, last)).toEqual({ lastIntervalPowerW: 4799.9, powerW: 4799.9 });
    // After 100 s without a pulse the power cannot have been more than 13.333 Wh per 100 s.
    expect(powerAt(input, last + 100_000).powerW).toBe(480);
    expect(powerAt(input, last + 3_600_000).powerW).toBe(13.3);
  });

  it('knows no power before two pulses, or across a connection loss', () => {
    const last = at('2026-03-01T12:00:10Z');
    expect(powerAt({ energyPerPulseWh: 1, lastPulses: [], lastLossEndedAt: null }, last)).toEqual({
      lastIntervalPowerW: null,
      powerW: null,
    });
    expect(powerAt({ energyPerPulseWh: 1, lastPulses: [last], lastLossEndedAt: null }, last).powerW).toBeNull();
    const lossBetween = { energyPerPulseWh: 1, lastPulses: [last, last - 600_000], lastLossEndedAt: last - 1000 };
    expect(powerAt(lossBetween, last + 1000).powerW).toBeNull();
    const lossBefore = { ...lossBetween, lastLossEndedAt: last - 700_000 };
    expect(powerAt(lossBefore, last + 1000).lastIntervalPowerW).toBe(6);
  });

  it("finds today's start in the zone, across midnight and on both DST days", () => {
    // 23:30 UTC on 1 March is already 2 March in Berlin (UTC+1).
    expect(todayIn(at('2026-03-01T23:30:00Z'), 'Europe/Berlin')).toEqual({ start: at('2026-03-01T23:00:00Z'), day: '2026-03-02' });
    expect(todayIn(at('2026-03-01T22:59:59.999Z'), 'Europe/Berlin').day).toBe('2026-03-01');
    // Spring forward (29 March 2026): the day starts at 00:00 CET = 23:00 UTC and is 23 hours long.
    const spring = todayIn(at('2026-03-29T21:00:00Z'), 'Europe/Berlin');
    expect(spring).toEqual({ start: at('2026-03-28T23:00:00Z'), day: '2026-03-29' });
    expect(todayIn(at('2026-03-29T22:30:00Z'), 'Europe/Berlin').start - spring.start).toBe(23 * 3_600_000);
    // Fall back (25 October 2026): starts at 00:00 CEST = 22:00 UTC, 25 hours long.
    const fall = todayIn(at('2026-10-25T22:30:00Z'), 'Europe/Berlin');
    expect(fall).toEqual({ start: at('2026-10-24T22:00:00Z'), day: '2026-10-25' });
    expect(todayIn(at('2026-10-25T23:00:00Z'), 'Europe/Berlin').start - fall.start).toBe(25 * 3_600_000);
    expect(todayIn(at('2026-03-01T23:30:00Z'), 'UTC').day).toBe('2026-03-01');
  });

  it('sorts batched pulse times, drops repeats, refuses the future beyond 60 s and non-dates', () => {
    const now = at('2026-03-01T12:00:00Z');
    expect(pulseTimes(['2026-03-01T11:59:50Z', '2026-03-01T11:59:40Z', '2026-03-01T11:59:50.000Z', '2026-03-01T12:00:30Z'], now)).toEqual({
      times: [now - 20_000, now - 10_000, now + 30_000],
    });
    expect(pulseTimes(['2026-03-01T12:01:01Z'], now)).toEqual({ invalid: '2026-03-01T12:01:01Z', reason: 'lies in the future' });
    expect(pulseTimes(['soon'], now)).toMatchObject({ reason: 'is not a date-time' });
  });

  it('folds 5-minute slots into buckets and a loss into the bucket in which it ended', () => {
    const edges = [0, 3_600_000, 7_200_000];
    const slots = [
      { slot: 0, pulses: 2 },
      { slot: 3_300_000, pulses: 1 },
      { slot: 3_600_000, pulses: 4 },
    ];
    expect(foldIntoBuckets(edges, slots, [{ endedAt: 3_600_000, pulsesMissed: 5 }])).toEqual([
      { pulses: 3, missedPulses: 0 },
      { pulses: 4, missedPulses: 5 },
    ]);
    expect(foldIntoBuckets(edges, [{ slot: 7_200_000, pulses: 9 }], [])).toEqual([
      { pulses: 0, missedPulses: 0 },
      { pulses: 0, missedPulses: 0 },
    ]);
  });
});
