/**
 * Energy from a cumulative meter counter (Wh), pure. A reading is trusted when it lies between the last
 * trusted reading and what the metered circuit's maximum power could have added since the counter first
 * showed that reading (so a coarse counter that steps by whole kWh is trusted too). Anything else (a drop, or a jump beyond that bound) is held back: readings that come back to the
 * old baseline were a glitch and count nothing; readings that keep counting on from the new level for
 * BASELINE_READINGS readings and BASELINE_MS are a meter reset, replacement or rollover.
 *
 * Why five readings and a minute: a glitch (a failed Modbus read answered with 0, a meter reboot) lasts a
 * few readings, while replacing a meter means minutes without power and then steady counting. A minute of
 * readings consistent with each other separates the two at openWB's 10 s cycle and at 1 s sampling alike,
 * and waiting costs nothing: what the new meter counted meanwhile is credited when the baseline is confirmed.
 */

export const BASELINE_READINGS = 5;
export const BASELINE_MS = 60_000;

/** Default bounds, W: 3 × 32 A at 253 V for a chargepoint; a generous house connection for site meters. */
export const DEFAULT_MAX_POWER_W = { chargepoint: 25_000, site: 200_000 } as const;

const HOUR_MS = 3_600_000;
/** Float noise when subtracting readings around 10^9 Wh. */
const EPSILON_WH = 1e-6;
/** Register limits a counter may wrap at (Wh), besides the next power of ten. */
const REGISTER_LIMITS = [2 ** 16, 2 ** 31, 2 ** 32] as const;

export interface CounterLimits {
  /** The most power the metered circuit can carry, W: bounds every counted increase. */
  maxPowerW: number;
}

/** A run of readings off the trusted baseline, consistent with each other: a possible new baseline. */
export interface PendingBaseline {
  first: number;
  firstAt: number;
  last: number;
  lastAt: number;
  /** When the run's counter first showed its latest value. */
  sinceAt: number;
  readings: number;
  /** Wh counted within the run, credited if it becomes the baseline. */
  energy: number;
}

export interface CounterState {
  /** The last trusted reading (Wh) and its time (ms). */
  base: number;
  baseAt: number;
  /** When the counter first showed `base`: the next increase is bounded by max power since then. */
  sinceAt: number;
  pending: PendingBaseline | null;
}

export interface CounterStep {
  /** Null only while a series has had no usable reading yet. */
  state: CounterState | null;
  /** Wh this reading adds (≥ 0). */
  energy: number;
  /** This reading was not trusted when it came (held back as a glitch or a possible new baseline). */
  suspect: boolean;
  /** Readings found with this one to have been transient glitches. */
  glitches: number;
  /** Set when this reading confirms a new baseline. */
  baseline: 'reset' | 'rollover' | null;
}

const allowance = (limits: CounterLimits, since: number, at: number) => (limits.maxPowerW * Math.max(0, at - since)) / HOUR_MS + EPSILON_WH;

/** The counted increase from `from` (stood there since `since`) to `value` at `at`, or undefined when implausible. */
function plausibleRise(from: number, since: number, value: number, at: number, limits: CounterLimits): number | undefined {
  const rise = value - from;
  return rise >= -EPSILON_WH && rise <= allowance(limits, since, at) ? Math.max(0, rise) : undefined;
}

/** The energy across a wrap of the register from `base` to `first`, when a plausible register limit explains the drop. */
function rolloverEnergy(state: CounterState, pending: PendingBaseline, limits: CounterLimits): number | undefined {
  if (pending.first >= state.base) return undefined;
  const powerOfTen = 10 ** Math.ceil(Math.log10(state.base + 1));
  const across = [powerOfTen, ...REGISTER_LIMITS]
    .filter((limit) => limit > state.base)
    .map((limit) => limit - state.base + pending.first)
    .filter((energy) => energy <= allowance(limits, state.sinceAt, pending.firstAt));
  return across.length ? Math.min(...across) : undefined;
}

const fresh = (value: number, at: number): PendingBaseline => ({
  first: value,
  firstAt: at,
  last: value,
  lastAt: at,
  sinceAt: at,
  readings: 1,
  energy: 0,
});

/** Moves a counter on by one reading. `state` is null before the first reading of a series. */
export function readCounter(state: CounterState | null, value: number, at: number, limits: CounterLimits): CounterStep {
  const still = (s: CounterState | null, extra: Partial<CounterStep> = {}): CounterStep => ({
    state: s,
    energy: 0,
    suspect: false,
    glitches: 0,
    baseline: null,
    ...extra,
  });
  // A non-finite or negative reading can never be a meter's state, not even a new baseline.
  if (!Number.isFinite(value) || value < 0) return still(state, { suspect: true, glitches: 1 });
  if (!state) return still({ base: value, baseAt: at, sinceAt: at, pending: null });
  if (at <= state.baseAt) return still(state);

  const rise = plausibleRise(state.base, state.sinceAt, value, at, limits);
  if (rise !== undefined) {
    return still(
      { base: value, baseAt: at, sinceAt: rise > 0 ? at : state.sinceAt, pending: null },
      { energy: rise, glitches: state.pending?.readings ?? 0 },
    );
  }

  const pending = state.pending;
  const step = pending && at > pending.lastAt ? plausibleRise(pending.last, pending.sinceAt, value, at, limits) : undefined;
  if (!pending || step === undefined) {
    // Neither the baseline nor the run held so far explains this reading: the run was a glitch.
    return still({ ...state, pending: fresh(value, at) }, { suspect: true, glitches: pending?.readings ?? 0 });
  }
  const run: PendingBaseline = {
    ...pending,
    last: value,
    lastAt: at,
    sinceAt: step > 0 ? at : pending.sinceAt,
    readings: pending.readings + 1,
    energy: pending.energy + step,
  };
  if (run.readings < BASELINE_READINGS || at - run.firstAt < BASELINE_MS) return still({ ...state, pending: run }, { suspect: true });
  const wrapped = rolloverEnergy(state, run, limits);
  return still(
    { base: value, baseAt: at, sinceAt: run.sinceAt, pending: null },
    { energy: run.energy + (wrapped ?? 0), baseline: wrapped === undefined ? 'reset' : 'rollover' },
  );
}
