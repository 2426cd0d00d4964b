/** The EnergSync read side: the chargers a caller may see, one charger, and a charger's ended sessions by UTC start date. */
import type { Schemas } from '../api/types.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { LiveModel } from '../live/live-model.ts';
import type { ChargePointView } from '../live/views.ts';
import type { SessionRepository } from '../sessions/session-repository.ts';
import type { Session } from '../sessions/model.ts';
import { toCharger, type Charger } from './charger.ts';
import type { EnergSyncConfig } from './config-schema.ts';

/** The chargepoints a caller may see: null = all. */
export type Visible = ReadonlySet<string> | null;

export interface Paging {
  page?: number;
  pageSize?: number;
}

const DAY_MS = 86_400_000;
const byId = new Intl.Collator('en', { numeric: true }).compare;

function window({ page = 1, pageSize = 10 }: Paging): { offset: number; limit: number } {
  return { offset: (page - 1) * pageSize, limit: pageSize };
}

/** Midnight UTC starting a calendar date `YYYY-MM-DD` (the spec has checked its form). */
const utcMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`);

function toSession(session: Session & { end: number }): Schemas['EnergSyncSession'] {
  return {
    id: session.id,
    chargerId: session.chargepointId,
    energy: Math.round(session.energy),
    startTime: new Date(session.start).toISOString(),
    endTime: new Date(session.end).toISOString(),
    chargingDuration: Math.round(session.chargingMs / 1000),
    // An EV-credit programme pays per kWh: it must be able to tell a lower bound (incomplete) from a measured figure.
    quality: session.quality,
  };
}

export class EnergSyncService {
  constructor(
    private readonly live: LiveModel,
    private readonly sessions: SessionRepository,
    private readonly options: { config: Pick<EnergSyncConfig, 'site' | 'chargers'>; timeZone: string; now?: () => number },
  ) {}

  async listChargers(query: Paging & { chargerIds?: readonly string[] }, visible: Visible): Promise<Schemas['EnergSyncChargerList']> {
    const known = await this.knownChargers(visible);
    const wanted = query.chargerIds ? new Set(query.chargerIds) : undefined;
    const matching = [...known.keys()].filter((id) => !wanted || wanted.has(id));
    const { offset, limit } = window(query);
    return {
      chargers: matching.slice(offset, offset + limit).map((id) => this.charger(id, known.get(id))),
      total: matching.length,
    };
  }

  async getCharger(id: string, visible: Visible): Promise<Charger> {
    const known = await this.knownChargers(visible);
    if (!known.has(id)) throw new NotFoundError(`There is no charger ${id}`);
    return this.charger(id, known.get(id));
  }

  async listSessions(
    chargerId: string,
    query: Paging & { startDate: string; endDate?: string },
    visible: Visible,
  ): Promise<Schemas['EnergSyncSessionList']> {
    if (!(await this.knownChargers(visible)).has(chargerId)) throw new NotFoundError(`There is no charger ${chargerId}`);
    const endDate = query.endDate ?? new Date((this.options.now ?? Date.now)()).toISOString().slice(0, 10);
    const from = utcMidnight(query.startDate);
    const to = utcMidnight(endDate) + DAY_MS;
    if (to <= from) throw new InvalidInputError(`endDate: ${endDate} lies before startDate ${query.startDate}`);
    const { sessions, total } = await this.sessions.endedStartingBetween(chargerId, { from, to }, window(query));
    return { sessions: sessions.filter((s): s is Session & { end: number } => s.end !== null).map(toSession), total };
  }

  /** Published and configured chargers the caller may see, in id order, with their live views (undefined: configured only). */
  private async knownChargers(visible: Visible): Promise<Map<string, ChargePointView | undefined>> {
    const views = new Map<string, ChargePointView | undefined>(Object.keys(this.options.config.chargers).map((id) => [id, undefined]));
    for (const view of await this.live.list('chargepoint')) views.set(view.id, view);
    const ids = [...views.keys()].filter((id) => !visible || visible.has(id)).sort(byId);
    return new Map(ids.map((id) => [id, views.get(id)]));
  }

  private charger(id: string, view: ChargePointView | undefined): Charger {
    const { site, chargers } = this.options.config;
    return toCharger(id, view, { ...site, ...chargers[id] }, this.options.timeZone);
  }
}
