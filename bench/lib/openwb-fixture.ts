/**
 * Retained openWB 2.x state while chargepoint 3 charges, as the public broker shows it (the same set the
 * integration test test/integration/ingest-v2.test.ts publishes).
 */
const TEMPLATE = {
  id: 1,
  name: 'Standard-Lade-Profil',
  prio: false,
  load_default: false,
  time_charging: { active: false, plans: [] },
  chargemode: {
    selected: 'pv_charging',
    instant_charging: { current: 16, dc_current: 145, phases_to_use: 3, limit: { selected: 'none', amount: 50000, soc: 50 } },
    pv_charging: { min_current: 6, min_soc: 0, min_soc_current: 10, phases_to_use: 0, feed_in_limit: false, limit: { selected: 'none', amount: 50000, soc: 50 } },
    scheduled_charging: { plans: [] },
  },
};

/** Retained openWB 2.x state as the public broker shows it while chargepoint 3 charges (§6.1 step 5). */
export const MESSAGES: [string, unknown][] = [
  ['openWB/system/version', '2.2.2'],
  ['openWB/system/time', 1716200040.5],
  ['openWB/chargepoint/3/config', { name: 'Garage', type: 'internal_openwb', ev: 1, template: 0, connected_phases: 3, id: 3 }],
  ['openWB/chargepoint/3/get/power', 11040.0],
  ['openWB/chargepoint/3/get/currents', [16.0, 16.0, 16.0]],
  ['openWB/chargepoint/3/get/voltages', [230.1, 229.8, 231.0]],
  ['openWB/chargepoint/3/get/phases_in_use', 3],
  ['openWB/chargepoint/3/get/imported', 1250030.67],
  ['openWB/chargepoint/3/get/exported', 0],
  ['openWB/chargepoint/3/get/daily_imported', 8520.0],
  ['openWB/chargepoint/3/get/plug_state', true],
  ['openWB/chargepoint/3/get/charge_state', true],
  ['openWB/chargepoint/3/get/fault_state', 0],
  ['openWB/chargepoint/3/get/fault_str', 'Kein Fehler.'],
  ['openWB/chargepoint/3/get/state_str', 'Fahrzeug lädt.'],
  ['openWB/chargepoint/3/get/connected_vehicle/info', { id: 1, name: 'e-Golf' }],
  ['openWB/chargepoint/3/get/connected_vehicle/soc', { fault_str: 'Kein Fehler.', fault_state: 0, range: 210.0, soc: 55, timestamp: 1716200000.0 }],
  ['openWB/chargepoint/3/set/current', 16],
  ['openWB/chargepoint/3/set/manual_lock', false],
  ['openWB/chargepoint/3/set/rfid', '04A1B2C3'],
  ['openWB/chargepoint/3/set/charge_template', TEMPLATE],
  ['openWB/vehicle/1/name', 'e-Golf'],
  ['openWB/vehicle/1/get/soc', 55],
  ['openWB/vehicle/1/get/range', 210.5],
  ['openWB/vehicle/1/get/soc_timestamp', 1716200000.0],
  ['openWB/counter/get/hierarchy', [{ id: 0, type: 'counter', children: [{ id: 3, type: 'cp', children: [] }] }]],
  ['openWB/counter/0/get/power', 1520.5],
  ['openWB/counter/0/get/imported', 4567890.1],
  ['openWB/counter/0/get/exported', 20152.0],
  ['openWB/pv/get/power', -5230.0],
  ['openWB/pv/get/exported', 12345678.123],
  ['openWB/pv/get/daily_exported', 18450.0],
  ['openWB/bat/get/power', 1500.0],
  ['openWB/bat/get/soc', 78],
  ['openWB/bat/get/imported', 2551.98],
  ['openWB/bat/get/exported', 2506.76],
  ['openWB/counter/set/home_consumption', 480.0],
  ['openWB/counter/set/daily_yield_home_consumption', 6120.0],
];

/** What openWB republishes every control cycle (about 10 s): the measured values and the heartbeat. */
export const CYCLE_TOPICS: ReadonlySet<string> = new Set(MESSAGES.map(([topic]) => topic).filter((topic) => topic.includes('/get/') || topic === 'openWB/system/time'));
