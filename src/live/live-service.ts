import { chain, type MaybePromise } from '../maybe-async.ts';
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';
import { SITE_IDS, SYSTEM_ID } from './fields.ts';
import { freshnessContext, type FreshnessContext } from './freshness.ts';
import { notPublished } from './live-model.ts';
import type { EntityFields, EntityRef } from './model.ts';
import { ReadModelMemo } from './read-model-memo.ts';
import { buildChargePoint, buildSite, buildVehicle, validUntil } from './read-models.ts';
import type { LiveStore } from './store.ts';
import { decodeChargePoint, decodeCounter, decodeSite, decodeSystem, decodeVehicle, type EntityView, type SystemView } from './views.ts';

const SYSTEM_REF: EntityRef = { kind: 'system', id: SYSTEM_ID };
/** openWB 2.x names the grid meter in its counter hierarchy; 1.9 has a fixed one (`evu`), the last of these. */
const SITE_REFS: readonly EntityRef[] = [
  { kind: 'site', id: SITE_IDS.pv },
  { kind: 'site', id: SITE_IDS.battery },
  { kind: 'site', id: SITE_IDS.home },
  { kind: 'site', id: SITE_IDS.grid },
];

export interface LiveServiceOptions {
  staleAfterMs: number;
  now?: () => number;
}

const isEmpty = (fields: EntityFields) => {
  for (const _ in fields) return false;
  return true;
};

/** Reads live objects from the live store and shapes them for the API (memoised until their fields change or turn stale). */
export class LiveService {
  private readonly now: () => number;
  private readonly chargePoints = new ReadModelMemo<ChargePointDto>();
  private readonly vehicles = new ReadModelMemo<VehicleDto>();
  private readonly site = new ReadModelMemo<SiteDto>();

  constructor(
    private readonly store: LiveStore,
    private readonly options: LiveServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async listChargePoints(): Promise<ChargePointDto[]> {
    const [snapshots, [system]] = await Promise.all([this.store.list('chargepoint'), this.store.get([SYSTEM_REF])]);
    return snapshots.map((s) => this.chargePoint(s.id, s.fields, system as EntityFields));
  }

  getChargePoint(id: string): MaybePromise<ChargePointDto> {
    return this.published('chargepoint', id, (fields, system) => this.chargePoint(id, fields, system));
  }

  private chargePoint(id: string, fields: EntityFields, system: EntityFields): ChargePointDto {
    return this.memoised(this.chargePoints, id, fields, system, (ctx, sys) => {
      const view = decodeChargePoint(id, fields);
      return { model: buildChargePoint(view, sys, ctx), view };
    });
  }

  async listVehicles(): Promise<VehicleDto[]> {
    const [snapshots, [system]] = await Promise.all([this.store.list('vehicle'), this.store.get([SYSTEM_REF])]);
    return snapshots.map((s) => this.vehicle(s.id, s.fields, system as EntityFields));
  }

  getVehicle(id: string): MaybePromise<VehicleDto> {
    return this.published('vehicle', id, (fields, system) => this.vehicle(id, fields, system));
  }

  private vehicle(id: string, fields: EntityFields, system: EntityFields): VehicleDto {
    return this.memoised(this.vehicles, id, fields, system, (ctx) => {
      const view = decodeVehicle(id, fields);
      return { model: buildVehicle(view, ctx), view };
    });
  }

  /** One entity's model; 404 while openWB has not published the entity. */
  private published<T>(
    kind: 'chargepoint' | 'vehicle',
    id: string,
    model: (fields: EntityFields, system: EntityFields) => T,
  ): MaybePromise<T> {
    return chain(this.store.get([{ kind, id }, SYSTEM_REF]), ([fields, system]) => {
      if (isEmpty(fields as EntityFields)) throw notPublished(kind, id);
      return model(fields as EntityFields, system as EntityFields);
    });
  }

  /** A model built from one entity's fields, rebuilt only when they (or the system's) changed or it turned stale. */
  private memoised<T>(
    memo: ReadModelMemo<T>,
    id: string,
    fields: EntityFields,
    system: EntityFields,
    build: (ctx: FreshnessContext, system: SystemView) => { model: T; view: EntityView },
  ): T {
    const now = this.now();
    return memo.get(id, [fields, system], now, () => {
      const systemView = decodeSystem(SYSTEM_ID, system);
      const ctx = freshnessContext(systemView, this.options.staleAfterMs, now);
      const { model, view } = build(ctx, systemView);
      return { model, validUntil: validUntil(view, ctx) };
    });
  }

  getSite(): MaybePromise<SiteDto> {
    return chain(this.store.get([SYSTEM_REF, ...SITE_REFS]), (entities) => {
      const [system, pv, battery, home, grid19] = entities as [EntityFields, EntityFields, EntityFields, EntityFields, EntityFields];
      const systemView = decodeSystem(SYSTEM_ID, system);
      const gridCounterId = systemView.fields.gridCounterId?.value;
      const grid =
        gridCounterId === undefined
          ? grid19
          : chain(this.store.get([{ kind: 'counter', id: gridCounterId }]), ([counter]) => counter as EntityFields);
      return chain(grid, (grid) => {
        const now = this.now();
        return this.site.get('site', [system, grid, pv, battery, home], now, () => {
          const ctx = freshnessContext(systemView, this.options.staleAfterMs, now);
          const views = {
            grid: gridCounterId === undefined ? decodeSite(SITE_IDS.grid, grid) : decodeCounter(gridCounterId, grid),
            pv: decodeSite(SITE_IDS.pv, pv),
            battery: decodeSite(SITE_IDS.battery, battery),
            home: decodeSite(SITE_IDS.home, home),
          };
          return {
            model: buildSite(views, ctx),
            validUntil: Math.min(...Object.values(views).map((part) => validUntil(part, ctx))),
          };
        });
      });
    });
  }
}
