import { numberAt } from './json.ts';
import type { Json, JsonObject } from './json.ts';
import { acceptScannedTag } from './rfid.ts';
import type { ChargepointState, SimState, VehicleState } from './state.ts';
import { storeChargeTemplate } from './state.ts';
import type { Message } from './topics.ts';
import { chargepointTopic } from './topics.ts';
import { bool, float, int, json, jsonObject, str, strList, strOrNull } from './validate.ts';
import type { Check } from './validate.ts';

export interface SetContext {
  state: SimState;
  nowSec: number;
}

export type Applied = { publish: Message[] } | { reject: string };

export interface SetRoute {
  /** Matched against the topic after `openWB/set/`. */
  pattern: RegExp;
  /** The first capture group is the id of this kind of entity; it must exist. */
  entity?: 'chargepoint' | 'vehicle';
  check: Check;
  /** `stateTopic` is the set topic without its first `set/`, where openWB republishes a valid value. */
  apply(context: SetContext, value: Json, id: number, stateTopic: string): Applied;
}

const republish = (stateTopic: string, value: Json): Applied => ({ publish: [[stateTopic, value]] });
const chargepoint = (state: SimState, id: number): ChargepointState => state.chargepoints.get(id) as ChargepointState;
const vehicle = (state: SimState, id: number): VehicleState => state.vehicles.get(id) as VehicleState;

function chargepointRoute(
  suffix: string,
  check: Check,
  update: (cp: ChargepointState, value: Json, context: SetContext) => Applied | void,
): SetRoute {
  return {
    pattern: new RegExp(`^chargepoint/(\\d+)/${suffix}$`),
    entity: 'chargepoint',
    check,
    apply: (context, value, id, stateTopic) => update(chargepoint(context.state, id), value, context) ?? republish(stateTopic, value),
  };
}

function vehicleRoute(
  suffix: string,
  check: Check,
  update: (ev: VehicleState, value: Json, context: SetContext) => Applied | void,
): SetRoute {
  return {
    pattern: new RegExp(`^vehicle/(\\d+)/${suffix}$`),
    entity: 'vehicle',
    check,
    apply: (context, value, id, stateTopic) => update(vehicle(context.state, id), value, context) ?? republish(stateTopic, value),
  };
}

function settingRoute(path: string, check: Check, update: (state: SimState, value: Json) => void): SetRoute {
  return {
    pattern: new RegExp(`^${path}$`),
    check,
    apply: ({ state }, value, _id, stateTopic) => {
      update(state, value);
      return republish(stateTopic, value);
    },
  };
}

/** Without temporary templates the copy is persisted to the vehicle template it names (setdata write-through). */
function applyChargepointTemplate(cp: ChargepointState, value: Json, { state }: SetContext): Applied {
  const template = value as JsonObject;
  cp.chargeTemplate = template;
  const publish: Message[] = [[chargepointTopic(cp.id, 'set/charge_template'), template]];
  const templateId = numberAt(template, 'id');
  if (!state.temporaryChargeTemplates && templateId !== undefined && state.chargeTemplates.has(templateId)) {
    storeChargeTemplate(state, templateId, template);
    publish.push([`openWB/vehicle/template/charge_template/${templateId}`, template]);
  }
  return { publish };
}

function applyVehicleTemplate({ state }: SetContext, value: Json, id: number, stateTopic: string): Applied {
  if (!state.chargeTemplates.has(id)) return { reject: `Ladeprofil ${id} existiert nicht` };
  const template = { ...(value as JsonObject), id };
  storeChargeTemplate(state, id, template);
  return republish(stateTopic, template);
}

export const SET_ROUTES: readonly SetRoute[] = [
  chargepointRoute('set/manual_lock', bool, (cp, value) => {
    cp.manualLock = value as boolean;
  }),
  chargepointRoute('set/charge_template', jsonObject, applyChargepointTemplate),
  chargepointRoute('set/rfid', strOrNull, (cp, value) => {
    cp.sessionRfid = value as string | null;
  }),
  // Valid for setdata, but the control algorithm overwrites both in the next cycle.
  chargepointRoute('set/current', float(0, 32), (cp, value) => {
    cp.setCurrent = value as number;
  }),
  chargepointRoute('set/phases_to_use', int(1, 3), (cp, value) => {
    cp.phasesToUse = value as number;
  }),
  chargepointRoute('get/rfid', str, (cp, value, { nowSec }) => {
    acceptScannedTag(cp, value as string, nowSec);
    return {
      publish: [
        [chargepointTopic(cp.id, 'get/rfid'), value],
        [chargepointTopic(cp.id, 'get/rfid_timestamp'), cp.rfidTimestamp],
      ],
    };
  }),
  chargepointRoute('config/ev', int(0), (cp, value, { state }) => {
    if (!state.vehicles.has(value as number)) return { reject: `Fahrzeug ${String(value)} existiert nicht` };
    cp.config.ev = value as number;
    return republish(chargepointTopic(cp.id, 'config'), cp.config);
  }),
  chargepointRoute('config/template', int(0), (cp, value, { state }) => {
    if (!state.chargepointProfiles.has(value as number)) return { reject: `Ladepunkt-Profil ${String(value)} existiert nicht` };
    cp.config.template = value as number;
    return republish(chargepointTopic(cp.id, 'config'), cp.config);
  }),
  vehicleRoute('name', str, (ev, value) => {
    ev.name = value as string;
  }),
  vehicleRoute('charge_template', int(0), (ev, value, { state }) => {
    if (!state.chargeTemplates.has(value as number)) return { reject: `Ladeprofil ${String(value)} existiert nicht` };
    ev.chargeTemplateId = value as number;
  }),
  vehicleRoute('ev_template', int(0), (ev, value, { state }) => {
    if (!state.evTemplates.has(value as number)) return { reject: `Fahrzeug-Profil ${String(value)} existiert nicht` };
    ev.evTemplateId = value as number;
  }),
  vehicleRoute('tag_id', strList, (ev, value) => {
    ev.tagIds = value as string[];
  }),
  vehicleRoute('get/force_soc_update', bool, (ev, value) => {
    ev.forceSocUpdate = value as boolean;
  }),
  vehicleRoute('soc_module/calculated_soc_state/manual_soc', float(0, 100), (ev, value) => {
    ev.calculatedSocState = { ...ev.calculatedSocState, manual_soc: value };
    return republish(`openWB/vehicle/${ev.id}/soc_module/calculated_soc_state`, ev.calculatedSocState);
  }),
  vehicleRoute('soc_module/config', json, (ev, value) => {
    ev.socModuleConfig = value;
  }),
  vehicleRoute('soc_module/general_config', json, (ev, value) => {
    ev.socGeneralConfig = value;
  }),
  { pattern: /^vehicle\/template\/charge_template\/(\d+)$/, check: jsonObject, apply: applyVehicleTemplate },
  settingRoute('optional/rfid/active', bool, (state, value) => {
    state.rfidActive = value as boolean;
  }),
  settingRoute('general/temporary_charge_templates_active', bool, (state, value) => {
    state.temporaryChargeTemplates = value as boolean;
  }),
];
