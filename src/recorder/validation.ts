/**
 * The recorder's own checks, before any SQL: what the database would refuse (or store wrongly) is caught
 * here without a round trip. A sample either passes or is rejected whole; a session update with one bad
 * optional field is stored without that field, and the original goes to quarantine.
 */
import { seriesKindOf } from '../history/series.ts';
import type { Session } from '../sessions/model.ts';
import type { Sample } from './sampling.ts';

export const REJECT_REASONS = ['invalid-series', 'non-finite', 'out-of-range', 'too-long', 'refused-by-database'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Beyond 1 TW or 1 TWh no openWB value is real, and sums of such values would overflow a day's rollup. */
export const MAX_ABS_VALUE = 1e12;

export interface Problem {
  reason: RejectReason;
  detail: string;
}

export function sampleProblem(sample: Sample): Problem | undefined {
  if (!seriesKindOf(sample.series))
    return { reason: 'invalid-series', detail: `not a recordable series id: ${sample.series.slice(0, 200)}` };
  if (!Number.isFinite(sample.value) || !Number.isSafeInteger(sample.ts)) {
    return { reason: 'non-finite', detail: `${sample.series}: value ${sample.value} at ${sample.ts} is not a finite number` };
  }
  if (Math.abs(sample.value) > MAX_ABS_VALUE) {
    return { reason: 'out-of-range', detail: `${sample.series}: |${sample.value}| exceeds ${MAX_ABS_VALUE}` };
  }
  return undefined;
}

/** Column widths of charging_sessions on MariaDB (characters). */
const MAX_LENGTH = { chargepointId: 32, rfidTag: 200, vehicleId: 32, vehicleName: 200, userId: 64, externalKey: 120 } as const;
const MAX_CHARGING_S = 2 ** 31 - 1;

type NullableNumber = 'peakPower' | 'socStart' | 'socEnd' | 'cost' | 'meterStart' | 'meterLast' | 'meanPower';
const NULLABLE_NUMBERS: readonly NullableNumber[] = ['peakPower', 'socStart', 'socEnd', 'cost', 'meterStart', 'meterLast', 'meanPower'];

export interface SessionCheck {
  /** What can be stored: the session, or a copy without its bad optional fields; undefined when nothing can. */
  storable: Session | undefined;
  problems: Problem[];
}

const finite = (value: number) => Number.isFinite(value) && Math.abs(value) <= MAX_ABS_VALUE;

export function checkSession(session: Session): SessionCheck {
  const problems: Problem[] = [];
  const refuse = (reason: RejectReason, detail: string): SessionCheck => ({ storable: undefined, problems: [{ reason, detail }] });
  if (session.chargepointId.length > MAX_LENGTH.chargepointId) return refuse('too-long', 'chargepointId is too long');
  for (const key of ['start', 'lastSeenAt'] as const) {
    if (!Number.isSafeInteger(session[key])) return refuse('non-finite', `${key} ${session[key]} is not a time`);
  }
  if (session.end !== null && !Number.isSafeInteger(session.end)) return refuse('non-finite', `end ${session.end} is not a time`);
  if (!finite(session.energy)) return refuse(Number.isFinite(session.energy) ? 'out-of-range' : 'non-finite', `energy ${session.energy}`);
  if (!Number.isFinite(session.chargingMs) || session.chargingMs < 0 || session.chargingMs / 1000 > MAX_CHARGING_S) {
    return refuse('out-of-range', `chargingMs ${session.chargingMs}`);
  }
  const repaired: Session = { ...session, vehicle: session.vehicle && { ...session.vehicle } };
  for (const key of NULLABLE_NUMBERS) {
    const value = repaired[key];
    if (value !== null && !finite(value)) {
      problems.push({ reason: Number.isFinite(value) ? 'out-of-range' : 'non-finite', detail: `${key} ${value} stored as null` });
      repaired[key] = null;
    }
  }
  const tooLong = (name: string, value: string | null, max: number) => {
    if (value === null || value.length <= max) return false;
    problems.push({ reason: 'too-long', detail: `${name} of ${value.length} characters (at most ${max}) stored as null` });
    return true;
  };
  if (tooLong('rfidTag', repaired.rfidTag, MAX_LENGTH.rfidTag)) repaired.rfidTag = null;
  if (tooLong('userId', repaired.userId, MAX_LENGTH.userId)) repaired.userId = null;
  if (tooLong('externalKey', repaired.externalKey, MAX_LENGTH.externalKey)) repaired.externalKey = null;
  if (repaired.vehicle) {
    if (tooLong('vehicle.id', repaired.vehicle.id, MAX_LENGTH.vehicleId)) repaired.vehicle.id = null;
    if (tooLong('vehicle.name', repaired.vehicle.name, MAX_LENGTH.vehicleName)) repaired.vehicle.name = null;
  }
  return { storable: problems.length ? repaired : session, problems };
}
