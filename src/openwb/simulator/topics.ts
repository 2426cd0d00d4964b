import { IP_ADDRESS, NO_FAULT, OPENWB_VERSION, PRICES, SOC_MODULES } from './catalog.ts';
import { booleanAt, numberAt } from './json.ts';
import type { Json } from './json.ts';
import { round } from './physics.ts';
import type { ChargepointState, SimState, Triple, VehicleState } from './state.ts';
import { evTemplateOf, rangeKm, vehicleOf } from './state.ts';
import { selectedMode } from './template.ts';

/** A state topic (without the prefix) and its value, JSON-encoded on publish. */
export type Message = readonly [topic: string, value: Json];
type Put = (topic: string, value: Json) => void;

const r2 = (value: number): number => round(value, 2);
const r2s = (values: Triple): Json => values.map(r2);
const negated = (value: number): number => (value === 0 ? 0 : -value);
const FAULT_FREE = { fault_state: 0, fault_str: NO_FAULT } as const;

/** The full retained state as openWB 2.x has it on its public broker; system/time comes last as the end-of-cycle mark. */
export function buildTopics(state: SimState): Message[] {
  const messages: Message[] = [];
  const put: Put = (topic, value) => messages.push([`openWB/${topic}`, value]);
  systemTopics(state, put);
  for (const cp of state.chargepoints.values()) chargepointTopics(state, cp, put);
  chargepointAggregateTopics(state, put);
  for (const vehicle of state.vehicles.values()) vehicleTopics(state, vehicle, put);
  for (const [id, template] of state.chargeTemplates) put(`vehicle/template/charge_template/${id}`, template);
  for (const [id, template] of state.evTemplates) put(`vehicle/template/ev_template/${id}`, template);
  siteTopics(state, put);
  put('system/time', round(state.timeSec, 3));
  return messages;
}

export function chargepointTopic(id: number, suffix: string): string {
  return `openWB/chargepoint/${id}/${suffix}`;
}

function systemTopics(state: SimState, put: Put): void {
  put('system/version', OPENWB_VERSION);
  put('system/ip_address', IP_ADDRESS);
  put('system/configurable/soc_modules', SOC_MODULES);
  put('optional/rfid/active', state.rfidActive);
  put('general/control_interval', Math.round(state.cycleSeconds));
  put('general/range_unit', 'km');
  put('general/temporary_charge_templates_active', state.temporaryChargeTemplates);
  for (const [kind, price] of Object.entries(PRICES)) put(`general/prices/${kind}`, price);
  for (const [id, profile] of state.chargepointProfiles) put(`chargepoint/template/${id}`, profile);
}

function chargepointTopics(state: SimState, cp: ChargepointState, put: Put): void {
  const at = (suffix: string, value: Json): void => put(`chargepoint/${cp.id}/${suffix}`, value);
  const vehicle = vehicleOf(state, cp);
  const evTemplate = evTemplateOf(state, vehicle);
  at('config', cp.config);
  at('get/power', r2(cp.power));
  at('get/powers', r2s(cp.powers));
  at('get/currents', r2s(cp.currents));
  at('get/voltages', r2s(cp.voltages));
  at('get/power_factors', r2s(cp.powerFactors));
  at('get/frequency', cp.frequency);
  at('get/phases_in_use', cp.phasesInUse);
  at('get/imported', r2(cp.imported));
  at('get/exported', r2(cp.exported));
  at('get/daily_imported', r2(cp.dailyImported));
  at('get/daily_exported', r2(cp.dailyExported));
  at('get/plug_state', cp.plugged);
  at('get/charge_state', cp.chargeState);
  at('get/evse_current', cp.evseCurrent);
  at('get/max_evse_current', 32);
  at('get/fault_state', FAULT_FREE.fault_state);
  at('get/fault_str', FAULT_FREE.fault_str);
  at('get/state_str', cp.stateStr);
  at('get/rfid', cp.scannedRfid);
  at('get/rfid_timestamp', cp.rfidTimestamp);
  at('get/vehicle_id', null);
  at('get/serial_number', cp.serialNumber);
  at('get/connected_vehicle/info', { id: vehicle.id, name: vehicle.name });
  at('get/connected_vehicle/config', {
    average_consumption: numberAt(evTemplate, 'average_consump') ?? 17_000,
    charge_template: vehicle.chargeTemplateId,
    chargemode: selectedMode(cp.chargeTemplate),
    current_plan: null,
    ev_template: vehicle.evTemplateId,
    priority: booleanAt(cp.chargeTemplate, 'prio') ?? false,
    time_charging_in_use: false,
  });
  const range = rangeKm(state, vehicle);
  at('get/connected_vehicle/soc', {
    ...FAULT_FREE,
    range_charged: numberAt(cp.log, 'range_charged') ?? 0,
    range_unit: 'km',
    range: range === null ? null : round(range, 1),
    soc: vehicle.soc === null ? null : round(vehicle.soc, 1),
    timestamp: vehicle.socTimestamp,
  });
  at('set/current', cp.setCurrent);
  at('set/manual_lock', cp.manualLock);
  at('set/rfid', cp.sessionRfid);
  at('set/phases_to_use', cp.phasesToUse);
  at('set/charge_template', cp.chargeTemplate);
  at('set/log', cp.log);
}

function chargepointAggregateTopics(state: SimState, put: Put): void {
  const cps = [...state.chargepoints.values()];
  const sum = (pick: (cp: ChargepointState) => number): number => r2(cps.reduce((total, cp) => total + pick(cp), 0));
  put(
    'chargepoint/get/power',
    sum((cp) => cp.power),
  );
  put(
    'chargepoint/get/imported',
    sum((cp) => cp.imported),
  );
  put(
    'chargepoint/get/exported',
    sum((cp) => cp.exported),
  );
  put(
    'chargepoint/get/daily_imported',
    sum((cp) => cp.dailyImported),
  );
  put(
    'chargepoint/get/daily_exported',
    sum((cp) => cp.dailyExported),
  );
  put('chargepoint/get/fault_state', FAULT_FREE.fault_state);
  put('chargepoint/get/fault_str', FAULT_FREE.fault_str);
}

function vehicleTopics(state: SimState, vehicle: VehicleState, put: Put): void {
  const at = (suffix: string, value: Json): void => put(`vehicle/${vehicle.id}/${suffix}`, value);
  const range = rangeKm(state, vehicle);
  at('name', vehicle.name);
  at('charge_template', vehicle.chargeTemplateId);
  at('ev_template', vehicle.evTemplateId);
  at('tag_id', vehicle.tagIds);
  at('info', vehicle.info);
  at('get/soc', vehicle.soc === null ? null : round(vehicle.soc, 1));
  at('get/range', range === null ? null : round(range, 1));
  at('get/soc_timestamp', vehicle.socTimestamp);
  at('get/force_soc_update', vehicle.forceSocUpdate);
  at('get/fault_state', FAULT_FREE.fault_state);
  at('get/fault_str', FAULT_FREE.fault_str);
  at('soc_module/config', vehicle.socModuleConfig);
  at('soc_module/general_config', vehicle.socGeneralConfig);
  at('soc_module/calculated_soc_state', vehicle.calculatedSocState);
}

function siteTopics(state: SimState, put: Put): void {
  const { grid, pv, bat, home } = state.site;
  put('counter/get/hierarchy', [
    {
      id: 0,
      type: 'counter',
      children: [
        ...[...state.chargepoints.keys()].map((id) => ({ id, type: 'cp', children: [] })),
        { id: 1, type: 'inverter', children: [] },
        { id: 2, type: 'bat', children: [] },
      ],
    },
  ]);
  const counter = (suffix: string, value: Json): void => put(`counter/0/get/${suffix}`, value);
  counter('power', r2(grid.power));
  counter('powers', r2s(grid.powers));
  counter('currents', r2s(grid.currents));
  counter('voltages', r2s(grid.voltages));
  counter('power_factors', r2s(grid.powerFactors));
  counter('frequency', grid.frequency);
  counter('imported', r2(grid.imported));
  counter('exported', r2(grid.exported));
  counter('daily_imported', r2(grid.dailyImported));
  counter('daily_exported', r2(grid.dailyExported));
  counter('fault_state', FAULT_FREE.fault_state);
  counter('fault_str', FAULT_FREE.fault_str);
  put('counter/set/home_consumption', r2(home.power));
  put('counter/set/daily_yield_home_consumption', r2(home.dailyImported));
  put('counter/set/imported_home_consumption', r2(home.imported));
  put('counter/set/invalid_home_consumption', 0);
  put('counter/config/home_consumption_source_id', null);

  for (const prefix of ['pv/1/get', 'pv/get']) {
    put(`${prefix}/power`, negated(pv.power));
    put(`${prefix}/exported`, round(pv.exported, 3));
    put(`${prefix}/daily_exported`, r2(pv.dailyExported));
    put(`${prefix}/monthly_exported`, r2(pv.monthlyExported));
    put(`${prefix}/yearly_exported`, r2(pv.yearlyExported));
    put(`${prefix}/fault_state`, FAULT_FREE.fault_state);
    put(`${prefix}/fault_str`, FAULT_FREE.fault_str);
  }
  put('pv/1/get/currents', r2s(pv.currents));
  put('pv/config/configured', true);

  for (const prefix of ['bat/2/get', 'bat/get']) {
    put(`${prefix}/power`, bat.power);
    put(`${prefix}/soc`, Math.round(bat.soc));
    put(`${prefix}/imported`, r2(bat.imported));
    put(`${prefix}/exported`, r2(bat.exported));
    put(`${prefix}/daily_imported`, r2(bat.dailyImported));
    put(`${prefix}/daily_exported`, r2(bat.dailyExported));
    put(`${prefix}/fault_state`, FAULT_FREE.fault_state);
    put(`${prefix}/fault_str`, FAULT_FREE.fault_str);
  }
  put('bat/2/get/currents', r2s(bat.currents));
  put('bat/config/configured', true);

  put('graph/lastlivevaluesJson', liveValues(state));
}

/** graph.py's compact per-cycle object: kW, PV positive. */
function liveValues(state: SimState): Json {
  const { grid, pv, bat, home } = state.site;
  const kw = (watts: number): number => round(watts / 1000, 3);
  const values: Record<string, Json> = {
    timestamp: Math.floor(state.timeSec),
    time: new Date(state.timeSec * 1000).toISOString().slice(11, 19),
    grid: kw(grid.power),
    'house-power': kw(home.power),
    'charging-all': kw([...state.chargepoints.values()].reduce((total, cp) => total + cp.power, 0)),
    'pv-all': kw(pv.power),
    'bat-all-power': kw(bat.power),
    'bat-all-soc': Math.round(bat.soc),
  };
  for (const cp of state.chargepoints.values()) values[`cp${cp.id}-power`] = kw(cp.power);
  for (const vehicle of state.vehicles.values()) {
    if (vehicle.soc !== null) values[`ev${vehicle.id}-soc`] = Math.round(vehicle.soc);
  }
  return values;
}
