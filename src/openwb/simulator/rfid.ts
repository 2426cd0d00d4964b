import { RFID_TIMEOUT_S, STATE_TEXT } from './catalog.ts';
import { cloneJson } from './json.ts';
import type { ChargepointState, SimState, VehicleState } from './state.ts';
import { profileOf } from './state.ts';

/** A reader (or the display's PIN pad) delivered a tag; the next control cycle validates and binds it. */
export function acceptScannedTag(cp: ChargepointState, tag: string, timeSec: number): void {
  cp.scannedRfid = tag;
  cp.rfidTimestamp = timeSec;
}

/** get_ev_to_rfid: case-insensitive exact match first, then fnmatch patterns (case-sensitive, as on Linux). */
export function findVehicleByTag(state: SimState, tag: string): VehicleState | undefined {
  const vehicles = [...state.vehicles.values()];
  const lower = tag.toLowerCase();
  return (
    vehicles.find((vehicle) => vehicle.tagIds.some((candidate) => candidate.toLowerCase() === lower)) ??
    vehicles.find((vehicle) => vehicle.tagIds.some((pattern) => fnmatch(pattern).test(tag)))
  );
}

function fnmatch(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[' && pattern.indexOf(']', i + 1) > i + 1) {
      const end = pattern.indexOf(']', i + 1);
      const body = pattern
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function profileTags(state: SimState, cp: ChargepointState): string[] {
  const tags = profileOf(state, cp).valid_tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** _validate_rfid and _link_rfid_to_cp of openWB's chargepoint.py. */
export function processScannedTag(state: SimState, cp: ChargepointState): void {
  const tag = cp.scannedRfid;
  if (tag === null) return;
  const drop = (reason: string): void => {
    cp.scannedRfid = null;
    cp.rfidTimestamp = null;
    cp.stateStr = reason;
  };
  if (!state.rfidActive) return drop(STATE_TEXT.rfidInactive);
  const allowed = profileTags(state, cp);
  const vehicle = findVehicleByTag(state, tag);
  const known = allowed.includes(tag) || [...state.vehicles.values()].some((candidate) => candidate.tagIds.includes(tag));
  if (!known) return drop(STATE_TEXT.invalidTag(tag));
  if (cp.log.timestamp_start_charging !== null && tag !== cp.sessionRfid) return drop(STATE_TEXT.tagAfterStart);
  cp.rfidTimestamp ??= state.timeSec;
  if (!cp.plugged) {
    if (state.timeSec - cp.rfidTimestamp > RFID_TIMEOUT_S) drop(STATE_TEXT.tagExpired(tag));
    return;
  }
  cp.sessionRfid = tag;
  cp.scannedRfid = null;
  cp.rfidTimestamp = null;
  if (allowed.some((pattern) => fnmatch(pattern).test(tag))) cp.manualLock = false;
  if (vehicle !== undefined) {
    cp.config.ev = vehicle.id;
    vehicle.forceSocUpdate = true;
    const template = state.chargeTemplates.get(vehicle.chargeTemplateId);
    if (template !== undefined) cp.chargeTemplate = cloneJson(template);
  }
}
