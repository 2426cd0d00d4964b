/**
 * openWB 2.x command plans: every payload JSON-encoded with openWB's types (int topics get integers, bool
 * topics true/false), every topic under `openWB/set/`, and the state topic that confirms it
 * (setdata republishes a valid value there, see the research doc §2.1–2.2).
 */
import { InvalidInputError } from '../errors.ts';
import { CP, VEHICLE } from '../live/fields.ts';
import type { Json } from '../live/model.ts';
import type { Plan } from './model.ts';
import { editTemplate, type EditedTemplate, type JsonObject, type TemplateEdit } from './template-edit.ts';

const integerId = (id: string, what: string): number => {
  if (!/^\d{1,9}$/.test(id)) throw new InvalidInputError(`${what} ${id} is not an openWB 2.x id (a whole number)`);
  return Number(id);
};

const json = (value: Json): string => JSON.stringify(value);

export function templatePlan(
  chargepointId: string,
  base: JsonObject,
  edit: TemplateEdit,
  rememberedMinPv?: number,
): Plan & { edited: EditedTemplate } {
  const edited = editTemplate(base, edit, rememberedMinPv);
  const ref = { kind: 'chargepoint' as const, id: chargepointId };
  return {
    edited,
    messages: [
      { topic: `openWB/set/chargepoint/${integerId(chargepointId, 'Chargepoint')}/set/charge_template`, payload: json(edited.template) },
    ],
    expectations: edited.changes.map(({ path, value }) => ({ ref, field: CP.chargeTemplate, path, equals: value })),
  };
}

export function lockPlan(chargepointId: string, locked: boolean): Plan {
  return {
    messages: [{ topic: `openWB/set/chargepoint/${integerId(chargepointId, 'Chargepoint')}/set/manual_lock`, payload: json(locked) }],
    expectations: [{ ref: { kind: 'chargepoint', id: chargepointId }, field: CP.locked, equals: locked }],
  };
}

export function vehiclePlan(chargepointId: string, vehicleId: string): Plan {
  return {
    messages: [
      {
        topic: `openWB/set/chargepoint/${integerId(chargepointId, 'Chargepoint')}/config/ev`,
        payload: json(integerId(vehicleId, 'Vehicle')),
      },
    ],
    expectations: [{ ref: { kind: 'chargepoint', id: chargepointId }, field: CP.configuredVehicleId, equals: vehicleId }],
  };
}

/** openWB republishes calculated_soc_state with the manual SoC; the SoC module may also take it over at once. */
export function manualSocPlan(vehicleId: string, soc: number): Plan {
  return {
    messages: [
      { topic: `openWB/set/vehicle/${integerId(vehicleId, 'Vehicle')}/soc_module/calculated_soc_state/manual_soc`, payload: json(soc) },
    ],
    expectations: [{ ref: { kind: 'vehicle', id: vehicleId }, field: VEHICLE.manualSoc, equals: soc, fresh: true }],
  };
}

export function socUpdatePlan(vehicleId: string): Plan {
  return {
    messages: [{ topic: `openWB/set/vehicle/${integerId(vehicleId, 'Vehicle')}/get/force_soc_update`, payload: json(true) }],
    expectations: [{ ref: { kind: 'vehicle', id: vehicleId }, field: VEHICLE.forceSocUpdate, equals: true, fresh: true }],
  };
}

export function chargeTemplatePlan(vehicleId: string, chargeTemplateId: string): Plan {
  return {
    messages: [
      {
        topic: `openWB/set/vehicle/${integerId(vehicleId, 'Vehicle')}/charge_template`,
        payload: json(integerId(chargeTemplateId, 'Charge template')),
      },
    ],
    expectations: [{ ref: { kind: 'vehicle', id: vehicleId }, field: VEHICLE.chargeTemplateId, equals: chargeTemplateId }],
  };
}

export function socModulePlan(vehicleId: string, config: JsonObject): Plan {
  return {
    messages: [{ topic: `openWB/set/vehicle/${integerId(vehicleId, 'Vehicle')}/soc_module/config`, payload: json(config) }],
    expectations: [{ ref: { kind: 'vehicle', id: vehicleId }, field: VEHICLE.socModule, equals: config }],
  };
}
