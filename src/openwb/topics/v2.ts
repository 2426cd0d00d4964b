/** openWB 2.x read topics (JSON payloads), as openWB 2.x publishes them under `openWB/`. */
import type { ChargeMode } from '../../live/fields.ts';
import {
  boolean,
  COMPONENT_ID,
  faultStateOfLevel,
  idString,
  integer,
  intRange,
  Invalid,
  jsonArray,
  jsonObject,
  lookup,
  negated,
  nullable,
  nullableNumber,
  nullableString,
  number,
  numberTriple,
  optionalProp,
  pipe,
  prop,
  secondsToMs,
  string,
  type Codec,
  type JsonObject,
} from './codecs.ts';
import { component, site, system, type ComponentFields, type TopicRule, type TopicTable } from './table.ts';

const CHARGE_MODES: ReadonlyMap<string, ChargeMode> = new Map([
  ['instant_charging', 'instant'],
  ['pv_charging', 'pv'],
  ['eco_charging', 'eco'],
  ['scheduled_charging', 'scheduled'],
  ['stop', 'stop'],
  ['standby', 'standby'], // ≤ 2.1.7
]);

const chargeModeName: Codec<ChargeMode> = pipe(string, lookup(CHARGE_MODES, 'openWB charge mode'));

function pvMinCurrent(template: JsonObject): number {
  const chargemode = template['chargemode'];
  if (typeof chargemode !== 'object' || chargemode === null || Array.isArray(chargemode)) return 0;
  const pv = chargemode['pv_charging'];
  if (typeof pv !== 'object' || pv === null || Array.isArray(pv)) return 0;
  const minCurrent = pv['min_current'];
  return typeof minCurrent === 'number' ? minCurrent : 0;
}

const selectedMode = prop('chargemode', prop('selected', chargeModeName));

/**
 * `chargemode.selected`, refined to Min+PV by `pv_charging.min_current > 0`. Remembers the result so
 * that `connected_vehicle/config`, which only says `pv_charging`, does not flip the mode back to PV.
 */
const templateChargeMode: Codec<ChargeMode> = (input, context) => {
  const selected = selectedMode(input, context);
  if (selected instanceof Invalid) return selected;
  const minPv = selected === 'pv' && pvMinCurrent(input as JsonObject) > 0;
  if (minPv) context.minPvChargepoints.add(context.id);
  else context.minPvChargepoints.delete(context.id);
  return minPv ? 'minPv' : selected;
};

const connectedChargeMode: Codec<ChargeMode> = (input, context) => {
  const mode = prop('chargemode', chargeModeName)(input, context);
  return mode === 'pv' && context.minPvChargepoints.has(context.id) ? 'minPv' : mode;
};

/** The grid counter is the top element of the hierarchy. */
const gridCounterId: Codec<string | null> = (input, context) => {
  if (!Array.isArray(input)) return new Invalid('hierarchy list', input);
  if (input.length === 0) return null;
  const top = prop('id', idString)(input[0], context);
  return top instanceof Invalid ? top.at('0') : top;
};

const cp = (suffix: string, fields: ComponentFields<'chargepoint'>): TopicRule =>
  component('chargepoint', `openWB/chargepoint/+/${suffix}`, fields);

const vehicle = (suffix: string, fields: ComponentFields<'vehicle'>): TopicRule =>
  component('vehicle', `openWB/vehicle/+/${suffix}`, fields);

const chargeTemplate = (fields: ComponentFields<'chargeTemplate'>): TopicRule =>
  component('chargeTemplate', 'openWB/vehicle/template/charge_template/+', fields);

const counter = (suffix: string, fields: ComponentFields<'counter'>): TopicRule =>
  component('counter', `openWB/counter/+/${suffix}`, fields);

const rules: readonly TopicRule[] = [
  system('openWB/system/version', { version: string }),
  system('openWB/system/time', { heartbeat: secondsToMs(number) }),
  system('openWB/counter/get/hierarchy', { gridCounterId }),
  system('openWB/system/configurable/soc_modules', { socModules: jsonArray }),

  cp('get/power', { power: number }),
  cp('get/currents', { currents: numberTriple }),
  cp('get/voltages', { voltages: numberTriple }),
  cp('get/phases_in_use', { phasesInUse: intRange(0, 3) }),
  cp('get/imported', { energyImported: number }),
  cp('get/exported', { energyExported: number }),
  cp('get/daily_imported', { energyToday: number }),
  cp('get/plug_state', { plugged: boolean }),
  cp('get/charge_state', { charging: boolean }),
  cp('get/fault_state', { faultState: pipe(integer, faultStateOfLevel) }),
  cp('get/fault_str', { faultMessage: nullableString }),
  cp('get/state_str', { statusText: nullableString }),
  cp('get/rfid', { scannedTag: nullableString }),
  cp('get/connected_vehicle/info', {
    vehicleId: prop('id', nullable(idString)),
    vehicleName: prop('name', nullableString),
  }),
  cp('get/connected_vehicle/soc', { vehicleSoc: prop('soc', nullableNumber) }),
  cp('get/connected_vehicle/config', { chargeMode: connectedChargeMode }),
  cp('set/current', { setCurrent: number }),
  cp('set/manual_lock', { locked: boolean }),
  cp('set/rfid', { rfidTag: nullableString }),
  cp('set/charge_template', { chargeMode: templateChargeMode, chargeTemplate: jsonObject }),
  cp('get/serial_number', { serialNumber: nullableString }),
  cp('get/max_evse_current', { maxEvseCurrent: nullableNumber }),
  cp('config', {
    name: prop('name', string),
    configuredVehicleId: prop('ev', nullable(idString)),
    connectedPhases: optionalProp('connected_phases', nullable(intRange(1, 3)), null),
  }),

  vehicle('name', { name: string }),
  vehicle('charge_template', { chargeTemplateId: idString }),
  vehicle('get/soc', { soc: nullableNumber }),
  vehicle('get/range', { range: nullableNumber }),
  vehicle('get/soc_timestamp', { socUpdatedAt: secondsToMs(nullableNumber) }),
  vehicle('get/force_soc_update', { forceSocUpdate: boolean }),
  vehicle('soc_module/config', { socModule: jsonObject }),
  vehicle('soc_module/calculated_soc_state', { manualSoc: optionalProp('manual_soc', nullableNumber, null) }),
  chargeTemplate({ name: optionalProp('name', nullableString, null) }),

  counter('get/power', { power: number }),
  counter('get/imported', { energyImported: number }),
  counter('get/exported', { energyExported: number }),

  site('pv', 'openWB/pv/get/power', { power: negated(number) }),
  site('pv', 'openWB/pv/get/exported', { energyTotal: number }),
  site('pv', 'openWB/pv/get/daily_exported', { energyToday: number }),

  site('battery', 'openWB/bat/get/power', { power: number }),
  site('battery', 'openWB/bat/get/soc', { soc: number }),
  site('battery', 'openWB/bat/get/imported', { energyImported: number }),
  site('battery', 'openWB/bat/get/exported', { energyExported: number }),

  site('home', 'openWB/counter/set/home_consumption', { power: number }),
  site('home', 'openWB/counter/set/daily_yield_home_consumption', { energyToday: number }),
];

/** Lenient like openWB's own `decode_payload`: anything that is not JSON is taken as a raw string. */
function parseJsonLenient(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const V2_TABLE: TopicTable = {
  generation: '2',
  rules,
  // Targeted: 2.x also publishes graph, log and per-phase detail topics every cycle that we do not use.
  subscriptions: [
    'openWB/system/version',
    'openWB/system/time',
    'openWB/chargepoint/+/config',
    'openWB/chargepoint/+/get/#',
    'openWB/chargepoint/+/set/current',
    'openWB/chargepoint/+/set/manual_lock',
    'openWB/chargepoint/+/set/rfid',
    'openWB/chargepoint/+/set/charge_template',
    'openWB/vehicle/+/name',
    'openWB/vehicle/+/charge_template',
    'openWB/vehicle/+/get/+',
    'openWB/vehicle/+/soc_module/config',
    'openWB/vehicle/+/soc_module/calculated_soc_state',
    'openWB/vehicle/template/charge_template/+',
    'openWB/system/configurable/soc_modules',
    'openWB/counter/get/hierarchy',
    'openWB/counter/set/+',
    'openWB/counter/+/get/power',
    'openWB/counter/+/get/imported',
    'openWB/counter/+/get/exported',
    'openWB/pv/get/+',
    'openWB/bat/get/+',
  ],
  entityId: COMPONENT_ID,
  republishedEveryCycle: ['chargepoint', 'counter'],
  parsePayload: parseJsonLenient,
};
