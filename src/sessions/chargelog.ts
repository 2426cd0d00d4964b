/**
 * openWB 2.x charge-log entries → sessions. Parsing is tolerant: 2.1.4 entries
 * lack SoC, exported and power-source fields; an entry without a chargepoint id or valid times is
 * reported as invalid and skipped. Entries written at a charge-mode switch while charging goes on are
 * joined back into one plug-in session.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Session, SessionChargeMode } from './model.ts';

const num = z.number().finite();
const entrySchema = z.object({
  chargepoint: z.object({
    id: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    imported_at_start: num.nullish(),
    imported_at_end: num.nullish(),
  }),
  vehicle: z
    .object({
      id: z.union([z.number().int(), z.string()]).nullish(),
      name: z.string().nullish(),
      chargemode: z.string().nullish(),
      rfid: z.string().nullish(),
      soc_at_start: num.nullish(),
      soc_at_end: num.nullish(),
    })
    .nullish(),
  time: z.object({ begin: z.string(), end: z.string(), time_charged: z.string().nullish() }),
  data: z.object({
    imported_since_mode_switch: num.nullish(),
    imported_since_plugged: num.nullish(),
    power: num.nullish(),
    costs: num.nullish(),
  }),
});

type Entry = z.infer<typeof entrySchema>;

const MODES: Record<string, SessionChargeMode> = {
  instant_charging: 'instant',
  pv_charging: 'pv',
  eco_charging: 'eco',
  scheduled_charging: 'scheduled',
  time_charging: 'time',
  stop: 'stop',
  standby: 'standby',
};

/** openWB writes local time as `MM/DD/YYYY, HH:MM:SS`. */
export function parseLogTime(text: string, zone: string): number | undefined {
  const parsed = DateTime.fromFormat(text.trim(), 'MM/dd/yyyy, HH:mm:ss', { zone });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

/** `H:MM` → ms. */
function parseTimeCharged(text: string | null | undefined): number {
  const match = /^(\d+):([0-5]\d)$/.exec(text?.trim() ?? '');
  return match ? (Number(match[1]) * 60 + Number(match[2])) * 60_000 : 0;
}

/** A stable UUID-shaped id from the entry's identity, so importing the same entry twice cannot create two sessions. */
function idFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const soc = (value: number | null | undefined) => (typeof value === 'number' && value >= 0 && value <= 100 ? value : null);
const positive = (value: number | null | undefined) => (typeof value === 'number' && value > 0 ? value : null);

interface Candidate {
  session: Session;
  importedSincePlugged: number | null;
}

function toCandidate(entry: Entry, zone: string): Candidate | undefined {
  const start = parseLogTime(entry.time.begin, zone);
  const end = parseLogTime(entry.time.end, zone);
  if (start === undefined || end === undefined || end < start) return undefined;
  const cp = entry.chargepoint;
  const meterStart = cp.imported_at_start ?? null;
  const meterEnd = cp.imported_at_end ?? null;
  const energy = entry.data.imported_since_mode_switch ?? (meterStart !== null && meterEnd !== null ? meterEnd - meterStart : 0);
  const vehicle = entry.vehicle;
  const mode = vehicle?.chargemode ? MODES[vehicle.chargemode] : undefined;
  const chargepointId = String(cp.id);
  const externalKey = `chargelog:${chargepointId}:${start}:${meterStart ?? ''}`;
  return {
    importedSincePlugged: entry.data.imported_since_plugged ?? null,
    session: {
      id: idFromKey(externalKey),
      chargepointId,
      start,
      end,
      energy: Math.max(0, energy),
      chargingMs: parseTimeCharged(entry.time.time_charged),
      meanPower: positive(entry.data.power),
      peakPower: null,
      socStart: soc(vehicle?.soc_at_start),
      socEnd: soc(vehicle?.soc_at_end),
      chargeModes: mode ? [mode] : [],
      rfidTag: vehicle?.rfid || null,
      vehicle:
        vehicle && (vehicle.id != null || vehicle.name)
          ? { id: vehicle.id == null ? null : String(vehicle.id), name: vehicle.name ?? null }
          : null,
      userId: null,
      cost: typeof entry.data.costs === 'number' && entry.data.costs >= 0 ? entry.data.costs : null,
      meterStart,
      meterLast: meterEnd,
      source: 'chargelog',
      externalKey,
      lastSeenAt: end,
      lastCharging: false,
      // openWB's own figures: the gateway never saw the meter readings behind them.
      quality: null,
    },
  };
}

const CONTINUATION_GAP_MS = 120_000;

/** B continues A when it starts where A ended on the same chargepoint and carries energy from before its mode switch. */
function continues(a: Candidate, b: Candidate): boolean {
  if (a.session.chargepointId !== b.session.chargepointId) return false;
  if (Math.abs(b.session.start - (a.session.end as number)) > CONTINUATION_GAP_MS) return false;
  return b.importedSincePlugged !== null && b.importedSincePlugged > b.session.energy + 0.5;
}

function join(a: Session, b: Session): Session {
  const meanPower =
    a.meanPower !== null && b.meanPower !== null && a.energy + b.energy > 0
      ? (a.energy + b.energy) / (a.energy / a.meanPower + b.energy / b.meanPower)
      : (a.meanPower ?? b.meanPower);
  return {
    ...a,
    end: b.end,
    energy: a.energy + b.energy,
    chargingMs: a.chargingMs + b.chargingMs,
    meanPower,
    socEnd: b.socEnd ?? a.socEnd,
    chargeModes: [...a.chargeModes, ...b.chargeModes.filter((m) => !a.chargeModes.includes(m))],
    rfidTag: b.rfidTag ?? a.rfidTag,
    vehicle: b.vehicle ?? a.vehicle,
    cost: a.cost === null || b.cost === null ? null : a.cost + b.cost,
    meterLast: b.meterLast ?? a.meterLast,
    lastSeenAt: b.lastSeenAt,
  };
}

export interface ParsedChargeLog {
  sessions: Session[];
  invalid: number;
  /** Entries joined into the session before them (a charge-mode switch while charging). */
  joined: number;
}

export function sessionsFromChargeLog(entries: readonly unknown[], zone: string): ParsedChargeLog {
  const candidates: Candidate[] = [];
  let invalid = 0;
  for (const raw of entries) {
    const parsed = entrySchema.safeParse(raw);
    const candidate = parsed.success ? toCandidate(parsed.data, zone) : undefined;
    if (candidate) candidates.push(candidate);
    else invalid++;
  }
  candidates.sort((a, b) => a.session.chargepointId.localeCompare(b.session.chargepointId) || a.session.start - b.session.start);
  const sessions: Session[] = [];
  let previous: Candidate | undefined;
  let joined = 0;
  for (const candidate of candidates) {
    const last = sessions[sessions.length - 1];
    if (previous && last && continues(previous, candidate)) {
      sessions[sessions.length - 1] = join(last, candidate.session);
      joined++;
    } else {
      sessions.push(candidate.session);
    }
    previous = candidate;
  }
  return { sessions, invalid, joined };
}
