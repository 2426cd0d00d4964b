import type { JsonObject } from './json.ts';

/** Static openWB 2.2.2 data the simulator publishes (shapes as in the research doc §1–§2.5). */

export const OPENWB_VERSION = '2.2.2';
export const IP_ADDRESS = '192.168.178.50';
export const NO_FAULT = 'Kein Fehler.';
export const MAX_BAT_POWER_W = 3000;
export const BAT_CAPACITY_WH = 10_000;
export const PV_PEAK_W = 8000;
export const NOMINAL_VOLTAGE = 230;
export const MIN_CURRENT_A = 6;
export const RFID_TIMEOUT_S = 300;

export const STATE_TEXT = {
  locked: 'Keine Ladung, da der Ladepunkt gesperrt ist.',
  unplugged: 'Keine Ladung, da kein Auto angesteckt ist.',
  starting: 'Ladevorgang wird gestartet... ',
  charging: 'Fahrzeug lädt.',
  stopMode: 'Keine Ladung, da der Lademodus Stop aktiv ist.',
  noPvSurplus: 'Keine Ladung, da nicht genug PV-Überschuss vorhanden ist.',
  noPlan: 'Keine Ladung, da kein Zielladen-Termin ansteht.',
  socLimit: 'Keine Ladung, da das SoC-Limit erreicht wurde.',
  amountLimit: 'Keine Ladung, da die Energiemenge erreicht wurde.',
  evFull: 'Keine Ladung, da das Fahrzeug vollständig geladen ist.',
  rfidInactive: 'Identifikation von Fahrzeugen ist nicht aktiviert.',
  tagAfterStart: 'Nach Ladestart wird kein anderer ID-Tag akzeptiert.',
  invalidTag: (tag: string) => `Der ID-Tag ${tag} ist an diesem Ladepunkt nicht gültig.`,
  tagExpired: (tag: string) => `Der ID-Tag ${tag} wurde verworfen, da innerhalb von 5 Minuten kein Fahrzeug angesteckt wurde.`,
} as const;

export const CHARGEPOINT_PROFILE: JsonObject = {
  autolock: { active: false, plans: [], wait_for_charging_end: false },
  charging_type: 'AC',
  id: 0,
  max_current_multi_phases: 32,
  max_current_single_phase: 32,
  dc_max_current: 435,
  name: 'Ladepunkt-Profil',
  disable_after_unplug: true,
  valid_tags: ['04A1B2C3', '1234567890'],
};

const NO_LIMIT = { selected: 'none', amount: 50000, soc: 50 };

export function chargeTemplate(
  id: number,
  name: string,
  selected: string,
  overrides: { instantCurrent?: number; pvMinCurrent?: number } = {},
): JsonObject {
  return {
    id,
    name,
    prio: false,
    load_default: false,
    time_charging: { active: false, plans: [] },
    chargemode: {
      selected,
      instant_charging: { current: overrides.instantCurrent ?? 16, dc_current: 145, phases_to_use: 3, limit: { ...NO_LIMIT } },
      pv_charging: {
        min_current: overrides.pvMinCurrent ?? 0,
        min_soc: 0,
        min_soc_current: 10,
        phases_to_use: 0,
        phases_to_use_min_soc: 3,
        feed_in_limit: false,
        dc_min_current: 145,
        dc_min_soc_current: 145,
        limit: { ...NO_LIMIT },
      },
      eco_charging: { current: 6, dc_current: 145, max_price: 0.0002, phases_to_use: 3, limit: { ...NO_LIMIT } },
      scheduled_charging: { plans: [] },
    },
  };
}

export function evTemplate(id: number, name: string, batteryCapacityWh: number): JsonObject {
  return {
    dc_min_current: 20,
    dc_max_current: 150,
    id,
    name,
    max_current_multi_phases: 16,
    max_phases: 3,
    prevent_phase_switch: false,
    prevent_charge_stop: false,
    control_pilot_interruption: false,
    control_pilot_interruption_duration: 4,
    control_pilot_interruption_retry_interval: 0,
    average_consump: 17000,
    min_current: MIN_CURRENT_A,
    max_current_single_phase: 16,
    battery_capacity: batteryCapacityWh,
    efficiency: 90,
    nominal_difference: 1,
    keep_charge_active_duration: 40,
    bidi: false,
  };
}

export const SOC_GENERAL_CONFIG: JsonObject = {
  use_soc_from_cp: false,
  request_interval_charging: 300,
  request_interval_not_charging: 43200,
  request_only_plugged: false,
};

export const NO_SOC_MODULE: JsonObject = { type: null, configuration: {} };

export function defaultSessionLog(): JsonObject {
  return {
    chargemode_log_entry: '_',
    costs: 0,
    charged_energy_by_source: { bat: 0, cp: 0, grid: 0, pv: 0 },
    end: null,
    ev: -1,
    exported_at_mode_switch: 0,
    exported_at_plugtime: 0,
    exported_since_mode_switch: 0,
    exported_since_plugged: 0,
    imported_at_mode_switch: 0,
    imported_at_plugtime: 0,
    imported_since_mode_switch: 0,
    imported_since_plugged: 0,
    odometer: null,
    prio: false,
    range_at_end: null,
    range_at_start: null,
    range_charged: 0,
    rfid: null,
    serial_number: null,
    soc_at_end: null,
    soc_at_start: null,
    time_charged: 0,
    timestamp_mode_switch: null,
    timestamp_start_charging: null,
  };
}

/** €/Wh, openWB's default prices (general/prices). */
export const PRICES = { grid: 0.0003, pv: 0.00015, bat: 0.0002, cp: 0 } as const;

function socModule(value: string, text: string, official: boolean, configuration: JsonObject): JsonObject {
  return { value, text, defaults: { type: value, name: text, official, configuration } };
}

export const SOC_MODULES: JsonObject[] = [
  { value: null, text: '- kein SoC Modul -', defaults: { type: null, configuration: {} } },
  socModule('manual', 'Manueller SoC', true, { reset_after_unplug: false }),
  socModule('mqtt', 'MQTT', true, { calculate_soc: false }),
  socModule('http', 'HTTP', true, { soc_url: null, range_url: null, calculate_soc: false }),
  socModule('json', 'JSON', true, {
    url: null,
    soc_pattern: null,
    range_pattern: null,
    timestamp_pattern: null,
    odometer_pattern: null,
    timeout: null,
    calculate_soc: false,
  }),
  socModule('homeassistant', 'Home Assistant', false, {
    url: null,
    token: null,
    entity_soc: null,
    entity_range: null,
    entity_odometer: null,
    calculate_soc: false,
  }),
  socModule('tesla', 'Tesla', false, {
    tesla_ev_num: 0,
    token: { refresh_token: null, access_token: null, expires_in: null, created_at: null },
  }),
  socModule('kia', 'Kia / Hyundai', false, { user_id: null, password: null, pin: null, vin: null }),
  socModule('evnotify', 'EVNotify', false, { id: null, akey: null, token: null }),
  socModule('leaf', 'Nissan Leaf', false, { user_id: null, password: null, region: null }),
  socModule('polestar', 'Polestar', false, { user_id: null, password: null, vin: null }),
  socModule('renault', 'Renault', false, { user_id: null, password: null, country: null, vin: null }),
  socModule('vwid', 'VW ID', false, { user_id: null, password: null, vin: null, refreshToken: null, calculate_soc: false }),
  socModule('skoda', 'Skoda', false, { user_id: null, password: null, vin: null, refreshToken: null, calculate_soc: false }),
];
