/**
 * Session detection, pure: one observation of a chargepoint per recorder tick moves its session along.
 * Plugged with no open session opens one; plugged again updates it; unplugged closes it. An observation
 * that does not say whether a vehicle is plugged (stale or unknown) changes nothing, so a broker outage
 * or a restart never splits a session.
 */
import { randomUUID } from 'node:crypto';
import type { ChargePointDto } from '../api/types.ts';
import { costOf, type Tariff } from './tariff.ts';
import type { Session, SessionChargeMode } from './model.ts';

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
      meterStart: obs.energyImported,
      meterLast: obs.energyImported,
      source: 'recorder',
      externalKey: null,
      lastSeenAt: obs.at,
      lastCharging: false,
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
  }
  return { session, changed: true };
}

/** Adds the meter's increase since the last observation; returns it (Wh). */
function addEnergy(session: Session, obs: Observation, options: DetectorOptions): number {
  if (obs.energyImported === null) return 0;
  let added = 0;
  if (session.meterStart === null) session.meterStart = obs.energyImported;
  if (session.meterLast !== null) {
    const step = obs.energyImported - session.meterLast;
    // A decrease is a meter reset or swap: no energy, and the new reading becomes the base.
    if (step > 0) {
      added = step;
      session.energy += step;
      const cost = costOf(options.tariff, step, obs.at);
      if (cost !== null) session.cost = (session.cost ?? 0) + cost;
    }
  }
  session.meterLast = obs.energyImported;
  return added;
}

/**
 * Observed charging time: the time since the last observation when the vehicle was charging then. Across
 * a gap in the data (outage, restart) it is estimated from the energy charged meanwhile at the session's
 * peak power, at most the length of the gap.
 */
function addChargingTime(session: Session, obs: Observation, continuous: boolean, energyStep: number): void {
  const gap = obs.at - session.lastSeenAt;
  if (continuous) {
    if (session.lastCharging) session.chargingMs += gap;
    return;
  }
  const power = Math.max(session.peakPower ?? 0, obs.power ?? 0);
  if (energyStep > 0 && power > 0) session.chargingMs += Math.min(gap, (energyStep / power) * 3_600_000);
}

function absorb(session: Session, obs: Observation, options: DetectorOptions, continuous: boolean): void {
  const step = addEnergy(session, obs, options);
  if (session.lastSeenAt < obs.at) addChargingTime(session, obs, continuous, step);
  if (obs.power !== null && (session.peakPower === null || obs.power > session.peakPower)) session.peakPower = obs.power;
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
