import { describe, expect, it } from 'vitest';
import { BASELINE_MS, readCounter, type CounterState, type CounterStep } from '../../../src/history/meter-counter.ts';

const S = 10_000;
const LIMITS = { maxPowerW: 25_000 };

/** Feeds readings taken every `interval` ms (null = no reading at that tick) and sums what they credit. */
function feed(readings: readonly (number | null)[], interval = S, limits = LIMITS) {
  let state: CounterState | null = null;
  const steps: CounterStep[] = [];
  readings.forEach((value, i) => {
    if (value === null) return;
    const step = readCounter(state, value, i * interval, limits);
    state = step.state;
    steps.push(step);
  });
  return {
    energy: steps.reduce((sum, s) => sum + s.energy, 0),
    glitches: steps.reduce((sum, s) => sum + s.glitches, 0),
    suspect: steps.filter((s) => s.suspect).length,
    baselines: steps.map((s) => s.baseline).filter((b) => b !== null),
    energies: steps.map((s) => s.energy),
    state: state as CounterState | null,
  };
}

describe('meter counter', () => {
  it('counts plausible increases as energy', () => {
    const run = feed([1_250_000, 1_250_030, 1_250_061, 1_250_061, 1_250_092]);
    expect(run).toMatchObject({ energy: 92, glitches: 0, suspect: 0, baselines: [] });
  });

  it('takes a drop to 0 for two readings as a glitch: neither a reset nor consumption', () => {
    const run = feed([1_250_000, 1_250_030, 0, 0, 1_250_120, 1_250_150]);
    expect(run.energy).toBe(150);
    expect(run.energies).toEqual([0, 30, 0, 0, 90, 30]);
    expect(run).toMatchObject({ glitches: 2, suspect: 2, baselines: [] });
  });

  it('takes one huge reading as a glitch', () => {
    const run = feed([1_250_000, 1_250_030, 1e308, 1_250_090, 1_250_120]);
    expect(run).toMatchObject({ energy: 120, glitches: 1, suspect: 1, baselines: [] });
    // 31 kW over 10 s is beyond a chargepoint's 25 kW: also a spike.
    expect(feed([1000, 1030, 1116, 1090]).energy).toBe(90);
  });

  it('refuses non-finite and negative readings without moving the baseline', () => {
    const run = feed([1000, Number.NaN, -5, Number.POSITIVE_INFINITY, 1040]);
    expect(run).toMatchObject({ energy: 40, glitches: 3 });
    expect(feed([Number.NaN, 1000, 1030]).energy).toBe(30);
  });

  it('recognises a meter reset by a sustained new baseline and counts on from it', () => {
    // Reset to 0 at tick 2; the new meter counts 30 Wh per tick from then on.
    const run = feed([5000, 5030, 0, 30, 60, 90, 120, 150, 180, 210]);
    expect(run.baselines).toEqual(['reset']);
    // Nothing across the reset; everything the new meter counted since it started.
    expect(run.energy).toBe(30 + 210);
    // Confirmed after 5 readings spanning a minute (ticks 2–8), credited at once, then counting normally.
    expect(run.energies).toEqual([0, 30, 0, 0, 0, 0, 0, 0, 180, 30]);
    expect(run.state).toMatchObject({ base: 210, pending: null });
  });

  it('recognises a meter replacement (a higher new meter) the same way', () => {
    const readings = [5000, 5030, 9_000_000, 9_000_030, 9_000_030, 9_000_060, 9_000_090, 9_000_120, 9_000_150, 9_000_180];
    const run = feed(readings);
    expect(run.baselines).toEqual(['reset']);
    expect(run.energy).toBe(30 + 180);
    expect(run.glitches).toBe(0);
  });

  it('waits for both the readings and the minute before taking a new baseline', () => {
    // At 1 s sampling five readings are not enough: a glitch of 20 s stays a glitch.
    const glitch = feed([...[1000, 1001, 1002], ...Array<number>(20).fill(0), 1026], 1_000);
    expect(glitch).toMatchObject({ energy: 26, glitches: 20, baselines: [] });
    const reset = feed([1000, ...Array.from({ length: BASELINE_MS / 1_000 + 1 }, (_, i) => i)], 1_000);
    expect(reset.baselines).toEqual(['reset']);
  });

  it('counts across a register rollover exactly', () => {
    const run = feed([99_999_950, 99_999_980, 10, 40, 70, 100, 130, 160, 190]);
    expect(run.baselines).toEqual(['rollover']);
    expect(run.energy).toBe(30 + 30 + 180);
    const register = feed([2 ** 32 - 20, 2 ** 32 - 10, 20, 50, 80, 110, 140, 170, 200]);
    expect(register.baselines).toEqual(['rollover']);
    expect(register.energy).toBe(10 + 30 + 180);
  });

  it('bounds an increase after a gap by the maximum power over the whole gap', () => {
    // One hour without readings at up to 25 kW: 11 kWh is plausible, 30 kWh is not.
    expect(feed([1000, null, 12_000], 1_800_000).energy).toBe(11_000);
    const jump = feed([1000, null, 31_000, 1000 + 1000], 1_800_000);
    expect(jump).toMatchObject({ energy: 1000, glitches: 1 });
  });

  it('lets a coarse counter step by a whole kWh after standing still', () => {
    // A kWh-resolution meter at 11 kW steps 1000 Wh about every 330 s; each step is within 25 kW since it last moved.
    const readings = Array.from({ length: 70 }, (_, i) => 1_000_000 + 1000 * Math.floor(i / 33));
    expect(feed(readings)).toMatchObject({ energy: 2000, suspect: 0 });
  });

  it('never credits more than the maximum power allows over the time covered', () => {
    const readings = [0, 69, 140, 200, 0, 0, 700, 770, 5_000, 840];
    let state: CounterState | null = null;
    let lastCreditAt = 0;
    readings.forEach((value, i) => {
      const step = readCounter(state, value, i * S, LIMITS);
      if (step.energy > 0) {
        expect(step.energy).toBeLessThanOrEqual((LIMITS.maxPowerW * (i * S - lastCreditAt)) / 3_600_000 + 1e-6);
        lastCreditAt = i * S;
      }
      state = step.state;
    });
  });
});
