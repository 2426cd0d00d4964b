/**
 * Session detection, pure: one observation of a chargepoint per recorder tick moves its session along.
 * Plugged with no open session opens one; plugged again updates it; unplugged closes it. An observation
 * that does not say whether a vehicle is plugged (stale or unknown) changes nothing, so a broker outage
 * or a restart never splits a session.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_MAX_POWER_W, readCounter, type CounterState } from '../history/meter-counter.ts';
import type { ChargePointDto } from '../api/types.ts';
import { costOf, type Tariff } from './tariff.ts';
import { worseQuality, type Session, type SessionChargeMode } from './model.ts';

export interface Observation {
  chargepointId: string;
  /** The recorder tick, ms since the epoch. */
  at: number;
  plugged: boolean | null;
  charging: boolean | null;
  power: number | null;
  energyImported: number | null;
  rfidTag: string | null;
  vehicleId: string | null;
  vehicleName: string | null;
  vehicleSoc: number | null;
  chargeMode: SessionChargeMode | null;
}

export interface DetectorOptions {
  intervalMs: number;
  tariff: Tariff;
  newId?: () => string;
  /** The chargepoint's maximum power, W: bounds the energy counted from its meter. */
  maxPowerW?: number;
}

export interface Step {
  /** The session after this observation: open, just closed (`end` set), or undefined when there is none. */
  session: Session | undefined;
  changed: boolean;
}

export function observationOf(cp: ChargePointDto, at: number): Observation {
  return {
    chargepointId: cp.id,
    at,
    plugged: cp.stale ? null : cp.plugged,
    charging: cp.charging ?? (cp.power === null ? null : cp.power > 0),
    power: cp.power,
    energyImported: cp.energyImported,
    rfidTag: cp.rfidTag,
    vehicleId: cp.vehicle?.id ?? null,
    vehicleName: cp.vehicle?.name ?? null,
    vehicleSoc: cp.vehicle?.soc ?? null,
    chargeMode: cp.chargeMode,
  };
}

/** Longest gap between two observations that still counts as continuous (a missed tick is tolerated). */
const maxGap = (options: DetectorOptions) => 3 * options.intervalMs;

export function observe(open: Session | undefined, obs: Observation, options: DetectorOptions): Step {
  if (obs.plugged === null) return { session: open, changed: false };
  if (!open) {
    if (!obs.plugged) return { session: undefined, changed: false };
    const session: Session = {
      id: (options.newId ?? randomUUID)(),
      chargepointId: obs.chargepointId,
      start: obs.at,
      end: null,
      energy: 0,
      chargingMs: 0,
      meanPower: null,
      peakPower: null,
      socStart: null,
      socEnd: null,
      chargeModes: [],
      rfidTag: null,
      vehicle: null,
      userId: null,
      cost: options.tariff.pricePerKwh === null ? null : 0,
      meterStart: null,
      meterLast: null,
      meter: null,
      source: 'recorder',
      externalKey: null,
      lastSeenAt: obs.at,
      lastCharging: false,
      quality: null,
    };
    absorb(session, obs, options, false);
    return { session, changed: true };
  }
  if (obs.at <= open.lastSeenAt) return { session: open, changed: false };
  const session: Session = { ...open, chargeModes: [...open.chargeModes] };
  const continuous = obs.at - open.lastSeenAt <= maxGap(options);
  if (obs.plugged) {
    absorb(session, obs, options, continuous);
  } else {
    // Unplugged: the meter may still have moved since the last tick; after a gap the unplug time is unknown,
    // so the session ends when it was last seen plugged.
    const step = addEnergy(session, obs, options);
    addChargingTime(session, obs, continuous, step);
    session.end = continuous ? obs.at : open.lastSeenAt;
    keepMeanWithinPeak(session, session.end);
  }
  return { session, changed: true };
}

/** The meter state of a session stored before it was kept: its last reading, trusted. */
function meterOf(session: Session): CounterState | null {
  if (session.meter) return session.meter;
  if (session.meterLast === null) return null;
  return { base: session.meterLast, baseAt: session.lastSeenAt, sinceAt: session.lastSeenAt, pending: null };
}

/** Adds the plausible meter increase this observation shows (see meter-counter.ts); returns it (Wh). */
function addEnergy(session: Session, obs: Observation, options: DetectorOptions): number {
  if (obs.energyImported === null) return 0;
  const step = readCounter(meterOf(session), obs.energyImported, obs.at, {
    maxPowerW: options.maxPowerW ?? DEFAULT_MAX_POWER_W.chargepoint,
  });
  session.meter = step.state;
  // As for history buckets: a reading held back makes the energy corrected, a meter reset leaves it incomplete.
  const verdict =
    step.baseline === 'reset' ? 'incomplete' : step.suspect || step.glitches > 0 ? 'corrected' : step.state ? 'measured' : null;
  session.quality = worseQuality(session.quality, verdict);
  if (step.state) {
    session.meterStart ??= step.state.base;
    session.meterLast = step.state.base;
  }
  if (step.energy > 0) {
    session.energy += step.energy;
    const cost = costOf(options.tariff, step.energy, obs.at);
    if (cost !== null) session.cost = (session.cost ?? 0) + cost;
  }
  return step.energy;
}

/**
 * Charging time: the whole interval since the last observation when the vehicle was charging then.
 * Otherwise, when the meter moved (charging began within the interval, or the data has a gap), the time
 * that energy took at the highest power seen, at most the interval.
 */
function addChargingTime(session: Session, obs: Observation, continuous: boolean, energyStep: number): void {
  const gap = obs.at - session.lastSeenAt;
  if (continuous && session.lastCharging) {
    session.chargingMs += gap;
    return;
  }
  if (energyStep <= 0) return;
  const power = Math.max(session.peakPower ?? 0, obs.power ?? 0);
  session.chargingMs += power > 0 ? Math.min(gap, (energyStep / power) * 3_600_000) : gap;
}

/**
 * Mean power never exceeds the peak: when the meter shows more energy than the sampled peak could deliver
 * in the observed charging time, the charging time is at least what the energy needed at that peak (within
 * the session) and, beyond that, the peak is at least the meter's mean power.
 */
function keepMeanWithinPeak(session: Session, until: number): void {
  if (session.energy <= 0) return;
  const energyMs = session.energy * 3_600_000;
  if (session.peakPower !== null && session.peakPower > 0 && session.chargingMs * session.peakPower < energyMs) {
    session.chargingMs = Math.min(energyMs / session.peakPower, Math.max(until - session.start, session.chargingMs));
  }
  if (session.chargingMs > 0 && energyMs / session.chargingMs > (session.peakPower ?? 0)) session.peakPower = energyMs / session.chargingMs;
}

function absorb(session: Session, obs: Observation, options: DetectorOptions, continuous: boolean): void {
  const step = addEnergy(session, obs, options);
  if (session.lastSeenAt < obs.at) addChargingTime(session, obs, continuous, step);
  if (obs.power !== null && (session.peakPower === null || obs.power > session.peakPower)) session.peakPower = obs.power;
  keepMeanWithinPeak(session, obs.at);
  if (obs.vehicleSoc !== null) {
    session.socStart ??= obs.vehicleSoc;
    session.socEnd = obs.vehicleSoc;
  }
  if (obs.chargeMode !== null && !session.chargeModes.includes(obs.chargeMode)) session.chargeModes.push(obs.chargeMode);
  if (obs.rfidTag !== null) session.rfidTag = obs.rfidTag;
  if (obs.vehicleId !== null || obs.vehicleName !== null) session.vehicle = { id: obs.vehicleId, name: obs.vehicleName };
  session.lastSeenAt = obs.at;
  session.lastCharging = obs.charging === true;
}
