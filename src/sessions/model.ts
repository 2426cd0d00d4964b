/** A charging session as the detector keeps it and the repository stores it. */
import type { CounterState } from '../history/meter-counter.ts';
import type { Schemas } from '../api/types.ts';

export type SessionChargeMode = Schemas['SessionChargeMode'];
export type SessionDto = Schemas['Session'];
export type SessionQuality = Exclude<Schemas['SessionQuality'], null>;

/** Who corrected a session: a user or an API key (see audit actors). */
export interface Corrector {
  type: 'user' | 'apiKey';
  id: string;
  name: string | null;
}

/** What a user changed after the fact; the recorded vehicle stays in `Session.vehicle`. */
export interface SessionCorrection {
  vehicle: { id: string; name: string | null } | null;
  note: string | null;
  at: number;
  by: Corrector;
}

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
  /** How far `energy` can be trusted (meter-counter verdicts); null while no meter reading was seen. */
  quality: SessionQuality | null;
  /** Kept by the repository only: the recorder never writes it. */
  correction?: SessionCorrection | null;
  source: 'recorder' | 'chargelog';
  /** Identifies an imported charge-log entry, so a second import skips it. */
  externalKey: string | null;
  /** Detector state: the last observation while plugged (ms) and whether the vehicle was charging then. */
  lastSeenAt: number;
  lastCharging: boolean;
}

export const SESSION_CHARGE_MODES: readonly SessionChargeMode[] = ['instant', 'pv', 'minPv', 'eco', 'scheduled', 'time', 'stop', 'standby'];

const QUALITY_RANK: Record<SessionQuality, number> = { measured: 0, corrected: 1, incomplete: 2 };

/** The worse of two verdicts: a session is as trustworthy as its least trustworthy reading. */
export function worseQuality(a: SessionQuality | null, b: SessionQuality | null): SessionQuality | null {
  if (a === null) return b;
  if (b === null) return a;
  return QUALITY_RANK[b] > QUALITY_RANK[a] ? b : a;
}

/** The vehicle the session counts for: the corrected one, else the recorded one. */
export function vehicleOf(session: Session): Session['vehicle'] {
  return session.correction?.vehicle ?? session.vehicle;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function meanPowerOf(session: Session): number | null {
  if (session.meanPower !== null) return session.meanPower;
  return session.chargingMs > 0 ? (session.energy * 3_600_000) / session.chargingMs : null;
}

/** The figures of a session as the API shows them (rounded), shared with the exports so that they show the same. */
export const shown = {
  energy: (session: Session): number => round(session.energy, 3),
  chargingTime: (session: Session): number => Math.round(session.chargingMs / 1000),
  meanPower(session: Session): number | null {
    const mean = meanPowerOf(session);
    // Rounding must not lift the mean above the peak.
    return mean === null ? null : Math.min(round(mean, 1), session.peakPower ?? Number.POSITIVE_INFINITY);
  },
  cost: (session: Session): number | null => (session.cost === null ? null : round(session.cost, 4)),
};

export function toDto(session: Session, userNames: ReadonlyMap<string, string> = new Map()): SessionDto {
  return {
    id: session.id,
    chargepointId: session.chargepointId,
    start: new Date(session.start).toISOString(),
    end: session.end === null ? null : new Date(session.end).toISOString(),
    energy: shown.energy(session),
    chargingTime: shown.chargingTime(session),
    meanPower: shown.meanPower(session),
    peakPower: session.peakPower,
    socStart: session.socStart,
    socEnd: session.socEnd,
    chargeModes: session.chargeModes,
    rfidTag: session.rfidTag,
    vehicle: vehicleOf(session),
    user: session.userId === null ? null : { id: session.userId, name: userNames.get(session.userId) ?? null },
    cost: shown.cost(session),
    quality: session.quality,
    correction: session.correction
      ? {
          vehicleId: session.correction.vehicle?.id ?? null,
          note: session.correction.note,
          correctedAt: new Date(session.correction.at).toISOString(),
          correctedBy: session.correction.by,
          original: { vehicle: session.vehicle },
        }
      : null,
  };
}
