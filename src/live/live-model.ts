/**
 * The typed read port of the live model: what the rest of the gateway reads of openWB's live state. Each
 * entity comes back as a view whose fields are decoded once (see views.ts); reads answer synchronously
 * while the live store has the values in memory, as the store does. A consumer that pushes changes keeps
 * the last view it sent per entity and sends `changedFields(last, current)` with each reading's
 * `receivedAt`; `staleAt(view.updatedAt)` (freshness.ts) is when the entity's `stale` flips.
 */
import { NotFoundError } from '../errors.ts';
import { chain, type MaybePromise } from '../maybe-async.ts';
import type { SITE_IDS } from './fields.ts';
import { SYSTEM_ID } from './fields.ts';
import type { EntityFields, EntityRef, Json } from './model.ts';
import type { LiveStore } from './store.ts';
import {
  decodeChargePoint,
  decodeChargeTemplate,
  decodeCounter,
  decodeSite,
  decodeSystem,
  decodeVehicle,
  type ChargePointView,
  type ChargeTemplateView,
  type CounterView,
  type EntityView,
  type SiteView,
  type SystemView,
  type VehicleView,
} from './views.ts';

export type SiteId = (typeof SITE_IDS)[keyof typeof SITE_IDS];

export type LiveQuery =
  | { kind: 'chargepoint'; id: string }
  | { kind: 'vehicle'; id: string }
  | { kind: 'chargeTemplate'; id: string }
  | { kind: 'counter'; id: string }
  | { kind: 'site'; id: SiteId }
  | { kind: 'system' };

interface ViewByKind {
  chargepoint: ChargePointView;
  vehicle: VehicleView;
  chargeTemplate: ChargeTemplateView;
  counter: CounterView;
  site: SiteView;
  system: SystemView;
}

type ListedKind = 'chargepoint' | 'vehicle' | 'chargeTemplate';
export type ViewsOf<Q extends readonly LiveQuery[]> = { -readonly [I in keyof Q]: ViewByKind[Q[I]['kind']] };

/** A field of one entity, for checks that compare stored JSON as it is (command confirmation). */
export interface FieldRef extends EntityRef {
  field: string;
}

const DECODERS: { [K in keyof ViewByKind]: (id: string, raw: EntityFields) => ViewByKind[K] } = {
  chargepoint: decodeChargePoint,
  vehicle: decodeVehicle,
  chargeTemplate: decodeChargeTemplate,
  counter: decodeCounter,
  site: decodeSite,
  system: decodeSystem,
};

const SYSTEM_REF: EntityRef = { kind: 'system', id: SYSTEM_ID };
const refOf = (query: LiveQuery): EntityRef => (query.kind === 'system' ? SYSTEM_REF : query);

const NOUNS = { chargepoint: 'Chargepoint', vehicle: 'Vehicle' } as const;
type PublishedKind = keyof typeof NOUNS;

export function notPublished(kind: PublishedKind, id: string): NotFoundError {
  return new NotFoundError(`${NOUNS[kind]} ${id} is not known: openWB has not published it`);
}

/** The view, or NotFound while openWB has not published the entity. */
export function requirePublished<V extends EntityView<PublishedKind>>(view: V): V {
  if (!view.published) throw notPublished(view.kind, view.id);
  return view;
}

export class LiveModel {
  constructor(private readonly store: LiveStore) {}

  /** Views of the queried entities, in order and in one round trip (an unknown entity: a view with `published: false`). */
  read<const Q extends readonly LiveQuery[]>(...queries: Q): MaybePromise<ViewsOf<Q>> {
    return chain(this.store.get(queries.map(refOf)), (all) => {
      const views = all.map((raw, index) => {
        const query = queries[index] as LiveQuery;
        return DECODERS[query.kind](query.kind === 'system' ? SYSTEM_ID : query.id, raw);
      });
      return views as ViewsOf<Q>;
    });
  }

  system(): MaybePromise<SystemView> {
    return chain(this.read({ kind: 'system' }), ([system]) => system);
  }

  chargepoint(id: string): MaybePromise<ChargePointView> {
    return chain(this.read({ kind: 'chargepoint', id }), ([chargepoint]) => chargepoint);
  }

  vehicle(id: string): MaybePromise<VehicleView> {
    return chain(this.read({ kind: 'vehicle', id }), ([vehicle]) => vehicle);
  }

  chargeTemplate(id: string): MaybePromise<ChargeTemplateView> {
    return chain(this.read({ kind: 'chargeTemplate', id }), ([template]) => template);
  }

  /** Every published entity of a kind, ordered by id (numeric ids numerically). */
  async list<K extends ListedKind>(kind: K): Promise<ViewByKind[K][]> {
    const decode = DECODERS[kind];
    return (await this.store.list(kind)).map((snapshot) => decode(snapshot.id, snapshot.fields) as ViewByKind[K]);
  }

  /** Stored values of single fields, undecoded (undefined: absent), in one round trip. */
  values(refs: readonly FieldRef[]): MaybePromise<(Json | undefined)[]> {
    return chain(this.store.get(refs), (all) => all.map((fields, index) => fields[(refs[index] as FieldRef).field]?.value));
  }
}
