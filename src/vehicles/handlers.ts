import { runCommand } from '../control/handlers.ts';
import type { ControlPresenter } from '../control/presenter.ts';
import { NotFoundError } from '../errors.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import { CHARGE_TEMPLATE, SYSTEM, SYSTEM_ID, VEHICLE } from '../live/fields.ts';
import type { EntityFields, Json } from '../live/model.ts';
import type { LiveStore } from '../live/store.ts';
import { configView, freeForm, mergeConfiguration, moduleView, parseModules } from './soc-modules.ts';

type VehicleHandlers = Pick<
  HandlerTable,
  | 'setVehicleSoc'
  | 'requestVehicleSocUpdate'
  | 'setVehicleChargeTemplate'
  | 'getVehicleSocModule'
  | 'setVehicleSocModule'
  | 'listSocModules'
  | 'listChargeTemplates'
>;

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Vehicle commands (2.x), SoC module configuration (admins) and the catalogues they choose from. */
export function vehicleHandlers(presenter: ControlPresenter, store: LiveStore): VehicleHandlers {
  const vehicle = (id: string) => ({ type: 'vehicle' as const, id });
  const read = async (vehicleId: string) => {
    const [fields, system] = (await store.get([
      { kind: 'vehicle', id: vehicleId },
      { kind: 'system', id: SYSTEM_ID },
    ])) as [EntityFields, EntityFields];
    if (Object.keys(fields).length === 0) throw new NotFoundError(`Vehicle ${vehicleId} is not known: openWB has not published it`);
    return { stored: fields[VEHICLE.socModule]?.value, system };
  };
  return {
    setVehicleSoc: (input) =>
      runCommand(presenter, input, { target: vehicle(input.params.vehicleId), change: { action: 'vehicleSoc', soc: input.body.soc } }),
    requestVehicleSocUpdate: (input) =>
      runCommand(presenter, input, { target: vehicle(input.params.vehicleId), change: { action: 'socUpdate' } }),
    setVehicleChargeTemplate: (input) =>
      runCommand(presenter, input, {
        target: vehicle(input.params.vehicleId),
        change: { action: 'chargeTemplate', chargeTemplateId: input.body.chargeTemplateId },
      }),
    getVehicleSocModule: async ({ params }) => {
      const { stored, system } = await read(params.vehicleId);
      let modules;
      try {
        modules = parseModules(system[SYSTEM.socModules]?.value);
      } catch {
        modules = undefined;
      }
      return json(200, { vehicleId: params.vehicleId, ...freeForm(configView(stored, modules)) }, NO_STORE);
    },
    setVehicleSocModule: async (input) => {
      const { params, body } = input;
      const { stored, system } = await read(params.vehicleId);
      const modules = parseModules(system[SYSTEM.socModules]?.value);
      const requested = body.configuration as { [key: string]: Json } | undefined;
      const config = mergeConfiguration(modules, stored, { type: body.type, configuration: requested });
      const keys = Object.keys(requested ?? {}).sort();
      return runCommand(presenter, input, {
        target: vehicle(params.vehicleId),
        change: { action: 'socModule', config, type: body.type, keys },
      });
    },
    listSocModules: async () => {
      const [system] = (await store.get([{ kind: 'system', id: SYSTEM_ID }])) as [EntityFields];
      const raw = system[SYSTEM.socModules]?.value;
      const items = raw === undefined ? [] : parseModules(raw).map((m) => freeForm(moduleView(m)));
      return json(200, { items }, NO_STORE);
    },
    listChargeTemplates: async () => {
      const templates = await store.list('chargeTemplate');
      const items = templates.map((t) => {
        const name = t.fields[CHARGE_TEMPLATE.name]?.value;
        return { id: t.id, name: typeof name === 'string' ? name : null };
      });
      return json(200, { items }, NO_STORE);
    },
  };
}
