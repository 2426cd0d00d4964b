/**
 * The field names ingest writes and the read models read, per entity kind. Values are already
 * normalised to the API's units and sign conventions (W, Wh, A, V, %, PV power positive while producing,
 * battery power positive while charging, grid power positive while importing).
 */

export type ChargeMode = 'instant' | 'pv' | 'minPv' | 'eco' | 'scheduled' | 'stop' | 'standby';
export const CHARGE_MODES: readonly ChargeMode[] = ['instant', 'pv', 'minPv', 'eco', 'scheduled', 'stop', 'standby'];

export type FaultState = 'ok' | 'warning' | 'error';

/** Fields of entity kind `chargepoint` (id = openWB chargepoint id; 1.9: lp number 1..8). */
export const CP = {
  name: 'name', // string
  power: 'power', // W
  currents: 'currents', // [A, A, A] (2.x)
  currentL1: 'currentL1', // A (1.9 publishes per phase)
  currentL2: 'currentL2',
  currentL3: 'currentL3',
  voltages: 'voltages', // [V, V, V] (2.x)
  voltageL1: 'voltageL1', // V (1.9)
  voltageL2: 'voltageL2',
  voltageL3: 'voltageL3',
  phasesInUse: 'phasesInUse', // 0..3
  energyImported: 'energyImported', // Wh meter total
  energyExported: 'energyExported', // Wh meter total
  energyToday: 'energyToday', // Wh
  plugged: 'plugged', // boolean
  charging: 'charging', // boolean
  locked: 'locked', // boolean
  setCurrent: 'setCurrent', // A
  chargeMode: 'chargeMode', // ChargeMode
  chargeTemplate: 'chargeTemplate', // raw 2.x charge template JSON object
  rfidTag: 'rfidTag', // string | null, tag bound to the session
  scannedTag: 'scannedTag', // string | null, scanned and not yet bound (2.x get/rfid)
  vehicleId: 'vehicleId', // string | null (connected vehicle)
  vehicleName: 'vehicleName', // string | null
  vehicleSoc: 'vehicleSoc', // % | null
  configuredVehicleId: 'configuredVehicleId', // string | null (2.x config.ev)
  faultState: 'faultState', // FaultState
  faultMessage: 'faultMessage', // string | null
  statusText: 'statusText', // string | null
  instantCurrent: 'instantCurrent', // A (1.9 config/get/sofort/lp/<n>/current)
  instantLimit: 'instantLimit', // 'none' | 'energy' | 'soc' (1.9 chargeLimitation)
  instantEnergyLimit: 'instantEnergyLimit', // Wh (1.9 energyToCharge, published in kWh)
  instantSocLimit: 'instantSocLimit', // % (1.9 socToChargeTo)
  serialNumber: 'serialNumber', // string | null (2.x get/serial_number)
  maxEvseCurrent: 'maxEvseCurrent', // A | null (2.x get/max_evse_current: the most the EVSE hardware allows)
  connectedPhases: 'connectedPhases', // 1..3 | null (2.x config.connected_phases)
} as const;

/** Fields of entity kind `vehicle` (2.x vehicle id). */
export const VEHICLE = {
  name: 'name', // string
  soc: 'soc', // % | null
  range: 'range', // km | null
  socUpdatedAt: 'socUpdatedAt', // ms since epoch | null (2.x get/soc_timestamp × 1000)
  chargeTemplateId: 'chargeTemplateId', // string
  /** Raw 2.x soc_module/config JSON. Holds the module's secrets: never serve it as is (src/vehicles/soc-modules.ts). */
  socModule: 'socModule',
  manualSoc: 'manualSoc', // % | null (2.x soc_module/calculated_soc_state.manual_soc, pending manual SoC)
  forceSocUpdate: 'forceSocUpdate', // boolean (2.x get/force_soc_update: a SoC request is pending)
} as const;

/** Fields of entity kind `chargeTemplate` (2.x persistent charge template id). */
export const CHARGE_TEMPLATE = {
  name: 'name', // string | null
} as const;

/** Fields of entity kind `counter` (2.x counter id) and of `site`/`grid` (1.9 evu). */
export const METER = {
  power: 'power', // W, + import
  energyImported: 'energyImported', // Wh meter total
  energyExported: 'energyExported', // Wh meter total
} as const;

/** Fields of `site`/`pv`. */
export const PV = {
  power: 'power', // W, + while producing (openWB publishes it negative: ingest flips the sign)
  energyToday: 'energyToday', // Wh
  energyTotal: 'energyTotal', // Wh
} as const;

/** Fields of `site`/`battery`. */
export const BATTERY = {
  power: 'power', // W, + charging
  soc: 'soc', // %
  energyImported: 'energyImported', // Wh total charged
  energyExported: 'energyExported', // Wh total discharged
} as const;

/** Fields of `site`/`home`. */
export const HOME = {
  power: 'power', // W
  energyToday: 'energyToday', // Wh
} as const;

/** Fields of `system`/`openwb`. */
export const SYSTEM = {
  version: 'version', // string
  heartbeat: 'heartbeat', // ms since epoch as openWB reports it (2.x system/time, 1.9 system/Timestamp)
  gridCounterId: 'gridCounterId', // string: id of the top element of openWB/counter/get/hierarchy (2.x)
  chargeMode: 'chargeMode', // ChargeMode: 1.9's global charge mode (2.x modes are per chargepoint)
  generation: 'generation', // Generation: written by ingest once configured or detected
  socModules: 'socModules', // raw 2.x system/configurable/soc_modules list
} as const;

export const SITE_IDS = { grid: 'grid', pv: 'pv', battery: 'battery', home: 'home' } as const;
export const SYSTEM_ID = 'openwb';

/**
 * What a stored value may be, per field: numbers finite and within physical bounds (arrays element by
 * element), text within the API's `maxLength` (counted in characters, as the spec and the database count).
 * Ingest refuses anything outside; fields not listed are enums, booleans, ids or openWB's own JSON objects,
 * which their codecs and the payload size limit bound already.
 */
export type FieldBound = { readonly min: number; readonly max: number } | { readonly maxLength: number };

type BoundsOf<F extends Record<string, string>> = Readonly<Partial<Record<F[keyof F], FieldBound>>>;

const W = 10_000_000; // 10 MW: far above any site openWB controls, far below a float glitch
const CHARGE_W = 1_000_000; // a chargepoint, DC included, signed for bidirectional charging
const A = 1_000; // per phase, signed (bidirectional)
const METER_WH = 1e12; // 1 TWh meter total
const DAY_WH = 1e9;
const PERCENT = { min: 0, max: 100 } as const;
const EPOCH_MS = { min: 0, max: 8.64e15 } as const; // the range of a JavaScript Date
const NAME = { maxLength: 200 } as const;
const TEXT = { maxLength: 2000 } as const;
const TAG = { maxLength: 200 } as const;

export const FIELD_BOUNDS: {
  readonly chargepoint: BoundsOf<typeof CP>;
  readonly vehicle: BoundsOf<typeof VEHICLE>;
  readonly chargeTemplate: BoundsOf<typeof CHARGE_TEMPLATE>;
  readonly counter: BoundsOf<typeof METER>;
  readonly site: {
    readonly grid: BoundsOf<typeof METER>;
    readonly pv: BoundsOf<typeof PV>;
    readonly battery: BoundsOf<typeof BATTERY>;
    readonly home: BoundsOf<typeof HOME>;
  };
  readonly system: BoundsOf<typeof SYSTEM>;
} = {
  chargepoint: {
    name: NAME,
    power: { min: -CHARGE_W, max: CHARGE_W },
    currents: { min: -A, max: A },
    currentL1: { min: -A, max: A },
    currentL2: { min: -A, max: A },
    currentL3: { min: -A, max: A },
    voltages: { min: 0, max: 1_000 },
    voltageL1: { min: 0, max: 1_000 },
    voltageL2: { min: 0, max: 1_000 },
    voltageL3: { min: 0, max: 1_000 },
    energyImported: { min: 0, max: METER_WH },
    energyExported: { min: 0, max: METER_WH },
    energyToday: { min: 0, max: DAY_WH },
    setCurrent: { min: -A, max: A }, // negative while discharging (bidirectional)
    rfidTag: TAG,
    scannedTag: TAG,
    vehicleName: NAME,
    vehicleSoc: PERCENT,
    faultMessage: TEXT,
    statusText: TEXT,
    instantCurrent: { min: 0, max: A },
    instantEnergyLimit: { min: 0, max: DAY_WH },
    instantSocLimit: PERCENT,
    serialNumber: NAME,
    maxEvseCurrent: { min: 0, max: A },
    connectedPhases: { min: 1, max: 3 },
  },
  vehicle: { name: NAME, soc: PERCENT, range: { min: 0, max: 100_000 }, socUpdatedAt: EPOCH_MS, manualSoc: PERCENT },
  chargeTemplate: { name: NAME },
  counter: { power: { min: -W, max: W }, energyImported: { min: 0, max: METER_WH }, energyExported: { min: 0, max: METER_WH } },
  site: {
    grid: { power: { min: -W, max: W }, energyImported: { min: 0, max: METER_WH }, energyExported: { min: 0, max: METER_WH } },
    pv: { power: { min: -W, max: W }, energyToday: { min: 0, max: DAY_WH }, energyTotal: { min: 0, max: METER_WH } },
    battery: {
      power: { min: -W, max: W },
      soc: PERCENT,
      energyImported: { min: 0, max: METER_WH },
      energyExported: { min: 0, max: METER_WH },
    },
    home: { power: { min: -W, max: W }, energyToday: { min: 0, max: DAY_WH } },
  },
  system: { version: { maxLength: 64 }, heartbeat: EPOCH_MS },
};
