import { runCommand } from '../control/handlers.ts';
import type { ControlPresenter } from '../control/presenter.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePublished, type LiveModel } from '../live/live-model.ts';
import type { Json } from '../live/model.ts';
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
export function vehicleHandlers(presenter: ControlPresenter, live: LiveModel): VehicleHandlers {
  const vehicle = (id: string) => ({ type: 'vehicle' as const, id });
  const read = async (vehicleId: string) => {
    const [vehicle, system] = await live.read({ kind: 'vehicle', id: vehicleId }, { kind: 'system' });
    return { stored: requirePublished(vehicle).fields.socModule?.value, socModules: system.fields.socModules?.value };
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
      const { stored, socModules } = await read(params.vehicleId);
      let modules;
      try {
        modules = parseModules(socModules);
      } catch {
        modules = undefined;
      }
      return json(200, { vehicleId: params.vehicleId, ...freeForm(configView(stored, modules)) }, NO_STORE);
    },
    setVehicleSocModule: async (input) => {
      const { params, body } = input;
      const { stored, socModules } = await read(params.vehicleId);
      const modules = parseModules(socModules);
      const requested = body.configuration as { [key: string]: Json } | undefined;
      const config = mergeConfiguration(modules, stored, { type: body.type, configuration: requested });
      const keys = Object.keys(requested ?? {}).sort();
      return runCommand(presenter, input, {
        target: vehicle(params.vehicleId),
        change: { action: 'socModule', config, type: body.type, keys },
      });
    },
    listSocModules: async () => {
      const raw = (await live.system()).fields.socModules?.value;
      const items = raw === undefined ? [] : parseModules(raw).map((m) => freeForm(moduleView(m)));
      return json(200, { items }, NO_STORE);
    },
    listChargeTemplates: async () => {
      const templates = await live.list('chargeTemplate');
      const items = templates.map((t) => ({ id: t.id, name: t.fields.name?.value ?? null }));
      return json(200, { items }, NO_STORE);
    },
  };
}
