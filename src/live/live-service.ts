import { NotFoundError } from '../http/errors.ts';
import type { ChargePointDto, SiteDto, VehicleDto } from '../http/api-types.ts';
import { GENERATIONS, type Generation } from '../openwb/generation.ts';
import { SITE_IDS, SYSTEM, SYSTEM_ID } from './fields.ts';
import type { EntityFields, EntityRef } from './model.ts';
import { buildChargePoint, buildSite, buildVehicle, type FreshnessContext } from './read-models.ts';
import type { LiveStore } from './store.ts';

const SYSTEM_REF: EntityRef = { kind: 'system', id: SYSTEM_ID };

export interface LiveServiceOptions {
  staleAfterMs: number;
  now?: () => number;
}

/** Reads live objects from the live store and shapes them for the API. */
export class LiveService {
  private readonly now: () => number;

  constructor(
    private readonly store: LiveStore,
    private readonly options: LiveServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async listChargePoints(): Promise<ChargePointDto[]> {
    const [snapshots, [system]] = await Promise.all([this.store.list('chargepoint'), this.store.get([SYSTEM_REF])]);
    const ctx = this.context(system as EntityFields);
    return snapshots.map((s) => buildChargePoint(s.id, s.fields, system as EntityFields, ctx));
  }

  async getChargePoint(id: string): Promise<ChargePointDto> {
    const [fields, system] = (await this.store.get([{ kind: 'chargepoint', id }, SYSTEM_REF])) as [EntityFields, EntityFields];
    if (Object.keys(fields).length === 0) throw new NotFoundError(`Chargepoint ${id} is not known: openWB has not published it`);
    return buildChargePoint(id, fields, system, this.context(system));
  }

  async listVehicles(): Promise<VehicleDto[]> {
    const [snapshots, [system]] = await Promise.all([this.store.list('vehicle'), this.store.get([SYSTEM_REF])]);
    const ctx = this.context(system as EntityFields);
    return snapshots.map((s) => buildVehicle(s.id, s.fields, ctx));
  }

  async getVehicle(id: string): Promise<VehicleDto> {
    const [fields, system] = (await this.store.get([{ kind: 'vehicle', id }, SYSTEM_REF])) as [EntityFields, EntityFields];
    if (Object.keys(fields).length === 0) throw new NotFoundError(`Vehicle ${id} is not known: openWB has not published it`);
    return buildVehicle(id, fields, this.context(system));
  }

  /** openWB 2.x names the grid meter in its counter hierarchy; 1.9 has a fixed one (`evu`). */
  async getSite(): Promise<SiteDto> {
    const [system, pv, battery, home, grid19] = (await this.store.get([
      SYSTEM_REF,
      { kind: 'site', id: SITE_IDS.pv },
      { kind: 'site', id: SITE_IDS.battery },
      { kind: 'site', id: SITE_IDS.home },
      { kind: 'site', id: SITE_IDS.grid },
    ])) as EntityFields[] as [EntityFields, EntityFields, EntityFields, EntityFields, EntityFields];
    const gridCounterId = system[SYSTEM.gridCounterId]?.value;
    const grid =
      typeof gridCounterId === 'string'
        ? ((await this.store.get([{ kind: 'counter', id: gridCounterId }]))[0] as EntityFields)
        : grid19;
    return buildSite({ grid, pv, battery, home }, this.context(system));
  }

  /** The system entity as stored (generation, version, heartbeat). */
  async getSystemFields(): Promise<EntityFields> {
    return (await this.store.get([SYSTEM_REF]))[0] as EntityFields;
  }

  context(system: EntityFields): FreshnessContext {
    const generation = system[SYSTEM.generation]?.value;
    return {
      now: this.now(),
      staleAfterMs: this.options.staleAfterMs,
      generation: (GENERATIONS as readonly unknown[]).includes(generation) ? (generation as Generation) : undefined,
      heartbeatReceivedAt: system[SYSTEM.heartbeat]?.receivedAt,
    };
  }
}
