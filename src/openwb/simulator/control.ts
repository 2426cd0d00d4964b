import { MIN_CURRENT_A, NOMINAL_VOLTAGE, PRICES, STATE_TEXT, defaultSessionLog } from './catalog.ts';
import { booleanAt, cloneJson, isJsonObject, numberAt } from './json.ts';
import type { JsonObject } from './json.ts';
import { round } from './physics.ts';
import { processScannedTag } from './rfid.ts';
import type { ChargepointState, SimState, VehicleState } from './state.ts';
import { evTemplateOf, profileOf, rangeKm, vehicleOf } from './state.ts';
import { modeLimit, modeNumber, selectedMode } from './template.ts';

interface Demand {
  current: number;
  phases: number;
  reason: string;
}

/** One run of openWB's control algorithm over the values measured in this cycle. */
export function control(state: SimState): void {
  processSocRequests(state);
  let pvBudget = state.site.pv.power - state.site.home.power;
  for (const cp of state.chargepoints.values()) {
    if (selectedMode(cp.chargeTemplate) !== 'pv_charging') pvBudget -= cp.power;
  }
  for (const cp of state.chargepoints.values()) pvBudget = controlChargepoint(state, cp, pvBudget);
}

/** The SoC module answers a forced request or a manual SoC one cycle after it was asked. */
function processSocRequests(state: SimState): void {
  for (const vehicle of state.vehicles.values()) {
    const manualSoc = numberAt(vehicle.calculatedSocState, 'manual_soc');
    if (manualSoc !== undefined) {
      vehicle.soc = manualSoc;
      vehicle.socTimestamp = state.timeSec;
      vehicle.calculatedSocState = { ...vehicle.calculatedSocState, manual_soc: null };
    }
    if (vehicle.forceSocUpdate) {
      vehicle.forceSocUpdate = false;
      if (vehicle.soc !== null) vehicle.socTimestamp = state.timeSec;
    }
  }
}

function controlChargepoint(state: SimState, cp: ChargepointState, pvBudget: number): number {
  const justPlugged = cp.plugged && !cp.controlSawPlugged;
  const justUnplugged = !cp.plugged && cp.controlSawPlugged;
  cp.controlSawPlugged = cp.plugged;
  // openWB finishes a session one cycle after it reads the unplug (§6.1 step 7).
  if (cp.stopPending) processChargeStop(state, cp);
  if (justUnplugged) cp.stopPending = true;
  if (justPlugged) processPlugIn(state, cp);
  syncTemplateCopy(state, cp);
  const remaining = assignCurrent(state, cp, pvBudget);
  // Tags are bound after the current is chosen, so a released lock allows charging only in the next cycle.
  processScannedTag(state, cp);
  if (cp.plugged) updateLog(state, cp);
  cp.appliedCurrent = cp.setCurrent;
  cp.appliedPhases = cp.phasesToUse;
  return remaining;
}

function processPlugIn(state: SimState, cp: ChargepointState): void {
  vehicleOf(state, cp).forceSocUpdate = true;
  cp.log = { ...defaultSessionLog(), imported_at_plugtime: round(cp.imported, 2), exported_at_plugtime: round(cp.exported, 2) };
}

function processChargeStop(state: SimState, cp: ChargepointState): void {
  cp.stopPending = false;
  cp.setCurrent = 0;
  cp.sessionRfid = null;
  cp.log = defaultSessionLog();
  if (booleanAt(profileOf(state, cp), 'disable_after_unplug') === true) cp.manualLock = true;
  const loadDefault = booleanAt(cp.chargeTemplate, 'load_default') === true;
  if (loadDefault) cp.config.ev = 0;
  if (loadDefault || state.temporaryChargeTemplates) resetTemplateCopy(state, cp);
}

/** openWB overwrites the copy when its id no longer matches the connected vehicle's template. */
function syncTemplateCopy(state: SimState, cp: ChargepointState): void {
  if (numberAt(cp.chargeTemplate, 'id') !== vehicleOf(state, cp).chargeTemplateId) resetTemplateCopy(state, cp);
}

function resetTemplateCopy(state: SimState, cp: ChargepointState): void {
  const template = state.chargeTemplates.get(vehicleOf(state, cp).chargeTemplateId) ?? state.chargeTemplates.get(0);
  if (template !== undefined) cp.chargeTemplate = cloneJson(template);
}

function assignCurrent(state: SimState, cp: ChargepointState, pvBudget: number): number {
  if (!cp.plugged) {
    if (!cp.stopPending) cp.setCurrent = 0;
    cp.stateStr = cp.manualLock && !cp.stopPending ? STATE_TEXT.locked : STATE_TEXT.unplugged;
    return pvBudget;
  }
  if (cp.manualLock) {
    cp.setCurrent = 0;
    cp.stateStr = STATE_TEXT.locked;
    return pvBudget;
  }
  const vehicle = vehicleOf(state, cp);
  const mode = selectedMode(cp.chargeTemplate);
  const demand = limitReason(state, cp, vehicle, mode) ?? demandFor(state, cp, vehicle, mode, pvBudget);
  const previous = cp.setCurrent;
  cp.setCurrent = demand.current;
  cp.phasesToUse = demand.phases;
  recordModeSwitch(state, cp, vehicle, mode, demand.current > 0);
  if (demand.current === 0) cp.stateStr = demand.reason;
  else if (vehicle.soc !== null && vehicle.soc >= 100) cp.stateStr = STATE_TEXT.evFull;
  else cp.stateStr = previous > 0 && cp.chargeState ? STATE_TEXT.charging : STATE_TEXT.starting;
  return mode === 'pv_charging' ? pvBudget - demand.current * NOMINAL_VOLTAGE * demand.phases : pvBudget;
}

function demandFor(state: SimState, cp: ChargepointState, vehicle: VehicleState, mode: string, pvBudget: number): Demand {
  const template = cp.chargeTemplate;
  const connected = cp.config.connected_phases;
  const phasesFor = (setting: number): number => (setting > 0 ? Math.min(setting, connected) : connected);
  switch (mode) {
    case 'instant_charging': {
      const phases = phasesFor(modeNumber(template, mode, 'phases_to_use', 3));
      return { current: clampCurrent(state, cp, vehicle, modeNumber(template, mode, 'current', 16), phases), phases, reason: '' };
    }
    case 'eco_charging': {
      const phases = phasesFor(modeNumber(template, mode, 'phases_to_use', 3));
      return { current: clampCurrent(state, cp, vehicle, modeNumber(template, mode, 'current', 6), phases), phases, reason: '' };
    }
    case 'pv_charging': {
      const setting = modeNumber(template, mode, 'phases_to_use', 0);
      const automatic = pvBudget >= MIN_CURRENT_A * NOMINAL_VOLTAGE * connected ? connected : 1;
      const phases = setting > 0 ? Math.min(setting, connected) : automatic;
      const minCurrent = modeNumber(template, mode, 'min_current', 0);
      if (pvBudget >= MIN_CURRENT_A * NOMINAL_VOLTAGE * phases) {
        const surplusCurrent = Math.max(Math.floor(pvBudget / (NOMINAL_VOLTAGE * phases)), minCurrent);
        return { current: clampCurrent(state, cp, vehicle, surplusCurrent, phases), phases, reason: '' };
      }
      if (minCurrent > 0) return { current: clampCurrent(state, cp, vehicle, minCurrent, phases), phases, reason: '' };
      return { current: 0, phases, reason: STATE_TEXT.noPvSurplus };
    }
    case 'scheduled_charging':
      return { current: 0, phases: connected, reason: STATE_TEXT.noPlan };
    default:
      return { current: 0, phases: connected, reason: STATE_TEXT.stopMode };
  }
}

function clampCurrent(state: SimState, cp: ChargepointState, vehicle: VehicleState, wanted: number, phases: number): number {
  if (wanted <= 0) return 0;
  const evTemplate = evTemplateOf(state, vehicle);
  const profile = profileOf(state, cp);
  const key = phases > 1 ? 'max_current_multi_phases' : 'max_current_single_phase';
  const max = Math.min(numberAt(evTemplate, key) ?? 16, numberAt(profile, key) ?? 32);
  const min = numberAt(evTemplate, 'min_current') ?? MIN_CURRENT_A;
  return Math.min(max, Math.max(min, wanted));
}

function limitReason(state: SimState, cp: ChargepointState, vehicle: VehicleState, mode: string): Demand | undefined {
  const limit = modeLimit(cp.chargeTemplate, mode);
  const phases = cp.phasesToUse;
  if (limit.kind === 'soc' && vehicle.soc !== null && vehicle.soc >= limit.soc) return { current: 0, phases, reason: STATE_TEXT.socLimit };
  const sincePlugged = numberAt(cp.log, 'imported_since_plugged') ?? 0;
  if (limit.kind === 'amount' && sincePlugged >= limit.amountWh) return { current: 0, phases, reason: STATE_TEXT.amountLimit };
  return undefined;
}

/** The log's mode-switch fields start with the first release and move on every later mode change. */
function recordModeSwitch(state: SimState, cp: ChargepointState, vehicle: VehicleState, mode: string, releasing: boolean): void {
  const log = cp.log;
  const started = log.timestamp_mode_switch !== null;
  if (started ? log.chargemode_log_entry === mode : !releasing) return;
  log.imported_at_mode_switch = round(cp.imported, 2);
  log.exported_at_mode_switch = round(cp.exported, 2);
  log.timestamp_mode_switch = round(state.timeSec, 1);
  log.chargemode_log_entry = mode;
  if (started) return;
  log.ev = vehicle.id;
  log.rfid = cp.sessionRfid;
  log.prio = booleanAt(cp.chargeTemplate, 'prio') ?? false;
  log.serial_number = cp.serialNumber;
  log.soc_at_start = vehicle.soc === null ? null : round(vehicle.soc, 1);
  const range = rangeKm(state, vehicle);
  log.range_at_start = range === null ? null : round(range, 1);
}

function updateLog(state: SimState, cp: ChargepointState): void {
  const log = cp.log;
  const vehicle = vehicleOf(state, cp);
  const sincePlugged = cp.imported - (numberAt(log, 'imported_at_plugtime') ?? cp.imported);
  log.imported_since_plugged = round(sincePlugged, 2);
  if (log.timestamp_mode_switch === null) return;
  log.imported_since_mode_switch = round(cp.imported - (numberAt(log, 'imported_at_mode_switch') ?? cp.imported), 2);
  const evTemplate = evTemplateOf(state, vehicle);
  const efficiency = (numberAt(evTemplate, 'efficiency') ?? 90) / 100;
  log.range_charged = round((sincePlugged * efficiency * 100) / (numberAt(evTemplate, 'average_consump') ?? 17_000), 2);
  log.soc_at_end = vehicle.soc === null ? null : round(vehicle.soc, 1);
  const range = rangeKm(state, vehicle);
  log.range_at_end = range === null ? null : round(range, 1);
  if (!cp.chargeState) return;
  log.timestamp_start_charging ??= round(state.timeSec, 1);
  log.time_charged = (numberAt(log, 'time_charged') ?? 0) + state.cycleSeconds;
  const shares = state.site.sourceShares;
  const bySource: JsonObject = isJsonObject(log.charged_energy_by_source) ? log.charged_energy_by_source : {};
  let costs = numberAt(log, 'costs') ?? 0;
  for (const source of ['grid', 'pv', 'bat'] as const) {
    const energy = cp.cycleEnergyWh * shares[source];
    bySource[source] = round((numberAt(bySource, source) ?? 0) + energy, 2);
    costs += energy * PRICES[source];
  }
  log.charged_energy_by_source = bySource;
  log.costs = round(costs, 4);
}
