/** RFID user profiles and the RFID events the gateway records. */
import type { Schemas } from '../api/types.ts';

export type Preset = Schemas['Preset'];
export type RfidOutcome = Schemas['RfidOutcome'];
export type RfidSource = Schemas['RfidEvent']['source'];

export interface ProfileRecord {
  id: string;
  userId: string;
  /** The owner's username (null when the join finds none). */
  userName: string | null;
  name: string;
  tags: string[];
  /** Where the profile applies; empty = every chargepoint its owner may use. */
  chargepoints: string[];
  preset: Preset;
  createdAt: number;
  updatedAt: number;
}

/** Tags compare case-insensitively (readers differ in the case of hex UIDs). */
export const tagKey = (tag: string): string => tag.toUpperCase();

export type Attribution = 'pending' | 'done' | 'none';

export interface RfidEventRecord {
  id: number;
  at: number;
  chargepointId: string;
  tag: string;
  source: RfidSource;
  outcome: RfidOutcome;
  detail: string | null;
  profileId: string | null;
  userId: string | null;
  commandIds: string[];
  sessionId: string | null;
  attribution: Attribution;
}

export function profileDto(p: ProfileRecord): Schemas['Profile'] {
  return {
    id: p.id,
    name: p.name,
    userId: p.userId,
    userName: p.userName,
    tags: p.tags,
    chargepoints: p.chargepoints,
    preset: p.preset,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

export function rfidEventDto(e: RfidEventRecord): Schemas['RfidEvent'] {
  return {
    id: String(e.id),
    at: new Date(e.at).toISOString(),
    chargepointId: e.chargepointId,
    tag: e.tag,
    source: e.source,
    outcome: e.outcome,
    detail: e.detail,
    profileId: e.profileId,
    userId: e.userId,
    commandIds: e.commandIds,
    sessionId: e.sessionId,
  };
}
