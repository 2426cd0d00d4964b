import { CHARGEPOINT_PROFILE, NO_SOC_MODULE, SOC_GENERAL_CONFIG, chargeTemplate, defaultSessionLog, evTemplate } from './catalog.ts';
import { cloneJson, numberAt } from './json.ts';
import type { Json, JsonObject } from './json.ts';
import { homeEnergyTodayWh, pvEnergyTodayWh, utcDayKey } from './physics.ts';

export type Triple = [number, number, number];

export interface VehicleState {
  id: number;
  name: string;
  chargeTemplateId: number;
  evTemplateId: number;
  tagIds: string[];
  info: JsonObject;
  /** Exact SoC in %; null when the vehicle has no SoC module. */
  soc: number | null;
  socTimestamp: number | null;
  forceSocUpdate: boolean;
  socModuleConfig: Json;
  socGeneralConfig: Json;
  calculatedSocState: JsonObject;
}

export interface ChargepointConfig {
  [key: string]: Json;
  id: number;
  name: string;
  ev: number;
  template: number;
  connected_phases: number;
}

export interface ChargepointState {
  id: number;
  config: ChargepointConfig;
  serialNumber: string;
  plugged: boolean;
  /** Current the EVSE applies; set by the control step, drawn by the vehicle in the next cycle. */
  appliedCurrent: number;
  appliedPhases: number;
  /** Current the EVSE reported in this cycle's reading. */
  evseCurrent: number;
  power: number;
  powers: Triple;
  currents: Triple;
  voltages: Triple;
  powerFactors: Triple;
  frequency: number;
  phasesInUse: number;
  chargeState: boolean;
  imported: number;
  exported: number;
  dailyImported: number;
  dailyExported: number;
  cycleEnergyWh: number;
  setCurrent: number;
  phasesToUse: number;
  manualLock: boolean;
  sessionRfid: string | null;
  scannedRfid: string | null;
  rfidTimestamp: number | null;
  chargeTemplate: JsonObject;
  log: JsonObject;
  stateStr: string | null;
  controlSawPlugged: boolean;
  stopPending: boolean;
}

export interface GridState {
  power: number;
  powers: Triple;
  currents: Triple;
  voltages: Triple;
  powerFactors: Triple;
  frequency: number;
  imported: number;
  exported: number;
  dailyImported: number;
  dailyExported: number;
}

export interface SiteState {
  grid: GridState;
  /** Production, positive internally; published negative like openWB. */
  pv: { power: number; currents: Triple; exported: number; dailyExported: number; monthlyExported: number; yearlyExported: number };
  bat: { power: number; currents: Triple; soc: number; imported: number; exported: number; dailyImported: number; dailyExported: number };
  home: { power: number; imported: number; dailyImported: number };
  /** Fractions of this cycle's consumption covered by each source, for the session log. */
  sourceShares: { grid: number; pv: number; bat: number };
}

export interface SimState {
  cycle: number;
  timeSec: number;
  dayKey: string;
  cycleSeconds: number;
  rfidActive: boolean;
  temporaryChargeTemplates: boolean;
  chargepoints: Map<number, ChargepointState>;
  vehicles: Map<number, VehicleState>;
  chargeTemplates: Map<number, JsonObject>;
  evTemplates: Map<number, JsonObject>;
  chargepointProfiles: Map<number, JsonObject>;
  site: SiteState;
}

const ZERO: Triple = [0, 0, 0];

function vehicle(id: number, name: string, template: number, tags: string[], soc: number | null, socModule: Json): VehicleState {
  return {
    id,
    name,
    chargeTemplateId: template,
    evTemplateId: id,
    tagIds: tags,
    info: { manufacturer: null, model: null },
    soc,
    socTimestamp: null,
    forceSocUpdate: false,
    socModuleConfig: socModule,
    socGeneralConfig: cloneJson(SOC_GENERAL_CONFIG),
    calculatedSocState: { last_imported: null, manual_soc: null },
  };
}

function chargepoint(id: number, name: string, phases: number, duoNum: number, imported: number, template: JsonObject): ChargepointState {
  return {
    id,
    config: {
      name,
      type: 'internal_openwb',
      ev: 0,
      template: 0,
      connected_phases: phases,
      phase_1: 1,
      auto_phase_switch_hw: false,
      control_pilot_interruption_hw: false,
      id,
      configuration: { mode: 'series', duo_num: duoNum, ip_address: 'localhost' },
      ocpp_chargebox_id: null,
    },
    serialNumber: `2024${String(id).padStart(4, '0')}`,
    plugged: false,
    appliedCurrent: 0,
    appliedPhases: phases,
    evseCurrent: 0,
    power: 0,
    powers: [...ZERO],
    currents: [...ZERO],
    voltages: [230, 230, 230],
    powerFactors: [...ZERO],
    frequency: 50,
    phasesInUse: phases,
    chargeState: false,
    imported,
    exported: 0,
    dailyImported: 0,
    dailyExported: 0,
    cycleEnergyWh: 0,
    setCurrent: 0,
    phasesToUse: phases,
    manualLock: true,
    sessionRfid: null,
    scannedRfid: null,
    rfidTimestamp: null,
    chargeTemplate: cloneJson(template),
    log: defaultSessionLog(),
    stateStr: null,
    controlSawPlugged: false,
    stopPending: false,
  };
}

export function createInitialState(nowMs: number, cycleSeconds: number): SimState {
  const templates = new Map<number, JsonObject>([
    [0, chargeTemplate(0, 'Standard-Lade-Profil', 'instant_charging')],
    [1, chargeTemplate(1, 'e-Golf Sofortladen', 'instant_charging', { instantCurrent: 16 })],
    [2, chargeTemplate(2, 'ID.3 Min+PV', 'pv_charging', { instantCurrent: 16, pvMinCurrent: 6 })],
  ]);
  const template0 = templates.get(0) as JsonObject;
  const pvToday = pvEnergyTodayWh(nowMs);
  const homeToday = homeEnergyTodayWh(nowMs);
  return {
    cycle: 0,
    timeSec: nowMs / 1000,
    dayKey: utcDayKey(nowMs),
    cycleSeconds,
    rfidActive: true,
    temporaryChargeTemplates: false,
    chargepoints: new Map([
      [3, chargepoint(3, 'Garage', 3, 0, 1_250_000, template0)],
      [4, chargepoint(4, 'Carport', 1, 1, 830_512.4, template0)],
    ]),
    vehicles: new Map([
      [0, vehicle(0, 'Standard-Fahrzeug', 0, [], null, cloneJson(NO_SOC_MODULE))],
      [
        1,
        vehicle(1, 'e-Golf', 1, ['04A1B2C3'], 42, {
          type: 'manual',
          name: 'Manueller SoC',
          official: true,
          configuration: { reset_after_unplug: false },
        }),
      ],
      [
        2,
        vehicle(2, 'ID.3', 2, ['1234567890'], 63.5, {
          type: 'mqtt',
          name: 'MQTT',
          official: true,
          configuration: { calculate_soc: false },
        }),
      ],
    ]),
    chargeTemplates: templates,
    evTemplates: new Map([
      [0, evTemplate(0, 'Standard-Fahrzeug-Profil', 82_000)],
      [1, evTemplate(1, 'e-Golf', 36_000)],
      [2, evTemplate(2, 'ID.3', 58_000)],
    ]),
    chargepointProfiles: new Map([[0, cloneJson(CHARGEPOINT_PROFILE)]]),
    site: {
      grid: {
        power: 0,
        powers: [...ZERO],
        currents: [...ZERO],
        voltages: [230, 230, 230],
        powerFactors: [0.97, 0.97, 0.97],
        frequency: 50,
        imported: 4_567_890.1,
        exported: 2_015_200,
        dailyImported: homeToday * 0.45,
        dailyExported: pvToday * 0.35,
      },
      pv: {
        power: 0,
        currents: [...ZERO],
        exported: 12_345_678.123,
        dailyExported: pvToday,
        monthlyExported: 412_000 + pvToday,
        yearlyExported: 4_120_000 + pvToday,
      },
      bat: {
        power: 0,
        currents: [...ZERO],
        soc: 55,
        imported: 1_255_198,
        exported: 1_150_676,
        dailyImported: pvToday * 0.1,
        dailyExported: homeToday * 0.2,
      },
      home: { power: 0, imported: 11_102_000, dailyImported: homeToday },
      sourceShares: { grid: 1, pv: 0, bat: 0 },
    },
  };
}

export function vehicleOf(state: SimState, cp: ChargepointState): VehicleState {
  return state.vehicles.get(cp.config.ev) ?? (state.vehicles.get(0) as VehicleState);
}

export function profileOf(state: SimState, cp: ChargepointState): JsonObject {
  return state.chargepointProfiles.get(cp.config.template) ?? (state.chargepointProfiles.get(0) as JsonObject);
}

export function evTemplateOf(state: SimState, vehicle: VehicleState): JsonObject {
  return state.evTemplates.get(vehicle.evTemplateId) ?? (state.evTemplates.get(0) as JsonObject);
}

export function batteryCapacityWh(state: SimState, vehicle: VehicleState): number {
  return numberAt(evTemplateOf(state, vehicle), 'battery_capacity') ?? 50_000;
}

export function rangeKm(state: SimState, vehicle: VehicleState): number | null {
  if (vehicle.soc === null) return null;
  const consumption = numberAt(evTemplateOf(state, vehicle), 'average_consump') ?? 17_000;
  return ((vehicle.soc / 100) * batteryCapacityWh(state, vehicle) * 100) / consumption;
}

/** Persists a charge template and refreshes every chargepoint copy whose vehicle uses it, as setdata does. */
export function storeChargeTemplate(state: SimState, id: number, template: JsonObject): void {
  state.chargeTemplates.set(id, cloneJson(template));
  for (const cp of state.chargepoints.values()) {
    if (vehicleOf(state, cp).chargeTemplateId === id) cp.chargeTemplate = cloneJson(template);
  }
}
