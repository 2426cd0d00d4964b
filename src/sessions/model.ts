/** A charging session as the detector keeps it and the repository stores it. */
import type { CounterState } from '../history/meter-counter.ts';
import type { Schemas } from '../api/types.ts';

export type SessionChargeMode = Schemas['SessionChargeMode'];
export type SessionDto = Schemas['Session'];

export interface Session {
  id: string;
  chargepointId: string;
  /** ms since the epoch */
  start: number;
  end: number | null;
  /** Wh */
  energy: number;
  /** ms actually charging, as observed */
  chargingMs: number;
  /** W; set explicitly for imported sessions (openWB's own average), otherwise energy / charging time */
  meanPower: number | null;
  peakPower: number | null;
  socStart: number | null;
  socEnd: number | null;
  chargeModes: SessionChargeMode[];
  rfidTag: string | null;
  vehicle: { id: string | null; name: string | null } | null;
  userId: string | null;
  cost: number | null;
  /** Trusted meter readings (Wh) at the start and at the latest observation. */
  meterStart: number | null;
  meterLast: number | null;
  /** Detector state: which meter readings are trusted (null before the first; absent in imported sessions). */
  meter?: CounterState | null;
  source: 'recorder' | 'chargelog';
  /** Identifies an imported charge-log entry, so a second import skips it. */
  externalKey: string | null;
  /** Detector state: the last observation while plugged (ms) and whether the vehicle was charging then. */
  lastSeenAt: number;
  lastCharging: boolean;
}

export const SESSION_CHARGE_MODES: readonly SessionChargeMode[] = ['instant', 'pv', 'minPv', 'eco', 'scheduled', 'time', 'stop', 'standby'];

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function meanPowerOf(session: Session): number | null {
  if (session.meanPower !== null) return session.meanPower;
  return session.chargingMs > 0 ? (session.energy * 3_600_000) / session.chargingMs : null;
}

export function toDto(session: Session, userNames: ReadonlyMap<string, string> = new Map()): SessionDto {
  const mean = meanPowerOf(session);
  // Rounding must not lift the mean above the peak.
  const meanPower = mean === null ? null : Math.min(round(mean, 1), session.peakPower ?? Number.POSITIVE_INFINITY);
  return {
    id: session.id,
    chargepointId: session.chargepointId,
    start: new Date(session.start).toISOString(),
    end: session.end === null ? null : new Date(session.end).toISOString(),
    energy: round(session.energy, 3),
    chargingTime: Math.round(session.chargingMs / 1000),
    meanPower,
    peakPower: session.peakPower,
    socStart: session.socStart,
    socEnd: session.socEnd,
    chargeModes: session.chargeModes,
    rfidTag: session.rfidTag,
    vehicle: session.vehicle,
    user: session.userId === null ? null : { id: session.userId, name: userNames.get(session.userId) ?? null },
    cost: session.cost === null ? null : round(session.cost, 4),
  };
}
